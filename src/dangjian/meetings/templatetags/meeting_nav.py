"""The module's own tabs above its lists: each page of 组织生活 one tap from the others, for whom it opens."""

from django import template
from django.urls import reverse

from dangjian.core.roles import Capability

register = template.Library()

#: (key, label, URL name, needs VIEW somewhere): the calendar and talks are everyone's (a member's own).
TABS = (
    ("list", "会议记录", "meetings:list", True),
    ("compliance", "落实情况", "meetings:compliance", True),
    ("calendar", "会议日历", "meetings:calendar", False),
    ("talks", "谈心谈话", "meetings:talk_list", False),
    ("flags", "提醒名单", "meetings:flags", True),
)


@register.inclusion_tag("meetings/subnav.html", takes_context=True)
def meetings_subnav(context, current: str) -> dict:
    user = context["request"].user
    viewer = user.can(Capability.VIEW)
    tabs = [(key == current, label, reverse(name)) for key, label, name, needs_view in TABS if viewer or not needs_view]
    return {"tabs": tabs}
