"""The fees module's tabs above its pages."""

from django import template

from dangjian.core.shell import Tab, subnav

register = template.Library()

TABS = (
    Tab("ledger", "党费台账", "fees:ledger"),
    Tab("payments", "缴纳记录", "fees:payments"),
    Tab("bases", "党费基数", "fees:bases"),
    Tab("remit", "上缴", "fees:remit"),
    Tab("reconcile", "对账", "fees:reconcile"),
    Tab("report", "收缴报表", "fees:report"),
    Tab("mine", "我的党费", "fees:mine", needs_view=False),
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def fees_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "党费", "fees-subnav")
