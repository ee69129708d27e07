"""The voice module's tabs above its pages (each part adds its own)."""

from django import template

from dangjian.core.shell import Tab, subnav  # noqa: F401  (Tab: each part adds its tabs below)

register = template.Library()

TABS = (
    # ── proposals
    Tab("proposals", "党员提案", "voice:proposals"),
    Tab("proposal_stats", "提案统计", "voice:proposal_stats"),
    Tab("proposals_public", "提案公开", "voice:proposals_public", needs_view=False),
    Tab("my_proposals", "我的提案", "voice:my_proposals", needs_view=False),
    # ── commitments
    # ── inquiries
    # ── surveys
    # ── consultations
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def voice_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "党员之声", "voice-subnav")
