"""Test helpers of 座谈会/个别交流 and the 问题清单: rows of branch A or B made through the services."""

from datetime import timedelta

from dangjian.core import clock
from dangjian.meetings.choices import Presence
from dangjian.meetings.models import Attendance, Talk
from dangjian.meetings.tests.factories import meeting_of
from dangjian.voice import consultations, problems
from dangjian.voice.choices import ConsultationKind, ProblemSource
from dangjian.voice.models import Consultation, Opinion, Problem


def side(w, name: str):
    """(org, secretary, a member) of branch A or B."""
    if name == "a":
        return w.branch_a, w.secretary_a, w.member_a
    return w.branch_b, w.secretary_b, w.member_b


def held_meeting(org, by, *, present=()):
    meeting = meeting_of(org, by, held=True, days_ago=3)
    for member in present:
        Attendance.objects.unrestricted().update_or_create(
            meeting=meeting, member=member, defaults={"org": member.org, "presence": Presence.PRESENT}
        )
    return meeting


def talk_of(org, talker, talkee, days_ago: int = 2) -> Talk:
    return Talk.objects.create(
        org=org, talker=talker, talkee=talkee, held_on=clock.today() - timedelta(days=days_ago), summary="交流思想"
    )


def consultation_of(w, name: str = "a", **kwargs) -> Consultation:
    org, by, _member = side(w, name)
    values = {
        "kind": ConsultationKind.FORUM,
        "topic": "征求对支部班子的意见",
        "held_on": clock.today() - timedelta(days=1),
        "participants": "全体党员",
    } | kwargs
    return consultations.create_consultation(by=by, org=org, **values)


def opinion_of(w, name: str = "a", content: str = "学习形式单一") -> Opinion:
    _org, by, _member = side(w, name)
    return consultations.add_opinion(by=by, consultation=consultation_of(w, name), content=content, raised_by="张三")


def problem_of(w, name: str = "a", *, days: int = 30, **kwargs) -> Problem:
    org, by, member = side(w, name)
    values = {
        "year": clock.today().year,
        "source": ProblemSource.OTHER,
        "description": "学习形式单一",
        "measure": "丰富学习形式",
        "owner": member,
        "deadline": clock.today() + timedelta(days=days),
    } | kwargs
    return problems.create_problem(by=by, org=org, **values)
