"""学习培训's part of scale data set L (study/scale.py), on the small set every producer's tests build: plans,
sessions with their meetings and attendance, the 中心组's speeches and outcomes, self-reports in every state, and
MemberYear as refresh_hours computes it member by member; nothing after today."""

from collections import Counter

import pytest
from django.db.models import Count, Max

from dangjian.core import clock
from dangjian.core.tests.scale_set import seed
from dangjian.meetings.choices import Activity, MeetingStatus
from dangjian.meetings.models import Attendance, MeetingActivity
from dangjian.members.models import Member
from dangjian.study import services
from dangjian.study.choices import OutcomeState, ReportState, StudyKind
from dangjian.study.models import MemberYear, Outcome, PlanItem, Report, Session, Speech


@pytest.fixture
def small(db):
    return seed(years=3)


def member_years() -> set[tuple]:
    return set(
        MemberYear.objects.unrestricted().values_list("member_id", "year", "session_hours", "report_hours", "hours")
    )


def test_rows_written_and_sessions_have_attendance(small):
    today = clock.today()
    sessions = Session.objects.unrestricted()
    assert sessions.count() == small.counts["学习场次"] > 0
    assert PlanItem.objects.unrestricted().count() == small.counts["培训计划项目"] > 0
    assert Report.objects.unrestricted().count() == small.counts["自学学时申报"] > 0
    assert Speech.objects.unrestricted().count() == small.counts["研讨发言"]
    assert Outcome.objects.unrestricted().count() == small.counts["学习成果转化"]
    # every session is a held meeting of its org, on the meeting's local day, with invitees mostly present
    for session in sessions.select_related("meeting"):
        meeting = session.meeting
        assert meeting.status == MeetingStatus.HELD and meeting.org_id == session.org_id
        assert services._local_day(meeting.starts_at) == session.held_on <= today
        activities = set(MeetingActivity.objects.filter(meeting=meeting).values_list("activity", flat=True))
        assert activities & services.COUNTABLE_ACTIVITIES
        assert (Activity.LECTURE in activities) == (session.kind == StudyKind.LECTURE)
    attendance = Counter(
        Attendance.objects.filter(meeting__study_session__isnull=False).values_list("presence", flat=True)
    )
    assert attendance["present"] > 3 * attendance["absent"] > 0
    assert not sessions.annotate(n=Count("meeting__attendances")).filter(n=0).exists()
    assert all(1.5 <= h <= 4 for h in sessions.values_list("hours", flat=True))
    # nothing in the future
    assert Session.objects.unrestricted().aggregate(m=Max("held_on"))["m"] <= today
    assert Report.objects.unrestricted().aggregate(m=Max("studied_on"))["m"] <= today
    assert PlanItem.objects.unrestricted().aggregate(m=Max("year"))["m"] <= today.year
    assert not Outcome.objects.unrestricted().filter(done_on__gt=today).exists()


def test_central_group_plans_and_reports(small):
    today = clock.today()
    central = Session.objects.unrestricted().filter(kind=StudyKind.CENTRAL)
    assert central.filter(held_on__year=today.year - 1).count() >= 10  # monthly, a whole year
    assert {s.org.depth for s in central.select_related("org")} == {1}
    assert Speech.objects.unrestricted().filter(session__in=central).count() >= central.count() * 3 - 1
    states = Counter(Outcome.objects.unrestricted().values_list("state", flat=True))
    assert states[OutcomeState.DONE] and states[OutcomeState.OPEN]
    kinds = Counter(Session.objects.unrestricted().values_list("kind", flat=True))
    assert kinds[StudyKind.LECTURE] and kinds[StudyKind.CONCENTRATED]
    # a plan per branch and year, some sessions realising an item of their own org
    plans = PlanItem.objects.unrestricted().values("org", "year").distinct().count()
    assert plans >= Session.objects.unrestricted().exclude(kind=StudyKind.CENTRAL).values("org").distinct().count()
    linked = Session.objects.unrestricted().filter(plan_item__isnull=False).select_related("plan_item")
    assert linked.exists() and all(s.plan_item.org_id == s.org_id for s in linked)
    reports = Report.objects.unrestricted().select_related("member")
    states = Counter(r.state for r in reports)
    assert states[ReportState.APPROVED] > states[ReportState.PENDING] > 0 and states[ReportState.REJECTED] > 0
    assert all(r.certificate.name == "study/scale/cert.pdf" and r.certificate_size > 0 for r in reports)
    assert all(r.org_id == r.member.org_id for r in reports)


def test_member_years_are_what_refresh_hours_computes(small):
    this_year = clock.today().year
    stored = member_years()
    assert stored
    assert {y for _, y, *_ in stored} <= {this_year - 2, this_year - 1, this_year}
    # the producer's refresh_all (one INSERT … SELECT for every member) equals the per-member path of the writes
    members = Member.objects.unrestricted().values_list("pk", flat=True)
    MemberYear.objects.unrestricted().all().delete()
    services.refresh_hours(list(members), [this_year - 2, this_year - 1, this_year])
    assert member_years() == stored
    services.refresh_all([this_year - 2, this_year - 1, this_year])
    assert member_years() == stored
    # some members are behind the requirement of last year, many met it
    last = MemberYear.objects.unrestricted().filter(year=this_year - 1)
    assert last.filter(hours__gte=32).count() > last.filter(hours__lt=32).count() > 0


def test_one_year_is_this_year_up_to_today(db):
    today = clock.today()
    result = seed(years=1)
    days = list(Session.objects.unrestricted().values_list("held_on", flat=True))
    assert result.counts["学习场次"] == len(days)
    assert all(day.year == today.year and day <= today for day in days)
    assert set(PlanItem.objects.unrestricted().values_list("year", flat=True)) == {today.year}
    assert set(MemberYear.objects.unrestricted().values_list("year", flat=True)) <= {today.year}
