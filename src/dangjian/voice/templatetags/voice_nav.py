"""The voice module's tabs above its pages (each part adds its own)."""

from django import template

from dangjian.core.shell import Tab, subnav  # noqa: F401  (Tab: each part adds its tabs below)

register = template.Library()

TABS = (
    # ── proposals
    # ── commitments
    Tab("commitments", "承诺践诺", "voice:commitments"),
    Tab("org_commitment", "组织承诺", "voice:org_commitment"),
    Tab("my_commitment", "我的承诺", "voice:my_commitment", needs_view=False),
    Tab("promises", "服务承诺", "voice:promises"),
    Tab("promises_public", "服务承诺公开", "voice:promises_public", needs_view=False),
    # ── inquiries
    # ── surveys
    # ── consultations
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def voice_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "党员之声", "voice-subnav")
