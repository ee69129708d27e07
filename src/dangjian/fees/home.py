"""The fees' panels of the home page (core.home): a member's own 党费 this year (their way to 我的党费: members see
only 首页 in the menu), and for whoever sees an org subtree this month's collection of it. One query each."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import rules
from .mine_views import own_member, year_totals
from .selectors import ledger_lines, ledger_totals

#: After the meetings' obligations (20) and the member's meetings (30), before the meetings' workbench (40).
MEMBER_ORDER = 35
COLLECTION_ORDER = 45


@home_panel
def member_fees_panel(user) -> Panel | None:
    member = own_member(user)
    if member is None:
        return None
    year = clock.today().year
    context = {"year": year, "totals": year_totals(user, member, year), "url": reverse("fees:mine")}
    return Panel("fees/mine_panel.html", context, order=MEMBER_ORDER)


@home_panel
def collection_panel(user) -> Panel | None:
    if not user.is_authenticated or not user.can(Capability.VIEW):
        return None
    month = rules.month_first(clock.today())
    totals = ledger_totals(ledger_lines(fetched_by=user, month=month))
    context = {
        "month": month,
        "totals": totals,
        "paid_members": totals.members - totals.unpaid,
        "url": reverse("fees:ledger") + f"?month={month:%Y-%m}",
    }
    return Panel("fees/collection_panel.html", context, order=COLLECTION_ORDER)
