"""Meetings for tests, made through the service (the rows it writes are the ones the pages read)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from dangjian.core import clock
from dangjian.meetings.choices import Activity
from dangjian.meetings.services import create_meeting, record_meeting, submit_for_review


def at(day, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def meeting_of(org, by, *, days_ago: int = 1, held: bool = False, activities=(Activity.THEME_DAY,), **kwargs):
    """A meeting of `org` planned (or held) `days_ago` days before today (negative: ahead), 14:00 to 16:00."""
    day = clock.today() - timedelta(days=days_ago)
    values = {"topic": "学习党章", "starts_at": at(day), "ends_at": at(day, 16)} | kwargs
    return create_meeting(by=by, org=org, activities=list(activities), held=held, **values)


def submitted_meeting(org, by):
    """A held meeting of `org` with minutes, submitted to the level above."""
    meeting = meeting_of(org, by, held=True)
    meeting = record_meeting(by=by, meeting=meeting, minutes="学习了党章。")
    return submit_for_review(by=by, meeting=meeting)
