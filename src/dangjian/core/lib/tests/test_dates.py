"""Ages in completed years, and the birth-date bounds the roster's age filter turns ages into."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.lib.dates import age_on, earliest_birth_after_age, latest_birth_for_age, years_before


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2020, 6, 14), 29),  # the day before the birthday
        (date(2020, 6, 15), 30),  # the birthday
        (date(2020, 6, 16), 30),
        (date(2020, 12, 31), 30),
        (date(2021, 1, 1), 30),
        (date(1990, 6, 15), 0),  # the day of birth
    ],
)
def test_age_on_counts_completed_years_across_the_birthday(day, age):
    assert age_on(date(1990, 6, 15), day) == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2018, 2, 28), 17),  # no 29 February in 2018: still 17 on the 28th …
        (date(2018, 3, 1), 18),  # … and 18 from 1 March
        (date(2020, 2, 28), 19),
        (date(2020, 2, 29), 20),  # a leap year has the birthday itself
    ],
)
def test_age_on_for_someone_born_on_29_february(day, age):
    assert age_on(date(2000, 2, 29), day) == age


def test_years_before_moves_29_february_to_28_february_in_a_common_year():
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)
    assert years_before(date(2024, 3, 1), 18) == date(2006, 3, 1)


days = st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 12, 31))
ages = st.integers(min_value=0, max_value=100)


@given(birth=days, today=days, age=ages)
def test_latest_birth_for_age_agrees_with_age_on(birth, today, age):
    assert (birth <= latest_birth_for_age(age, today)) == (age_on(birth, today) >= age)


@given(birth=days, today=days, age=ages)
def test_earliest_birth_after_age_agrees_with_age_on(birth, today, age):
    assert (birth > earliest_birth_after_age(age, today)) == (age_on(birth, today) <= age)


@pytest.mark.parametrize("today", [date(2024, 2, 29), date(2023, 2, 28), date(2023, 3, 1)])
@pytest.mark.parametrize("birth", [date(2006, 2, 28), date(2006, 3, 1), date(2004, 2, 29), date(2005, 2, 28)])
def test_the_bounds_around_29_february(today, birth):
    assert (birth <= latest_birth_for_age(18, today)) == (age_on(birth, today) >= 18)
    assert (birth > earliest_birth_after_age(18, today)) == (age_on(birth, today) <= 18)
