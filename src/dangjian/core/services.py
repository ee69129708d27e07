"""Writes on accounts and role grants."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import RoleGrant, User
from .roles import CAPABILITIES, Capability

ERR_GRANT_OUT_OF_SCOPE = "您无权在该组织分配角色"
ERR_GRANT_EXISTS = "该用户在此组织已有相同角色"
ERR_REVOKE_SELF = "不能撤销自己正在使用的管理员角色"


@transaction.atomic
def grant_create(*, acting_user: User, username: str, full_name: str, role: str, org) -> tuple[RoleGrant, str]:
    """Grant `role` on `org`; creates the account if needed. Returns the grant and a one-time password ('' if the
    account existed)."""
    if not acting_user.can(Capability.MANAGE_GRANTS, org.path):
        raise PermissionDenied(ERR_GRANT_OUT_OF_SCOPE)
    password = ""
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(9)
        user = User(username=username, full_name=full_name)
        user.set_password(password)
        user.full_clean()
        user.save()
    if RoleGrant.objects.active().filter(user=user, role=role, org=org).exists():
        raise ValidationError(ERR_GRANT_EXISTS)
    grant = RoleGrant(user=user, role=role, org=org, granted_by=acting_user)
    grant.full_clean()
    grant.save()
    return grant, password


@transaction.atomic
def grant_revoke(*, acting_user: User, grant: RoleGrant) -> RoleGrant:
    """Revoke a grant (kept, with its revocation time, for the record)."""
    if not acting_user.can(Capability.MANAGE_GRANTS, grant.org.path):
        raise PermissionDenied(ERR_GRANT_OUT_OF_SCOPE)
    if grant.user_id == acting_user.pk and Capability.MANAGE_GRANTS in CAPABILITIES[grant.role]:
        raise ValidationError(ERR_REVOKE_SELF)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at", "updated_at"])
    return grant
