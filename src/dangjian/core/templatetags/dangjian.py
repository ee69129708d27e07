from datetime import date, datetime

from django import template
from django.utils import timezone

from dangjian.core.lib.dates import format_cn_date

register = template.Library()


@register.filter
def cn_date(value) -> str:
    """2026年11月29日 — the date form Chinese documents use."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_cn_date(value)} {value:%H:%M}"
    if isinstance(value, date):
        return format_cn_date(value)
    return str(value)
