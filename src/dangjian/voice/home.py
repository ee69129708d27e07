"""The panels of 党员之声 on the home page (core.home): each part adds its own in its section."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel

from . import inquiries

# ── proposals

# ── commitments

# ── inquiries

#: After study's member panel (36): a member's own work.
INQUIRY_ORDER = 37


@home_panel
def inquiry_panel(user) -> Panel | None:
    """首问负责: what I hold (open, overdue) and the way to record a request — for anyone with a Member record."""
    if not user.is_authenticated or inquiries.own_member(user) is None:
        return None
    figures = inquiries.held_figures(user)
    context = {
        **figures,
        "mine_url": reverse("voice:my_inquiries"),
        "create_url": reverse("voice:inquiry_create"),
    }
    return Panel("voice/inquiry_home.html", context, order=INQUIRY_ORDER)


# ── surveys

# ── consultations
