"""A meeting of branch A going on now, for the sign-in tests."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from dangjian.meetings.choices import Activity
from dangjian.meetings.services import create_meeting


def meeting_at(world, clock, *, start=time(14), hours=2, org=None, activities=(Activity.THEME_DAY,), **kwargs):
    """A theme day today from `start` for `hours`, planned by the secretary (branch A invites member_a and
    member_a2); the clock set to five minutes after its start."""
    day = clock.today()
    starts_at = timezone.make_aware(datetime.combine(day, start))
    clock.set(day, (datetime.combine(day, start) + timedelta(minutes=5)).time())
    return create_meeting(
        by=world.admin,
        org=org or world.branch_a,
        activities=list(activities),
        topic="学习贯彻主题党日",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place="三楼会议室",
        **kwargs,
    )
