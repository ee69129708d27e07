"""The study rules over plain values (DOMAIN.md §6), table-driven, quoting the regulation."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.study import rules

YEAR = 2026


@pytest.mark.parametrize(
    ("seats", "hours"),
    [
        ([], 32),  # 党员每年……不少于32学时
        ([(date(2026, 7, 1), None)], 56),  # became secretary in July: 56 for that year
        ([(date(2020, 1, 1), date(2026, 1, 1))], 56),  # left on 1 January: held a seat that day
        ([(date(2020, 1, 1), date(2025, 12, 31))], 32),  # left the day before the year
        ([(date(2027, 1, 1), None)], 32),  # a seat from next year
        ([(date(2026, 12, 31), None)], 56),  # from the last day of the year
    ],
)
def test_the_requirement_follows_a_seat_on_any_day_of_the_year(seats, hours):
    found = rules.requirement(YEAR, seats)
    assert found.hours == hours and found.leader == (hours == 56)
    assert found.rule.endswith(f"{rules.REGULATION}）") and str(hours) in found.rule


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 1, 31), Decimal(0)),  # nothing is expected in January
        (date(2026, 4, 1), Decimal(8)),  # three months of nine: a third of 24
        (date(2026, 9, 30), Decimal(192) / 9),  # eight months of nine
        (date(2026, 10, 1), Decimal(24)),  # under 75% of the yearly requirement by October
        (date(2026, 12, 31), Decimal(24)),
    ],
)
def test_pace_by_the_month(on, expected):
    assert rules.expected_by(Decimal(32), on) == expected


def test_behind_pace_is_under_what_the_day_calls_for():
    assert rules.behind(Decimal("23.9"), Decimal(32), date(2026, 10, 1))
    assert not rules.behind(Decimal(24), Decimal(32), date(2026, 10, 1))
    assert rules.behind(Decimal(41), Decimal(56), date(2026, 10, 1))  # a secretary: 75% of 56 is 42
    assert not rules.behind(Decimal(0), Decimal(56), date(2026, 1, 15))


@pytest.mark.parametrize(
    ("hours", "on", "errors"),
    [
        (Decimal("0"), date(2026, 5, 1), [rules.ERR_HOURS_POSITIVE]),
        (Decimal("-1"), date(2026, 5, 1), [rules.ERR_HOURS_POSITIVE]),
        (Decimal("0.1"), date(2026, 5, 1), []),
        (Decimal("24"), date(2026, 5, 1), []),
        (Decimal("24.1"), date(2026, 5, 1), [rules.ERR_HOURS_DAY]),
        (Decimal("1.25"), date(2026, 5, 1), [rules.ERR_HOURS_STEP]),
        (Decimal("2"), date(2026, 5, 2), [rules.ERR_FUTURE]),  # tomorrow
    ],
)
def test_an_entry_of_hours_is_bounded(hours, on, errors):
    assert list(rules.hours_errors(hours, on, today=date(2026, 5, 1))) == errors
