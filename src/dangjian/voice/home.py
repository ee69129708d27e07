"""The 党员之声 panels of the home page (core.home): each part adds its panels in its section."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import commitments

# ── proposals

# ── commitments
#: After the study member panel (36).
COMMITMENT_MEMBER_ORDER = 37
#: After the study staff panel (49).
COMMITMENT_STAFF_ORDER = 50


@home_panel
def member_commitment_panel(user) -> Panel | None:
    """A member's own commitment of this year: its state and their way to 我的承诺 (they have no nav entry)."""
    if not user.is_authenticated or getattr(user, "member", None) is None:
        return None
    today = clock.today()
    own = commitments.own_commitment(user, today.year)
    context = {
        "year": today.year,
        "c": own,
        "due": commitments.due_phase(own, today) if own else None,
        "url": reverse("voice:my_commitment"),
    }
    return Panel("voice/commitment_home_member.html", context, order=COMMITMENT_MEMBER_ORDER)


@home_panel
def staff_commitment_panel(user) -> Panel | None:
    if not user.is_authenticated or not user.can(Capability.CHANGE):
        return None
    year = clock.today().year
    context = {
        "year": year,
        "uncommitted": commitments.uncommitted_count(user, year),
        "pending": commitments.pending_grade_count(user),
        "url": reverse("voice:commitments"),
    }
    return Panel("voice/commitment_home_staff.html", context, order=COMMITMENT_STAFF_ORDER)


# ── inquiries

# ── surveys

# ── consultations
