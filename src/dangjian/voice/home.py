"""Panels of the home page (core.home) of 党员之声: each part adds its panels in its section."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations

#: After study's member panel (36).
PROBLEMS_MEMBER_ORDER = 37


@home_panel
def my_problems_panel(user) -> Panel | None:
    """The problems the user owns and has not finished (a member's way to 问题清单)."""
    from . import problems
    from .choices import ProblemState

    if not user.is_authenticated:
        return None
    rows = problems.with_overdue(problems.Problem.objects.visible_to(user).filter(owner__user=user))
    rows = list(rows.exclude(state=ProblemState.DONE).select_related("org").order_by("deadline", "id")[:5])
    if not rows:
        return None
    return Panel(
        "voice/problem_home.html", {"rows": rows, "url": reverse("voice:problems")}, order=PROBLEMS_MEMBER_ORDER
    )
