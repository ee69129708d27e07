"""The module's own tabs above its lists: each page of 组织生活 one tap from the others, for whom it opens."""

from django import template

from dangjian.core.shell import Tab, subnav

register = template.Library()

#: The calendar and talks are everyone's (a member's own).
TABS = (
    Tab("list", "会议记录", "meetings:list"),
    Tab("compliance", "落实情况", "meetings:compliance"),
    Tab("calendar", "会议日历", "meetings:calendar", needs_view=False),
    Tab("talks", "谈心谈话", "meetings:talk_list", needs_view=False),
    Tab("flags", "提醒名单", "meetings:flags"),
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def meetings_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "组织生活", "meetings-subnav")
