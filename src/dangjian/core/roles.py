"""Roles and what each may do. A role is granted on an org (RoleGrant) and reaches the org's subtree."""

from django.core.exceptions import ImproperlyConfigured
from django.db import models


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", "机关党委管理员"
    SECRETARY = "secretary", "支部书记"
    COMMITTEE_MEMBER = "committee_member", "支委委员"
    MEMBER = "member", "党员"
    INSPECTOR = "inspector", "纪检/监督"


class Capability(models.TextChoices):
    """Core's own capabilities; an app adds its own with register_capability (from its capabilities.py)."""

    VIEW = "view", "查看本范围数据"
    CHANGE = "change", "维护本范围数据"
    VIEW_PERSONAL = "view_personal", "查看完整个人信息"
    AUDIT = "audit", "查看审计日志"
    MANAGE_GRANTS = "manage_grants", "分配角色"
    SYSTEM_HEALTH = "system_health", "查看系统运行状态"


C = Capability
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset({C.VIEW, C.CHANGE, C.VIEW_PERSONAL, C.AUDIT, C.MANAGE_GRANTS, C.SYSTEM_HEALTH}),
    # A secretary manages the logins and the lower roles of their own branch (GRANTABLE says which roles).
    Role.SECRETARY: frozenset({C.VIEW, C.CHANGE, C.VIEW_PERSONAL, C.MANAGE_GRANTS}),
    Role.COMMITTEE_MEMBER: frozenset({C.VIEW, C.CHANGE}),
    # Oversight reads the whole subtree and its audit log, changes nothing and sees personal data masked.
    Role.INSPECTOR: frozenset({C.VIEW, C.AUDIT}),
    # A member's scope is their own record, not an org subtree (see ScopedQuerySet.own_records).
    Role.MEMBER: frozenset(),
}

#: Every role, least privileged first: the order the grant form offers them in (its default is the first).
ROLE_ORDER: tuple[str, ...] = (
    Role.MEMBER,
    Role.COMMITTEE_MEMBER,
    Role.SECRETARY,
    Role.INSPECTOR,
    Role.COMMITTEE_ADMIN,
)

#: The roles a holder of each role may grant (and revoke) inside the subtree of their grant: never one above their
#: own (committee_admin > secretary > committee_member > member); 纪检/监督 oversees the branches, so only the
#: committee admin gives it. The roles missing here grant nothing. The one rule set: grantable_roles and
#: managed_grants_q read it, and the services that grant, revoke, reset and unlock go through those.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset(ROLE_ORDER),
    Role.SECRETARY: frozenset({Role.COMMITTEE_MEMBER, Role.MEMBER}),
}


def grantable_roles(user, org_path: str) -> list[str]:
    """The roles `user` may grant on the org with tree path `org_path`, least privileged first."""
    if user.is_superuser:
        return list(ROLE_ORDER)
    allowed: set[str] = set()
    for grant in user.grants:
        if org_path.startswith(grant.org.path):
            allowed |= GRANTABLE.get(grant.role, frozenset())
    return [role for role in ROLE_ORDER if role in allowed]


def granting_scopes(user) -> list[tuple[str, frozenset[str]]]:
    """(tree path, roles) of each of the user's grants that lets them grant some roles in that subtree."""
    return [(g.org.path, GRANTABLE[g.role]) for g in user.grants if g.role in GRANTABLE]


#: The label of every capability: core's and those the apps registered.
CAPABILITY_LABELS: dict[str, str] = dict(Capability.choices)


def register_capability(code: str, label: str, *, roles: list[str]) -> str:
    """Add a capability and give it to `roles`; returns the code to check with `user.can(code, path)`."""
    if CAPABILITY_LABELS.get(code, label) != label:
        raise ImproperlyConfigured(f"capability {code!r} registered twice with different labels")
    CAPABILITY_LABELS[code] = label
    for role in roles:
        CAPABILITIES[role] = CAPABILITIES[role] | {code}
    return code
