"""meetings.flags: each kind of flag, the six-month rule both ways (DOMAIN.md §2), the refresh replacing them all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.meetings.choices import AbsenceReason, Activity, MeetingStatus, Presence, ReviewState
from dangjian.meetings.flags import (
    REMIND_FROM_DAY,
    absence_window,
    due_activities,
    is_absent_six_months,
    is_low_attendance,
    month_start,
    refresh_flags,
)
from dangjian.meetings.models import Flag, Meeting
from dangjian.members.choices import Category, Status
from dangjian.members.tests.factories import MemberFactory

from .helpers import local, mark, meeting

pytestmark = pytest.mark.django_db


def kinds(**filters) -> set:
    return set(Flag.objects.unrestricted().filter(**filters).values_list("kind", "org_id", "member_id", "meeting_id"))


# --- the rules as plain functions (the oracle) ---


def test_the_window_is_the_six_full_months_before_this_month():
    from datetime import date

    assert absence_window(date(2027, 1, 1)) == (date(2026, 7, 1), date(2027, 1, 1))
    assert absence_window(date(2028, 2, 29)) == (date(2027, 8, 1), date(2028, 2, 1))
    assert absence_window(date(2026, 12, 31)) == (date(2026, 6, 1), date(2026, 12, 1))
    assert month_start(date(2027, 1, 15), -1) == date(2027, 2, 1)


def test_domain_rule_six_consecutive_months_without_organisational_life():
    """DOMAIN.md §2, 党章第九条: "a member who without good reason for 6 consecutive months attends no organisational
    life ... is regarded as having left the Party; the system flags candidates, people decide"."""
    from datetime import date

    today = date(2027, 1, 15)
    fourth_month = date(2026, 10, 12)  # window July–December 2026: October is its fourth month
    assert is_absent_six_months(today=today, joined_on=date(2000, 7, 1), active=True, attended_on=[])
    assert not is_absent_six_months(today=today, joined_on=date(2000, 7, 1), active=True, attended_on=[fourth_month])
    # Attending this month or before the window does not count; joining inside the window or leaving the register is
    # no case.
    assert is_absent_six_months(
        today=today, joined_on=date(2000, 7, 1), active=True, attended_on=[date(2027, 1, 3), date(2026, 6, 30)]
    )
    assert not is_absent_six_months(today=today, joined_on=date(2026, 8, 1), active=True, attended_on=[])
    assert not is_absent_six_months(today=today, joined_on=date(2000, 7, 1), active=False, attended_on=[])


def test_low_attendance_is_below_two_thirds():
    assert is_low_attendance(1, 2)
    assert not is_low_attendance(2, 3)
    assert is_low_attendance(3, 5)
    assert not is_low_attendance(0, 0)


def test_due_only_from_the_20th():
    from datetime import date

    args = {"has_committee": True, "committee_held": False, "theme_day_held": False}
    assert due_activities(today=date(2027, 1, REMIND_FROM_DAY - 1), **args) == []
    assert due_activities(today=date(2027, 1, REMIND_FROM_DAY), **args) == [Activity.COMMITTEE, Activity.THEME_DAY]
    assert due_activities(today=date(2027, 1, 31), **args | {"has_committee": False}) == [Activity.THEME_DAY]


# --- the set-based computation, against the database ---


def test_a_member_absent_six_months_is_flagged_one_present_in_the_fourth_month_is_not(world, clock):
    """DOMAIN.md §2 (党章第九条): six consecutive months with no organisational life is flagged for people to review."""
    first, _ = absence_window(clock.today())
    fourth = local(month_start(first, -3) + timedelta(days=9))
    held = meeting(world, on=fourth, held=True)
    mark(held, world.member_a)  # attended in the window's fourth month
    mark(held, world.member_a2, Presence.ABSENT, AbsenceReason.SICK)  # 病假 still counts as not attending
    newcomer = MemberFactory(
        name="赵新人",
        org=world.branch_a,
        category=Category.PROBATIONARY,
        joined_on=first + timedelta(days=3),
        full_member_on=None,
    )
    gone = MemberFactory(name="钱离开", org=world.branch_a, status=Status.TRANSFERRED_OUT)
    result = refresh_flags()
    absent = set(
        Flag.objects.unrestricted().filter(kind=Flag.Kind.ABSENT_SIX_MONTHS).values_list("member_id", flat=True)
    )
    assert world.member_a2.pk in absent and world.member_b.pk in absent
    assert world.member_a.pk not in absent
    assert newcomer.pk not in absent and gone.pk not in absent
    assert result.counts[Flag.Kind.ABSENT_SIX_MONTHS] == len(absent)
    assert world.member_b.status == Status.ACTIVE  # a flag, never a status change


def test_attendance_outside_the_window_or_at_a_planned_meeting_does_not_count(world, clock):
    first, end = absence_window(clock.today())
    before = meeting(world, on=local(first - timedelta(days=5)), held=True)
    mark(before, world.member_a)
    planned = meeting(world, on=local(first + timedelta(days=40)))
    mark(planned, world.member_a2)
    refresh_flags()
    absent = set(
        Flag.objects.unrestricted().filter(kind=Flag.Kind.ABSENT_SIX_MONTHS).values_list("member_id", flat=True)
    )
    assert {world.member_a.pk, world.member_a2.pk} <= absent


def test_due_from_the_20th_committee_and_theme_day_an_ancestors_theme_day_counts(world, clock):
    today = clock.set(clock.today().replace(day=REMIND_FROM_DAY))
    meeting(world, org=world.general, on=local(today.replace(day=1)), held=True)  # 党总支's 主题党日: for branch A
    meeting(world, org=world.branch_b, on=local(today.replace(day=2)), held=True, activities=[Activity.COMMITTEE])
    refresh_flags()
    due = set(Flag.objects.unrestricted().filter(kind=Flag.Kind.DUE).values_list("org_id", "message"))
    assert due == {
        (world.branch_a.pk, "办公室党支部：本月支部委员会会议尚未召开"),
        (world.branch_b.pk, "财务处党支部：本月主题党日尚未召开"),
    }


def test_no_due_before_the_20th(world, clock):
    clock.set(clock.today().replace(day=REMIND_FROM_DAY - 1))
    refresh_flags()
    assert not Flag.objects.unrestricted().filter(kind=Flag.Kind.DUE).exists()


def test_overdue_returned_and_low_attendance(world, clock):
    now = timezone.now()
    overdue = meeting(world, on=now - timedelta(days=3))
    recent = meeting(world, on=now - timedelta(hours=13))  # ended 12 hours ago: not yet overdue
    returned = meeting(world, on=now - timedelta(days=2), held=True)
    Meeting.objects.unrestricted().filter(pk=returned.pk).update(review_state=ReviewState.RETURNED)
    low = meeting(world, on=now - timedelta(days=20), held=True)
    mark(low, world.member_a)  # 1 of 2
    full = meeting(world, on=now - timedelta(days=20), held=True)
    mark(full, world.member_a)
    mark(full, world.member_a2)
    old = meeting(world, on=local(month_start(clock.today(), 4)), held=True)  # before the last three months
    refresh_flags()
    assert kinds(kind=Flag.Kind.OVERDUE) == {(Flag.Kind.OVERDUE, world.branch_a.pk, None, overdue.pk)}
    assert kinds(kind=Flag.Kind.RETURNED) == {(Flag.Kind.RETURNED, world.branch_a.pk, None, returned.pk)}
    low_flags = Flag.objects.unrestricted().filter(kind=Flag.Kind.LOW_ATTENDANCE)
    low_ids = set(low_flags.values_list("meeting_id", flat=True))
    assert low.pk in low_ids and returned.pk in low_ids  # nobody marked present at the returned one
    assert full.pk not in low_ids and old.pk not in low_ids and recent.pk not in low_ids
    message = Flag.objects.unrestricted().get(kind=Flag.Kind.LOW_ATTENDANCE, meeting=low).message
    assert "实到1人/应到2人" in message
    assert Flag.objects.unrestricted().get(meeting=overdue).level == "danger"


def test_refresh_replaces_every_flag(world, clock):
    now = timezone.now()
    overdue = meeting(world, on=now - timedelta(days=3))
    stale = Flag.objects.create(
        org=world.branch_b, kind=Flag.Kind.RETURNED, message="过时的提醒", computed_at=now - timedelta(days=2)
    )
    first = refresh_flags()
    assert not Flag.objects.unrestricted().filter(pk=stale.pk).exists()
    assert Flag.objects.unrestricted().filter(meeting=overdue, kind=Flag.Kind.OVERDUE).exists()
    Meeting.objects.unrestricted().filter(pk=overdue.pk).update(status=MeetingStatus.CANCELLED)
    second = refresh_flags()
    assert not Flag.objects.unrestricted().filter(meeting=overdue).exists()
    assert Flag.objects.unrestricted().count() == second.total == first.total - 1


def test_the_periodic_task_runs_the_refresh(world, clock):
    from dangjian.meetings import tasks

    meeting(world, on=timezone.now() - timedelta(days=3))
    tasks.refresh_flags.call_local()
    assert Flag.objects.unrestricted().filter(kind=Flag.Kind.OVERDUE).count() == 1
