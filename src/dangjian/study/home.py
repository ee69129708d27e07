"""The study panels of the home page (core.home): a member's own 学时 this year against their requirement and pace
(their way to 我的学时), and for a secretary or committee member their scope's members behind pace and the
self-reports waiting for their review. One or two queries each, whatever the scope."""

from decimal import Decimal

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import selectors

#: After the fees' member panel (35), before the meetings' workbench (40).
MEMBER_ORDER = 36
#: After the development panel (48).
STAFF_ORDER = 49


@home_panel
def member_study_panel(user) -> Panel | None:
    year = clock.today().year
    member = selectors.own_progress(user, year)
    if member is None:
        return None
    member_line, leader_line = selectors.lines(year)
    line = leader_line if member.leader else member_line
    percent = int(min(Decimal(100), member.hours * 100 / member.required)) if member.required else 0
    context = {
        "year": year,
        "member": member,
        "line": line.quantize(Decimal("0.1")),
        "percent": percent,
        "url": reverse("study:mine"),
    }
    return Panel("study/home_member.html", context, order=MEMBER_ORDER)


@home_panel
def staff_study_panel(user) -> Panel | None:
    if not user.is_authenticated or not user.can(Capability.CHANGE):
        return None
    year = clock.today().year
    context = {
        "year": year,
        "behind": selectors.behind_count(user, year),
        "pending": selectors.pending_reports(user).count(),
        "progress_url": reverse("study:progress"),
        "behind_url": f"{reverse('study:members')}?year={year}&behind=1",
        "reports_url": f"{reverse('study:reports')}?state=pending",
    }
    return Panel("study/home_staff.html", context, order=STAFF_ORDER)
