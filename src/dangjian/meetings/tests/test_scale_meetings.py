"""The meetings' part of scale data set L (meetings/scale.py), on the small set every producer's tests build: each
activity row agrees with its meeting, each attendance row names the member's branch on the day, and the mix
(skipped months, absences, returned records, 民主评议, talks) is there in plausible proportions."""

from datetime import timedelta

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.tests.scale_set import seed
from dangjian.meetings.choices import Activity, MeetingStatus, Presence, Rating, ReviewState
from dangjian.meetings.models import (
    AppraisalRating,
    Attendance,
    LifeMeetingItem,
    Meeting,
    MeetingActivity,
    Rectification,
    Talk,
)
from dangjian.members.choices import TransferKind
from dangjian.members.models import Member, Transfer
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization


@pytest.fixture
def small(db):
    return seed()


def test_activities_copy_their_meeting(small):
    rows = MeetingActivity.objects.unrestricted().select_related("meeting")
    assert rows.count() >= Meeting.objects.unrestricted().count() > 0
    for row in rows:
        meeting = row.meeting
        assert row.org_id == meeting.org_id
        assert row.held_on == timezone.localtime(meeting.starts_at).date()
        assert row.held == (meeting.status == MeetingStatus.HELD)
    # every meeting has at least one activity; 党小组会 only by 党小组
    assert not Meeting.objects.unrestricted().filter(activities__isnull=True).exists()
    groups = MeetingActivity.objects.unrestricted().filter(activity=Activity.GROUP)
    assert groups.exists() and not groups.exclude(org__kind=OrgKind.GROUP).exists()
    assert (
        not MeetingActivity.objects.unrestricted()
        .exclude(activity=Activity.GROUP)
        .filter(org__kind=OrgKind.GROUP)
        .exists()
    )


def test_attendance_names_the_branch_of_the_day(small):
    moved = {t.member_id: t for t in Transfer.objects.unrestricted().filter(kind=TransferKind.INTERNAL)}
    rows = Attendance.objects.unrestricted().select_related("meeting", "member")
    assert rows.count() > 1000
    for row in rows.iterator():
        day = timezone.localtime(row.meeting.starts_at).date()
        move = moved.get(row.member_id)
        expected = move.from_org_id if move and day < move.transferred_on else row.member.org_id
        assert row.org_id == expected
        assert row.member.joined_on <= day
        if row.meeting.status != MeetingStatus.HELD:
            assert row.presence == Presence.UNKNOWN
        elif row.presence == Presence.ABSENT:
            assert row.absence_reason
    assert Organization.objects.filter(kind=OrgKind.BRANCH, pk__in=rows.values("org_id")).exists()
    assert not rows.exclude(org__kind=OrgKind.BRANCH).exists()


def test_nothing_held_in_the_future(small):
    now = timezone.now()
    meetings = Meeting.objects.unrestricted()
    assert not meetings.filter(status=MeetingStatus.HELD, starts_at__gt=now).exists()
    assert not meetings.filter(recorded_at__gt=now).exists()
    assert not meetings.filter(status=MeetingStatus.HELD, recorded_at__isnull=True).exists()
    assert not meetings.filter(ends_at__lt=F("starts_at")).exists()
    first = meetings.order_by("starts_at").first().starts_at.date()
    assert first >= clock.today() - timedelta(days=3 * 366)


def test_the_mix_is_plausible(small):
    meetings = Meeting.objects.unrestricted()
    held = meetings.filter(status=MeetingStatus.HELD)
    total = held.count()
    states = dict(held.values_list("review_state").annotate(n=Count("id")))
    assert states[ReviewState.PASSED] > 0.8 * total
    assert 0 < states.get(ReviewState.RETURNED, 0) < 0.1 * total
    returned = held.filter(review_state=ReviewState.RETURNED)
    assert not returned.filter(review_comment="").exists()
    assert not returned.filter(reviewed_by__isnull=True).exists()
    assert held.filter(backfilled=True).exists()
    marked = Attendance.objects.unrestricted().filter(meeting__status=MeetingStatus.HELD)
    present = marked.filter(presence=Presence.PRESENT).count()
    assert 0.8 * marked.count() < present < 0.97 * marked.count()
    # 主题党日 in most branch-months: some skipped, not most
    branches = Organization.objects.filter(kind=OrgKind.BRANCH).count()
    theme_days = MeetingActivity.objects.unrestricted().filter(activity=Activity.THEME_DAY).count()
    assert 0.8 * branches * 36 < theme_days <= branches * 36
    # a 党课 every quarter, 组织生活会 with 民主评议, ratings, 整改, talks
    assert MeetingActivity.objects.unrestricted().filter(activity=Activity.LECTURE).count() > branches * 8
    life = meetings.filter(activities__activity=Activity.LIFE_MEETING, status=MeetingStatus.HELD)
    assert life.filter(activities__activity=Activity.APPRAISAL).count() == life.count() > 0
    ratings = AppraisalRating.objects.unrestricted()
    assert ratings.filter(rating=Rating.EXCELLENT).count() < ratings.count() / 3
    assert LifeMeetingItem.objects.unrestricted().exists() and Rectification.objects.unrestricted().exists()
    talks = Talk.objects.unrestricted()
    assert talks.exists() and not talks.filter(held_on__gt=clock.today()).exists()


def test_some_members_attended_nothing_for_six_months(small):
    since = clock.today() - timedelta(days=183)
    recent = Attendance.objects.unrestricted().filter(
        meeting__starts_at__date__gte=since, meeting__status=MeetingStatus.HELD
    )
    invited = recent.values("member_id").annotate(
        present=Count("id", filter=Q(presence=Presence.PRESENT)), n=Count("id")
    )
    away = [row for row in invited if row["present"] == 0 and row["n"] >= 6]
    members = Member.objects.count()
    assert len(away) < 0.03 * members


def test_it_is_deterministic(db):
    from dangjian.meetings.scale import TABLES

    first = seed().counts
    assert {label for _, _, label in TABLES} <= set(first)
    assert first["会议"] == Meeting.objects.unrestricted().count()
    assert first["参会记录"] == Attendance.objects.unrestricted().count()


def test_the_heat_map_cells_are_there(small):
    from dangjian.meetings.models import ComplianceCell

    branches = Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).count()
    month = clock.today().replace(day=1)
    assert ComplianceCell.objects.filter(month=month, activity="").count() == branches > 0
