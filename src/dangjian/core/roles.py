"""Roles and what each may do. A role is granted on an org (RoleGrant) and reaches the org's subtree."""

from django.db import models


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", "机关党委管理员"
    SECRETARY = "secretary", "支部书记"
    COMMITTEE_MEMBER = "committee_member", "支委委员"
    MEMBER = "member", "党员"
    INSPECTOR = "inspector", "纪检/监督"


class Capability(models.TextChoices):
    VIEW = "view", "查看本范围数据"
    CHANGE = "change", "维护本范围数据"
    MANAGE_ORGS = "manage_orgs", "维护组织机构"
    VIEW_PERSONAL = "view_personal", "查看完整个人信息"
    AUDIT = "audit", "查看审计日志"
    MANAGE_GRANTS = "manage_grants", "分配角色"


C = Capability
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset({C.VIEW, C.CHANGE, C.MANAGE_ORGS, C.VIEW_PERSONAL, C.AUDIT, C.MANAGE_GRANTS}),
    Role.SECRETARY: frozenset({C.VIEW, C.CHANGE, C.MANAGE_ORGS, C.VIEW_PERSONAL}),
    Role.COMMITTEE_MEMBER: frozenset({C.VIEW, C.CHANGE}),
    # Oversight reads the whole subtree, changes nothing and sees personal data masked.
    Role.INSPECTOR: frozenset({C.VIEW}),
    # A member's scope is their own record, not an org subtree (see ScopedQuerySet.own_records).
    Role.MEMBER: frozenset(),
}
