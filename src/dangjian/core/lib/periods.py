"""Periods of months and years as Chinese law counts them (DOMAIN.md "Periods"). Pure, no Django.

《中华人民共和国民法典》
- 第二百零一条: "按照年、月、日、小时计算期间的，开始的当日不计入，自下一日开始计算。"
- 第二百零二条: "按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。"
- 第一千二百五十九条: "民法所称的'以上'、'以下'、'以内'、'届满'，包括本数；所称的'不满'、'超过'、'以外'，不包括本数。"

So a period of N months that starts with an event on day S runs from S + 1 day to its last day, `period_end(S, N)`:
the day of S in the month N months later, or that month's last day when it has none (31 January + 1 month →
29 February in a leap year; 29 February 2024 + 1 year → 28 February 2025).

Our reading of the durations (DOMAIN.md does not say it in these words; the lead may ask the organ):
- "at least N months/years after S" (经过一年以上, 以上 includes the number): the period is complete (届满) at the end
  of its last day, and the step that needs it may be recorded ON that last day — the day the period ends is the first
  day allowed (积极分子 on 2024-03-10 → 发展对象 from 2025-03-10; 2025-03-09 is refused). This is the usual practice
  of the organisation departments (预备期满之日 is the 转正 date: accepted 2024-07-01 → 转正 2025-07-01).
- "within N months of S" (以内 includes the number): a step on the period's last day is in time; the day after is late.
Both are the single comparison `on >= period_end(S, N)` / `on <= period_end(S, N)`, see `elapsed` and `within`.
"""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` later (or earlier, when negative); the month's last day where there is none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int = 0, years: int = 0) -> date:
    """The last day of a period of `years` years and `months` months that starts with an event on `start` (the start
    day not counted: 民法典 第二百零一条, 第二百零二条). A period is counted in whole months from `start` in one go
    (1 year 6 months = 18 months), not month by month, so a month end does not drift."""
    if months < 0 or years < 0:
        raise ValueError("期间不能为负")
    return add_months(start, years * 12 + months)


def elapsed(start: date, end: date, months: int = 0, years: int = 0) -> bool:
    """Whether a step on `end` comes at least the period after `start` ("…以上": on the period's last day or later)."""
    return end >= period_end(start, months=months, years=years)


def within(start: date, end: date, months: int = 0, years: int = 0) -> bool:
    """Whether a step on `end` comes within the period after `start` ("…以内": on its last day at the latest)."""
    return end <= period_end(start, months=months, years=years)
