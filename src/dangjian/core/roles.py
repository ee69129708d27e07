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
    Role.SECRETARY: frozenset({C.VIEW, C.CHANGE, C.VIEW_PERSONAL}),
    Role.COMMITTEE_MEMBER: frozenset({C.VIEW, C.CHANGE}),
    # Oversight reads the whole subtree, changes nothing and sees personal data masked.
    Role.INSPECTOR: frozenset({C.VIEW}),
    # A member's scope is their own record, not an org subtree (see ScopedQuerySet.own_records).
    Role.MEMBER: frozenset(),
}

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
