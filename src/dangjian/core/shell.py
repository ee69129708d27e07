"""The page shell: navigation by capability, the active scope, breadcrumbs."""

from dataclasses import dataclass

from django.urls import reverse

from .roles import Capability

ACTIVE_GRANT_SESSION_KEY = "active_grant_id"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    capability: str | None  # None: every signed-in user
    section: str  # prefix of "namespace:url_name" of the pages under this item; the longest match is active

    @property
    def url(self) -> str:
        return reverse(self.url_name)


#: (order, item) of every app's entries, registered from its nav.py (core.extensions finds it).
_nav_items: list[tuple[int, NavItem]] = []


def nav_item(label: str, url_name: str, icon: str, capability: str | None, section: str, *, order: int) -> NavItem:
    """Register a navigation entry; the bar lists them by `order` (core's home 0, its admin pages from 900)."""
    item = NavItem(label, url_name, icon, capability, section)
    if item not in (registered for _, registered in _nav_items):
        _nav_items.append((order, item))
        _nav_items.sort(key=lambda pair: pair[0])
    return item


def nav_items() -> list[NavItem]:
    return [item for _, item in _nav_items]


def nav_for(user) -> list[NavItem]:
    return [item for item in nav_items() if item.capability is None or user.can(item.capability)]


def nav_active(items: list[NavItem], current: str) -> NavItem | None:
    """The item whose section is the longest prefix of the current page's "namespace:url_name"."""
    matching = [item for item in items if current.startswith(item.section)]
    return max(matching, key=lambda item: len(item.section), default=None)


@dataclass(frozen=True)
class Tab:
    """One tab of a module's own tabs above its pages (core/subnav.html)."""

    key: str
    label: str
    url_name: str
    needs_view: bool = True  # False: everyone's (a member's own pages)


def subnav(user, tabs: tuple[Tab, ...], current: str, label: str, testid: str) -> dict:
    """The context of core/subnav.html: the tabs the user may open, the current one marked."""
    viewer = user.can(Capability.VIEW)
    shown = [(t.key == current, t.label, reverse(t.url_name)) for t in tabs if viewer or not t.needs_view]
    return {"tabs": shown, "label": label, "testid": testid}


def active_grant(request):
    """The grant the user is working under (chosen with the switcher); the first grant by default."""
    grants = request.user.grants
    if not grants:
        return None
    chosen = request.session.get(ACTIVE_GRANT_SESSION_KEY)
    return next((g for g in grants if g.pk == chosen), grants[0])
