"""Date arithmetic in whole years (ages, 党龄)."""

from datetime import date


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birth: date, day: date) -> int:
    """Completed years between `birth` and `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def latest_birth_for_age(age: int, today: date) -> date:
    """People born on or before this day are at least `age` years old on `today`."""
    return years_before(today, age)


def earliest_birth_after_age(age: int, today: date) -> date:
    """People born after this day are at most `age` years old on `today`."""
    return years_before(today, age + 1)


def format_cn_date(day: date) -> str:
    """2026年11月29日 — the form Chinese documents use (no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"
