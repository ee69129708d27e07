"""The study module's tabs above its pages."""

from django import template

from dangjian.core.shell import Tab, subnav

register = template.Library()

TABS = (
    Tab("progress", "学时进度", "study:progress"),
    Tab("members", "党员学时", "study:members"),
    Tab("sessions", "学习场次", "study:sessions"),
    Tab("central", "中心组学习", "study:central"),
    Tab("plan", "培训计划", "study:plan"),
    Tab("reports", "自学认定", "study:reports"),
    Tab("mine", "我的学时", "study:mine", needs_view=False),
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def study_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "学习培训", "study-subnav")
