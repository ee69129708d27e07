"""座谈会 and 个别交流 (征求意见): services and selectors. A consultation belongs to an org (its secretary or committee
records it: CHANGE on the org). Where organisational life already recorded it — a held meeting of that org (read
through meetings.selectors) or a 谈心谈话 (meetings.Talk) of it — it points to that record, and the date (and the
participants: the meeting's present attendees, the talk's two people) are taken from there, not typed twice.
Opinions raised are added, edited and deleted on it; an opinion becomes a problem of the 问题清单 (problems.py)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.core.validators import check_not_future
from dangjian.meetings.choices import MeetingStatus
from dangjian.meetings.models import Meeting, Talk
from dangjian.meetings.selectors import attended, meetings_scoped
from dangjian.orgs.models import Organization

from . import problems
from .choices import ConsultationKind, ProblemSource
from .models import Consultation, Opinion, Problem

ERR_SCOPE = "您无权登记或修改该组织的座谈交流"
ERR_DISSOLVED = "该组织已撤销，不能新增座谈交流"
ERR_BOTH = "会议记录与谈话记录只能选择其一"
ERR_MEETING = "请选择本组织已召开的会议"
ERR_TALK = "请选择本组织的谈心谈话记录"
ERR_MEETING_KIND = "关联会议记录的应为座谈会"
ERR_TALK_KIND = "关联谈心谈话记录的应为个别交流"
ERR_DATE = "请填写日期（或选择会议、谈话记录）"
ERR_PARTICIPANTS = "请填写参加人员或交流对象"
ERR_CONTENT = "请填写意见建议内容"
ERR_OPINION_USED = "该意见已转为问题清单中的问题，不能删除"
PARTICIPANTS_MAX = 500
SEARCH_MAX = 50
SORTS = {"held_on": ("held_on", "id"), "-held_on": ("-held_on", "-id"), "org": ("org__path", "-held_on", "-id")}


def _check_org(by, org: Organization) -> None:
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_SCOPE)


def linkable_meetings(user, org: Organization) -> QuerySet[Meeting]:
    """The held meetings of `org` the user sees (meetings.selectors.meetings_scoped), latest first."""
    return meetings_scoped(user).filter(org=org, status=MeetingStatus.HELD).order_by("-starts_at", "-id")


def linkable_talks(user, org: Organization) -> QuerySet[Talk]:
    """The 谈心谈话 of `org` the user sees (meetings keeps no selector of talks: its restricted queryset)."""
    return Talk.objects.visible_to(user).filter(org=org).select_related("talker", "talkee").order_by("-held_on", "-id")


def _present_names(meeting: Meeting) -> str:
    names = attended().filter(meeting=meeting).order_by("member__name_pinyin").values_list("member__name", flat=True)
    text = "、".join(names)
    return text if len(text) <= PARTICIPANTS_MAX else text[: PARTICIPANTS_MAX - 1] + "…"


def _facts(by, org, *, kind, held_on, participants, meeting, talk) -> tuple[date | None, str]:
    """The date and participants: from the linked record where there is one, else as given; the checks."""
    errors = {}
    if meeting is not None and talk is not None:
        raise ValidationError({"meeting": ERR_BOTH})
    if meeting is not None:
        if not linkable_meetings(by, org).filter(pk=meeting.pk).exists():
            raise ValidationError({"meeting": ERR_MEETING})
        if kind != ConsultationKind.FORUM:
            raise ValidationError({"kind": ERR_MEETING_KIND})
        held_on = timezone.localtime(meeting.starts_at).date()
        participants = _present_names(meeting) or participants
    elif talk is not None:
        talk = linkable_talks(by, org).filter(pk=talk.pk).first()
        if talk is None:
            raise ValidationError({"talk": ERR_TALK})
        if kind != ConsultationKind.PERSONAL:
            raise ValidationError({"kind": ERR_TALK_KIND})
        held_on = talk.held_on
        participants = f"{talk.talker.name}、{talk.talkee.name}"
    if held_on is None:
        errors["held_on"] = ERR_DATE
    participants = (participants or "").strip()
    if not participants:
        errors["participants"] = ERR_PARTICIPANTS
    if errors:
        raise ValidationError(errors)
    check_not_future(held_on=held_on)
    return held_on, participants


@transaction.atomic
def create_consultation(
    *,
    by,
    org: Organization,
    kind: str,
    topic: str,
    held_on: date | None = None,
    participants: str = "",
    summary: str = "",
    meeting: Meeting | None = None,
    talk: Talk | None = None,
) -> Consultation:
    """A 座谈会 or 个别交流 of `org` (CHANGE on it)."""
    _check_org(by, org)
    if org.dissolved_on is not None:
        raise ValidationError({"org": ERR_DISSOLVED})
    held_on, participants = _facts(
        by, org, kind=kind, held_on=held_on, participants=participants, meeting=meeting, talk=talk
    )
    row = Consultation(
        org=org,
        kind=kind,
        held_on=held_on,
        topic=topic.strip(),
        participants=participants,
        summary=summary.strip(),
        meeting=meeting,
        talk=talk,
        recorded_by=by,
    )
    row.full_clean()
    row.save()
    return row


def _locked(by, consultation: Consultation) -> Consultation:
    locked = (
        Consultation.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=consultation.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked


@transaction.atomic
def update_consultation(
    *,
    by,
    consultation: Consultation,
    version: int | None,
    kind: str,
    topic: str,
    held_on: date | None = None,
    participants: str = "",
    summary: str = "",
    meeting: Meeting | None = None,
    talk: Talk | None = None,
) -> Consultation:
    """Change a consultation (its org stays)."""
    locked = _locked(by, consultation)
    check_version(locked, version)
    held_on, participants = _facts(
        by, locked.org, kind=kind, held_on=held_on, participants=participants, meeting=meeting, talk=talk
    )
    locked.kind, locked.topic, locked.held_on, locked.participants = kind, topic.strip(), held_on, participants
    locked.summary, locked.meeting, locked.talk = summary.strip(), meeting, talk
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def add_opinion(*, by, consultation: Consultation, content: str, raised_by: str = "") -> Opinion:
    locked = _locked(by, consultation)
    if not content.strip():
        raise ValidationError({"content": ERR_CONTENT})
    opinion = Opinion(consultation=locked, content=content.strip(), raised_by=raised_by.strip())
    opinion.full_clean()
    opinion.save()
    return opinion


def _locked_opinion(by, opinion: Opinion) -> Opinion:
    locked = (
        Opinion.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("consultation__org")
        .filter(pk=opinion.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked


@transaction.atomic
def update_opinion(*, by, opinion: Opinion, content: str, raised_by: str = "") -> Opinion:
    locked = _locked_opinion(by, opinion)
    if not content.strip():
        raise ValidationError({"content": ERR_CONTENT})
    locked.content, locked.raised_by = content.strip(), raised_by.strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def delete_opinion(*, by, opinion: Opinion) -> None:
    """Delete an opinion, unless it became a problem (the problem names its source)."""
    locked = _locked_opinion(by, opinion)
    # The opinion's own problems, whoever sees them: they hang on a consultation the user may change.
    if Problem.objects.unrestricted().filter(opinion=locked).exists():
        raise ValidationError(ERR_OPINION_USED)
    locked.delete()


def opinion_to_problem(
    *, by, opinion: Opinion, description: str, measure: str, owner, deadline: date, year: int
) -> Problem:
    """The opinion as a problem of the consultation's org (source 座谈/交流)."""
    opinion = _visible_opinion(by, opinion)
    return problems.create_problem(
        by=by,
        org=opinion.consultation.org,
        year=year,
        source=ProblemSource.TALK,
        opinion=opinion,
        description=description,
        measure=measure,
        owner=owner,
        deadline=deadline,
    )


def _visible_opinion(by, opinion: Opinion) -> Opinion:
    found = Opinion.objects.changeable_by(by).select_related("consultation__org").filter(pk=opinion.pk).first()
    if found is None:
        raise PermissionDenied(ERR_SCOPE)
    return found


# --- reads ---------------------------------------------------------------------------------------------------------


def _opinion_count() -> Coalesce:
    rows = (
        Opinion.objects.unrestricted()  # the outer consultation's own opinions: the outer query is scoped
        .filter(consultation=OuterRef("pk"))
        .order_by()
        .values("consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def consultations_of(
    *,
    fetched_by,
    org: Organization | None = None,
    kind: str = "",
    year: int | None = None,
    q: str = "",
    sort: str = "",
) -> QuerySet[Consultation]:
    """The consultations the user sees as filtered (org subtree, kind, year, topic/participants), with their opinion
    count: one query."""
    rows = Consultation.objects.visible_to(fetched_by).select_related("org", "meeting", "talk")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(held_on__year=year)
    q = q.strip()[:SEARCH_MAX]
    if q:
        rows = rows.filter(Q(topic__icontains=q) | Q(participants__icontains=q))
    return rows.annotate(opinion_count=_opinion_count()).order_by(*SORTS.get(sort, SORTS["-held_on"]))


def consultation_get(*, fetched_by, pk: int, capability: str = Capability.VIEW) -> Consultation:
    """One consultation in the user's scope (Consultation.DoesNotExist outside it)."""
    rows = Consultation.objects.restrict(fetched_by, capability)
    return rows.select_related("org", "meeting", "talk__talker", "talk__talkee", "recorded_by").get(pk=pk)


def opinions_of(consultation: Consultation, user) -> list[Opinion]:
    """The consultation's opinions, each with the problems made of it the user sees: two queries."""
    opinions = list(Opinion.objects.visible_to(user).filter(consultation=consultation).order_by("id"))
    made = Problem.objects.visible_to(user).filter(opinion__in=[o.pk for o in opinions]).order_by("id")
    by_opinion: dict[int, list[Problem]] = {}
    for problem in made:
        by_opinion.setdefault(problem.opinion_id, []).append(problem)
    for opinion in opinions:
        opinion.made_problems = by_opinion.get(opinion.pk, [])
    return opinions
