"""The calendar of planned, held and cancelled meetings: one month, of the user's scope or of one org's subtree."""

import calendar as pycalendar
import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from dangjian.core import clock

from .flags import _aware, month_start
from .models import Meeting

ERR_MONTH = "月份格式应为“年-月”（如 2026-03），且在前后{years}年以内；已显示本月"
#: ?month= is accepted this many years either side of today.
MONTH_RANGE_YEARS = 10
#: At most this many meetings are shown in a month (a committee over thousands of branches: choose an org).
MAX_MEETINGS = 500
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)


def parse_month(value: str | None, today: date) -> tuple[date, str]:
    """(first day of the month asked for, error message); this month with the message when the value is bad."""
    if not value:
        return month_start(today), ""
    match = _MONTH.match(value.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and abs(year - today.year) <= MONTH_RANGE_YEARS:
            return date(year, month, 1), ""
    return month_start(today), ERR_MONTH.format(years=MONTH_RANGE_YEARS)


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    meetings: list = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return "一二三四五六日"[self.day.weekday()]


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    days_with_meetings: list[Day]
    count: int
    truncated: bool

    @property
    def previous(self) -> date:
        return month_start(self.first, 1)

    @property
    def next(self) -> date:
        return month_start(self.first, -1)


def month_meetings(meetings: QuerySet, first: date) -> list[Meeting]:
    """The meetings (an already restricted queryset) starting in the month of `first`: one query, at most
    MAX_MEETINGS + 1 rows (the one more says the month was cut)."""
    end = month_start(first, -1)
    return list(
        meetings.filter(starts_at__gte=_aware(first), starts_at__lt=_aware(end))
        .select_related("org")
        .order_by("starts_at", "id")[: MAX_MEETINGS + 1]
    )


def build_month(meetings: list[Meeting], first: date) -> Month:
    today = clock.today()
    truncated = len(meetings) > MAX_MEETINGS
    meetings = meetings[:MAX_MEETINGS]
    by_day: dict[date, list[Meeting]] = {}
    for m in meetings:
        by_day.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        inside = [d.month == first.month for d in week]
        weeks.append([Day(d, i, d == today, by_day.get(d, []) if i else []) for d, i in zip(week, inside, strict=True)])
    listed = [day for week in weeks for day in week if day.in_month and day.meetings]
    return Month(first=first, weeks=weeks, days_with_meetings=listed, count=len(meetings), truncated=truncated)
