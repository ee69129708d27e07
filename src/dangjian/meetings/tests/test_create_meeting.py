"""create_meeting: activities, default invitees, held meetings, scope."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.meetings.choices import Activity, MeetingStatus
from dangjian.meetings.models import Attendance, Meeting, MeetingActivity
from dangjian.meetings.services import ERR_GROUP_MEETING, ERR_HELD_IN_FUTURE, create_meeting

pytestmark = pytest.mark.django_db
CN = ZoneInfo("Asia/Shanghai")


def at(day, hour=14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CN)


def plan(world, by, **kwargs):
    day = kwargs.pop("day")
    values = {
        "org": world.branch_a,
        "activities": [Activity.THEME_DAY],
        "topic": "学习党章",
        "starts_at": at(day),
        "ends_at": at(day, 16),
    }
    return create_meeting(by=by, **(values | kwargs))


def test_a_combined_meeting_counts_once_per_activity_and_invites_the_branch(world, clock):
    day = clock.today() - timedelta(days=1)
    meeting = plan(world, world.secretary_a, day=day, activities=[Activity.THEME_DAY, Activity.LECTURE], held=True)
    rows = MeetingActivity.objects.unrestricted().filter(meeting=meeting)
    assert sorted(rows.values_list("activity", flat=True)) == [Activity.LECTURE, Activity.THEME_DAY]
    assert {(r.org_id, r.held_on, r.held) for r in rows} == {(world.branch_a.pk, day, True)}
    invited = Attendance.objects.unrestricted().filter(meeting=meeting)
    assert set(invited.values_list("member_id", "org_id")) == {
        (world.member_a.pk, world.branch_a.pk),
        (world.member_a2.pk, world.branch_a.pk),
    }
    assert meeting.status == MeetingStatus.HELD and not meeting.backfilled


def test_a_committee_meeting_invites_the_current_seats_and_a_late_record_is_backfilled(world, clock):
    day = clock.today() - timedelta(days=8)
    meeting = plan(world, world.secretary_a, day=day, activities=[Activity.COMMITTEE], held=True)
    invited = Attendance.objects.unrestricted().filter(meeting=meeting)
    assert list(invited.values_list("member_id", flat=True)) == [world.member_a2.pk]
    assert meeting.backfilled


def test_a_general_branchs_assembly_invites_its_branches_members(world, clock):
    meeting = plan(world, world.admin, day=clock.today(), org=world.general, activities=[Activity.ASSEMBLY])
    invited = set(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member_id", flat=True))
    assert invited == {world.member_a.pk, world.member_a2.pk}


def test_refusals(world, clock):
    tomorrow = clock.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        plan(world, world.secretary_a, day=tomorrow, held=True)
    assert error.value.message_dict["starts_at"] == [ERR_HELD_IN_FUTURE]
    with pytest.raises(ValidationError) as error:
        plan(world, world.secretary_a, day=tomorrow, activities=[Activity.GROUP])
    assert error.value.message_dict["activities"] == [ERR_GROUP_MEETING]
    with pytest.raises(PermissionDenied):
        plan(world, world.secretary_b, day=tomorrow)


def test_each_reader_sees_a_meeting_once(world, clock):
    meeting = plan(world, world.secretary_a, day=clock.today())
    for user in (world.admin, world.secretary_a, world.member_user_a):
        assert list(Meeting.objects.visible_to(user)) == [meeting]
    assert list(Meeting.objects.visible_to(world.secretary_b)) == []
