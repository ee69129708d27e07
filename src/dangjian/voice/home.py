"""Panels of the home page (core.home) of 党员之声: each part adds its panels in its section."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import commitments, inquiries

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

#: Among the members' own panels (study's is 36).
SURVEY_ORDER = 37


@home_panel
def survey_panel(user) -> Panel | None:
    """A member's (or secretary's) way to 待填问卷: the surveys waiting for their answer; nothing when none."""
    from . import surveys

    if not user.is_authenticated:
        return None
    waiting = surveys.waiting_for(user)
    if not waiting:
        return None
    context = {"waiting": waiting[:5], "count": len(waiting), "url": reverse("voice:my_surveys")}
    return Panel("voice/survey_home.html", context, order=SURVEY_ORDER)
