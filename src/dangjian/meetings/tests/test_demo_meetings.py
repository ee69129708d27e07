"""The meetings' part of demo data set S (meetings/demo.py): a year of organisational life for every branch, the
situations each persona should see (returned records, 补录, missed months, the 组织生活会 with its parts, talks,
next week's meeting, a member away for months), consistent rows, and a second run that writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.core import clock as core_clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.meetings.choices import Activity, MeetingStatus, Presence, ReviewState
from dangjian.meetings.demo import MISSED, PERSONA_BRANCHES, RETURN_COMMENT
from dangjian.meetings.models import (
    AppraisalRating,
    Attendance,
    LifeMeetingItem,
    Meeting,
    MeetingActivity,
    Rectification,
    Talk,
)
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.demo import BRANCHES
from dangjian.orgs.models import Organization


@pytest.fixture
def demo(db):
    return demo_seed(today=core_clock.today())


def test_every_branch_has_a_year_of_meetings(demo):
    today = core_clock.today()
    for plan in BRANCHES:
        org = Organization.objects.get(code=plan.code)
        theme_days = MeetingActivity.objects.unrestricted().filter(org=org, activity=Activity.THEME_DAY, held=True)
        months = {(d.year, d.month) for d in theme_days.values_list("held_on", flat=True)}
        missed = len(MISSED.get(plan.code, ()))
        assert 12 - missed - 3 <= len(months) <= 12 - missed, plan.code
        assert theme_days.filter(held_on__gte=today - timedelta(days=366)).count() == theme_days.count()
    assert demo.counts["会议"] == Meeting.objects.count() > 12 * 12


def test_rows_are_consistent(demo):
    for row in MeetingActivity.objects.unrestricted().select_related("meeting"):
        assert row.org_id == row.meeting.org_id
        assert row.held_on == timezone.localtime(row.meeting.starts_at).date()
        assert row.held == (row.meeting.status == MeetingStatus.HELD)
    for row in Attendance.objects.unrestricted().select_related("member", "org"):
        assert row.org.kind == OrgKind.BRANCH
    now = timezone.now()
    assert not Meeting.objects.filter(status=MeetingStatus.HELD, starts_at__gt=now).exists()
    assert not Meeting.objects.filter(recorded_at__gt=now).exists()


def test_personas_see_their_situations(demo):
    for code in PERSONA_BRANCHES:
        meetings = Meeting.objects.filter(org__code=code)
        returned = meetings.get(review_state=ReviewState.RETURNED, review_comment=RETURN_COMMENT)
        assert returned.reviewed_by.username == "admin"
        assert meetings.filter(backfilled=True, status=MeetingStatus.HELD).exists()
        planned = meetings.filter(status=MeetingStatus.PLANNED, starts_at__gt=timezone.now())
        assert planned.count() == 1 and planned.get().attendances.count() > 0
        assert planned.get().created_by.username in ("shuji01", "shuji02")
    # the member persona is invited and mostly present; their secretary sees the branch's flags' material
    member = User.objects.get(username="dangyuan01").member
    mine = Attendance.objects.filter(member=member, meeting__status=MeetingStatus.HELD)
    assert mine.count() >= 12 and mine.filter(presence=Presence.PRESENT).exists()
    # someone in 办公室 attended nothing for the last six months
    since = core_clock.today() - timedelta(days=183)
    recent = Attendance.objects.filter(org__code="ZB01", meeting__status=MeetingStatus.HELD)
    recent = recent.filter(meeting__starts_at__date__gte=since)
    away = {a.member_id for a in recent} - {a.member_id for a in recent.filter(presence=Presence.PRESENT)}
    assert away and member.pk not in away


def test_life_meeting_and_appraisal(demo):
    life = Meeting.objects.filter(
        activities__activity=Activity.LIFE_MEETING, status=MeetingStatus.HELD, org__code="ZB01"
    ).get()
    assert life.activities.filter(activity=Activity.APPRAISAL).exists()
    present = life.attendances.filter(presence=Presence.PRESENT).count()
    assert AppraisalRating.objects.filter(meeting=life).count() == present > 0
    assert LifeMeetingItem.objects.filter(meeting=life).exists()
    assert Rectification.objects.filter(meeting=life).count() == 2
    assert Talk.objects.filter(org__code="ZB01").exists()
    assert not Talk.objects.filter(held_on__gt=core_clock.today()).exists()


def test_a_second_run_writes_nothing(demo):
    before = (Meeting.objects.count(), Attendance.objects.count(), Talk.objects.count())
    again = demo_seed(today=core_clock.today())
    assert not again.created
    assert (Meeting.objects.count(), Attendance.objects.count(), Talk.objects.count()) == before
    assert again.counts["会议"] == before[0]


def test_the_heat_map_cells_are_there(demo):
    from dangjian.meetings.models import ComplianceCell

    branches = Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).count()
    month = core_clock.today().replace(day=1)
    assert ComplianceCell.objects.filter(month=month, activity="").count() == branches > 0
