"""Validators every module shares. A date that records a fact (a birth, a joining, an election, a transfer) is never
in the future: the one rule and the one message, used by model clean(), services and form fields alike."""

from datetime import date

from django.core.exceptions import ValidationError

from . import clock
from .lib.dates import format_cn_date

ERR_FUTURE = "不能晚于今天（{today}）"


def future_message(today: date | None = None) -> str:
    """不能晚于今天（2026年3月1日）: the day named, so that a user whose computer shows another date sees why."""
    return ERR_FUTURE.format(today=format_cn_date(today or clock.today()))


def not_in_future(value: date | None) -> None:
    """Field validator: refuses a date after today (core.clock)."""
    if value is not None and value > clock.today():
        raise ValidationError(future_message(), code="future")


def future_errors(today: date | None = None, **days: date | None) -> dict[str, list[str]]:
    """{field: [message]} for each of `days` (field name → date) after today; empty when none is."""
    today = today or clock.today()
    return {field: [future_message(today)] for field, day in days.items() if day is not None and day > today}


def check_not_future(**days: date | None) -> None:
    """Raise a ValidationError keyed by field for every date after today (a service's check before it writes)."""
    errors = future_errors(**days)
    if errors:
        raise ValidationError(errors)
