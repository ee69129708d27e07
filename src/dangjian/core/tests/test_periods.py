"""民法典 第二百零一条、第二百零二条: the start day not counted; the corresponding day, or the month's last day."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core.lib.periods import add_months, elapsed, period_end, within


@pytest.mark.parametrize(
    ("start", "months", "years", "end"),
    [
        (date(2024, 3, 10), 0, 1, date(2025, 3, 10)),  # the corresponding day
        (date(2024, 1, 31), 1, 0, date(2024, 2, 29)),  # no 31 February: the month's last day (leap year)
        (date(2025, 1, 31), 1, 0, date(2025, 2, 28)),
        (date(2024, 2, 29), 0, 1, date(2025, 2, 28)),  # no 29 February 2025
        (date(2024, 2, 29), 0, 4, date(2028, 2, 29)),
        (date(2024, 8, 31), 1, 0, date(2024, 9, 30)),
        (date(2024, 8, 31), 6, 0, date(2025, 2, 28)),  # counted in one go, not month by month
        (date(2024, 12, 15), 1, 0, date(2025, 1, 15)),  # across the year
        (date(2024, 3, 31), 3, 0, date(2024, 6, 30)),
        (date(2024, 7, 1), 6, 1, date(2026, 1, 1)),
    ],
)
def test_a_period_ends_on_the_corresponding_day_or_the_months_last(start, months, years, end):
    assert period_end(start, months=months, years=years) == end


def test_a_negative_period_is_refused():
    with pytest.raises(ValueError):
        period_end(date(2024, 1, 1), months=-1)


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2024, 3, 10), 12, date(2025, 3, 10)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
    ],
)
def test_at_least_and_within_turn_on_the_periods_last_day(start, months, last_day):
    before, after = last_day - timedelta(days=1), last_day + timedelta(days=1)
    assert (elapsed(start, before, months), elapsed(start, last_day, months), elapsed(start, after, months)) == (
        False,
        True,
        True,
    )
    assert (within(start, before, months), within(start, last_day, months), within(start, after, months)) == (
        True,
        True,
        False,
    )


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=0, max_value=60))
def test_add_months_agrees_with_dateutil(start, months):
    """dateutil's relativedelta clamps to the month's last day too: an independent oracle."""
    assert add_months(start, months) == start + relativedelta(months=months)
