"""The home page's panels: a registry every module adds to (its home.py), like the reminders.

A panel function is `func(user) -> Panel | None` (None: nothing to show this user); it must scope itself and run a
constant number of queries whatever the size of the user's scope. Panels show in `order`, then registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with the panel's context plus the page's (request, user)
    context: dict = field(default_factory=dict)
    order: int = 50  # lower first: the work of the day (obligations) before the lists


PanelFunction = Callable[..., Panel | None]
_panels: list[PanelFunction] = []


def home_panel(func: PanelFunction) -> PanelFunction:
    """Decorator: register a panel (at import time, from the app's home.py)."""
    if func not in _panels:
        _panels.append(func)
    return func


def panels_for(user) -> list[Panel]:
    shown = [panel for func in _panels if (panel := func(user)) is not None]
    return sorted(shown, key=lambda p: p.order)
