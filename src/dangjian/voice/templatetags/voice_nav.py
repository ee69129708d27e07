"""The voice module's tabs above its pages (each part adds its own)."""

from django import template

from dangjian.core.shell import Tab, subnav  # noqa: F401  (Tab: each part adds its tabs below)

register = template.Library()

TABS = (
    # ── proposals
    # ── commitments
    # ── inquiries
    # ── surveys
    Tab("surveys", "问卷调查", "voice:surveys"),
    Tab("my_surveys", "待填问卷", "voice:my_surveys", needs_view=False),
    # ── consultations
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def voice_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "党员之声", "voice-subnav")
