from django import template

from dangjian.fees.rules import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Whole fen as yuan with two decimals: 12345 → 123.45 (empty for None)."""
    return "" if fen is None else _yuan(int(fen))
