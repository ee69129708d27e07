"""学习培训 as DOMAIN.md §6 states it: the yearly 学时 a member owes, who is behind pace, and what an entry of hours
may be — pure functions over plain values (no ORM). Every number lives here with its source.

Source: 《中国共产党党员教育管理工作条例》(2019, 教育管理条例) 第十条(?): 党员每年集中学习培训时间一般不少于32学时；
基层党组织书记和班子成员每年集中学习培训时间一般不少于56学时."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

REGULATION = "《中国共产党党员教育管理工作条例》"
#: 学时 a year: a member, and a branch secretary or committee member (教育管理条例 第十条(?); DOMAIN.md §6).
MEMBER_HOURS = Decimal(32)
LEADER_HOURS = Decimal(56)
RULE_MEMBER = f"党员每年集中学习培训时间一般不少于32学时（{REGULATION}）"
RULE_LEADER = f"基层党组织书记和班子成员每年集中学习培训时间一般不少于56学时（{REGULATION}）"

#: Behind pace (issue 15's example): under 75% of the year's requirement by October; before then the same share of
#: what the months gone by call for (three quarters of the requirement over the nine months January–September).
PACE_SHARE = Decimal("0.75")
PACE_MONTHS = 9
#: Behind pace is reminded of from this month on (our reading, not DOMAIN.md's): before April the line is a few 学时
#: at most, and a reminder about them would be noise.
REMIND_FROM_MONTH = 4
#: One entry of hours: more than 0, at most a day's 24, in tenths (学时 are reported to one decimal).
DAY_MAX_HOURS = Decimal(24)
HOURS_STEP = Decimal("0.1")

ERR_HOURS_POSITIVE = "学时须大于0"
ERR_HOURS_DAY = "一天的学时不能超过24"
ERR_HOURS_STEP = "学时最多保留一位小数"
ERR_FUTURE = "学习日期不能晚于今天"


@dataclass(frozen=True)
class Requirement:
    hours: Decimal
    rule: str  # the rule in Chinese, with its source
    leader: bool


def requirement(year: int, seats: Iterable[tuple[date, date | None]]) -> Requirement:
    """The 学时 a member owes for `year`: 56 if they held a seat on a branch (or higher) committee — 书记 or 委员 — on
    any day of the year (a member who became secretary in July owes 56 for that year), else 32. `seats`: (start,
    end or None while held). DOMAIN.md does not say how a year with a seat for part of it counts: this is our reading
    (the higher requirement, not a share by months); please confirm."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    leader = any(start <= last and (end is None or end >= first) for start, end in seats)
    return Requirement(LEADER_HOURS, RULE_LEADER, True) if leader else Requirement(MEMBER_HOURS, RULE_MEMBER, False)


def expected_by(required: Decimal, on: date) -> Decimal:
    """The 学时 a member should have by `on` to be on pace: PACE_SHARE of the requirement spread over the PACE_MONTHS
    first months, counted in whole months gone by (none in January); from October on, PACE_SHARE of it."""
    months_gone = on.month - 1
    return required * PACE_SHARE * min(months_gone, PACE_MONTHS) / PACE_MONTHS


def behind(hours: Decimal, required: Decimal, on: date) -> bool:
    return hours < expected_by(required, on)


def hours_errors(hours: Decimal, on: date, today: date) -> Sequence[str]:
    """Why an entry of `hours` on day `on` cannot be recorded (empty: it can)."""
    errors = []
    if hours <= 0:
        errors.append(ERR_HOURS_POSITIVE)
    elif hours > DAY_MAX_HOURS:
        errors.append(ERR_HOURS_DAY)
    if hours != hours.quantize(HOURS_STEP):
        errors.append(ERR_HOURS_STEP)
    if on > today:
        errors.append(ERR_FUTURE)
    return errors


def behind_line(required: Decimal, year: int, today: date) -> Decimal:
    """Below this a member of `year` is behind: the pace of `expected_by` in the running year; once the year is over,
    the requirement itself (a past year is met or not). A year not yet begun asks nothing."""
    if year < today.year:
        return required
    if year > today.year:
        return Decimal(0)
    return expected_by(required, today)
