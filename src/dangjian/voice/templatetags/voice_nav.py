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
    Tab("commitments", "承诺践诺", "voice:commitments"),
    Tab("org_commitment", "组织承诺", "voice:org_commitment"),
    Tab("my_commitment", "我的承诺", "voice:my_commitment", needs_view=False),
    Tab("promises", "服务承诺", "voice:promises"),
    Tab("promises_public", "服务承诺公开", "voice:promises_public", needs_view=False),
    # ── inquiries
    Tab("inquiries", "首问负责", "voice:inquiries"),
    Tab("inquiry_stats", "首问统计", "voice:inquiry_stats"),
    Tab("my_inquiries", "我经办的", "voice:my_inquiries", needs_view=False),
    # ── surveys
    Tab("surveys", "问卷调查", "voice:surveys"),
    Tab("my_surveys", "待填问卷", "voice:my_surveys", needs_view=False),
    # ── consultations
    Tab("consultations", "座谈交流", "voice:consultations"),
    Tab("problems", "问题清单", "voice:problems", needs_view=False),
    Tab("problem_summary", "整改情况", "voice:problem_summary"),
)


@register.inclusion_tag("core/subnav.html", takes_context=True)
def voice_subnav(context, current: str) -> dict:
    return subnav(context["request"].user, TABS, current, "党员之声", "voice-subnav")
