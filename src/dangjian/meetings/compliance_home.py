"""Home page panel: this month's and this quarter's obligations with their state (core.home.home_panel): a
secretary's branch item by item; over a committee admin's subtree, per activity the branches that met it or not,
linking to the overview filtered by that activity."""

from dangjian.core.home import Panel, home_panel

from .compliance import obligations_panel

#: Before the lists of meetings: the work of the month.
PANEL_ORDER = 20


@home_panel
def compliance_panel(user) -> Panel | None:
    panel = obligations_panel(fetched_by=user)
    if panel is None:
        return None
    return Panel(template="meetings/compliance_panel.html", context={"obligations": panel}, order=PANEL_ORDER)
