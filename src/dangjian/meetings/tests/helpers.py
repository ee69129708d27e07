"""Meetings for the workbench's tests, made through the service (create_meeting) as a secretary would."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from dangjian.meetings.choices import Activity, Presence
from dangjian.meetings.models import Attendance
from dangjian.meetings.services import create_meeting


def local(day: date, hour: int = 14, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def meeting(world, *, on: datetime, by=None, org=None, activities=(Activity.THEME_DAY,), held=False, topic="学习党章"):
    return create_meeting(
        by=by or world.admin,
        org=org or world.branch_a,
        activities=list(activities),
        topic=topic,
        starts_at=on,
        ends_at=on + timedelta(hours=1),
        held=held,
    )


def mark(meeting, member, presence=Presence.PRESENT, reason=""):
    # Test set-up of attendance (the recording pages are another lane's).
    Attendance.objects.unrestricted().filter(meeting=meeting, member=member).update(
        presence=presence, absence_reason=reason
    )
