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


#: Later modules add their entries here (会议, 党费, 发展党员 …), each gated by a capability.
NAV_ITEMS = [
    NavItem("首页", "core:home", "house", None, "core:home"),
    NavItem("组织机构", "orgs:tree", "diagram-3", Capability.VIEW, "orgs:"),
    NavItem("党员花名册", "members:list", "people", Capability.VIEW, "members:"),
    NavItem("党员统计", "members:stats", "bar-chart", Capability.VIEW, "members:stats"),
    NavItem("角色授权", "core:grants", "person-badge", Capability.MANAGE_GRANTS, "core:grant"),
    NavItem("审计日志", "core:audit", "journal-text", Capability.AUDIT, "core:audit"),
]


def nav_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.capability is None or user.can(item.capability)]


def nav_active(items: list[NavItem], current: str) -> NavItem | None:
    """The item whose section is the longest prefix of the current page's "namespace:url_name"."""
    matching = [item for item in items if current.startswith(item.section)]
    return max(matching, key=lambda item: len(item.section), default=None)


def active_grant(request):
    """The grant the user is working under (chosen with the switcher); the first grant by default."""
    grants = request.user.grants
    if not grants:
        return None
    chosen = request.session.get(ACTIVE_GRANT_SESSION_KEY)
    return next((g for g in grants if g.pk == chosen), grants[0])
