"""The panels of 党员之声 on the home page (core.home): each part adds its own in its section."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import inquiries

# ── proposals

# ── commitments

# ── inquiries

#: After study's member panel (36): a member's own work.
INQUIRY_ORDER = 37


@home_panel
def inquiry_panel(user) -> Panel | None:
    """首问负责: what I hold (open, overdue) and the way to record a request — for anyone with a Member record; for
    staff also the overdue items held in their scope. Two or three queries."""
    if not user.is_authenticated:
        return None
    staff = user.can(Capability.CHANGE)
    if not staff and inquiries.own_member(user) is None:
        return None
    figures = inquiries.held_figures(user)
    context = {
        **figures,
        "staff": staff,
        "scope_overdue": inquiries.overdue_in_scope_count(user) if staff else 0,
        "mine_url": reverse("voice:my_inquiries"),
        "create_url": reverse("voice:inquiry_create"),
        "overdue_url": f"{reverse('voice:inquiries')}?overdue=1",
    }
    return Panel("voice/inquiry_home.html", context, order=INQUIRY_ORDER)


# ── surveys

# ── consultations
