"""The panels of 党员之声 on the home page (core.home): each part adds its own in its section."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

# ── proposals: a member's own proposals (and the way to submit one); for reviewers and handlers what waits

#: After study's member panel (36); staff after study's (49).
PROPOSAL_MEMBER_ORDER = 37
PROPOSAL_STAFF_ORDER = 50


@home_panel
def member_proposal_panel(user) -> Panel | None:
    from . import proposals

    if not user.is_authenticated or getattr(user, "member", None) is None:
        return None
    rows = list(proposals.own_proposals(user)[:3])
    context = {
        "rows": rows,
        "to_rate": proposals.waiting_rating(user).count(),
        "url": reverse("voice:my_proposals"),
        "public_url": reverse("voice:proposals_public"),
    }
    return Panel("voice/proposal_home_member.html", context, order=PROPOSAL_MEMBER_ORDER)


@home_panel
def staff_proposal_panel(user) -> Panel | None:
    from . import proposals

    if not user.is_authenticated or not user.can(Capability.CHANGE):
        return None
    url = reverse("voice:proposals")
    context = {
        "review": proposals.waiting_review(user).count(),
        "overdue": proposals.overdue_handled(user).count(),
        "handling": proposals.handled_by(user).count(),
        "review_url": f"{url}?state=submitted",
        "overdue_url": f"{url}?overdue=1",
        "handling_url": f"{url}?state=assigned&sort=deadline",
        "stats_url": reverse("voice:proposal_stats"),
    }
    return Panel("voice/proposal_home_staff.html", context, order=PROPOSAL_STAFF_ORDER)


# ── commitments

# ── inquiries

# ── surveys

# ── consultations
