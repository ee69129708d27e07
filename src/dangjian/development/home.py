"""The development panel of the home page (core.home): for whoever may change records (secretaries, committee
staff), the records per stage and the overdue steps of their scope, linking to the funnel and the due list. One
grouped query (selectors.funnel)."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import selectors

#: After the fees' collection (45), before the lists.
PANEL_ORDER = 48


@home_panel
def development_panel(user) -> Panel | None:
    if not user.is_authenticated or not user.can(Capability.CHANGE):
        return None
    figures = selectors.funnel(fetched_by=user).total
    context = {
        "figures": figures,
        "funnel_url": reverse("development:funnel"),
        "overdue_url": f"{reverse('development:due')}?kind=overdue",
        "due_url": reverse("development:due"),
    }
    return Panel("development/home_panel.html", context, order=PANEL_ORDER)
