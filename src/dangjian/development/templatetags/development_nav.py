"""The development module's tabs above its pages."""

from django import template

from dangjian.core.shell import Tab, subnav

register = template.Library()

TABS = (
    Tab("list", "发展对象", "development:list"),
    Tab("funnel", "发展进度", "development:funnel"),
    Tab("due", "待办步骤", "development:due"),
    Tab("probation", "预备党员转正", "development:probation"),
    Tab("cases", "不合格党员处置", "development:cases"),
    Tab("stats", "年度统计", "development:stats"),
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def development_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "发展党员", "development-subnav")
