"""Writes on accounts, role grants and API tokens."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .accounts import new_password
from .models import ApiToken, RoleGrant, User
from .roles import CAPABILITIES, Capability, Role, grantable_roles

ERR_GRANT_OUT_OF_SCOPE = "您无权在该组织分配角色"
ERR_GRANT_EXISTS = "该用户在此组织已有相同角色"
ERR_GRANT_DISSOLVED = "该组织已撤销，不能在其上分配角色"
ERR_REVOKE_SELF = "不能撤销自己正在使用的管理员角色"
ERR_ROLE_NOT_GRANTABLE = "您无权在该组织授予“{role}”角色（只能授予低于自己的角色）"
ERR_REVOKE_NOT_GRANTABLE = "您无权撤销“{role}”角色（只能撤销您可以授予的角色）"
ERR_TOKEN_NO_GRANT = "只有已分配角色的用户才能创建访问令牌"
ERR_TOKEN_NOT_OWNER = "只能撤销自己的访问令牌"
ERR_TOKEN_REVOKED = "该访问令牌已撤销"


@transaction.atomic
def grant_create(*, acting_user: User, username: str, full_name: str, role: str, org) -> tuple[RoleGrant, str]:
    """Grant `role` on `org` (a role core.roles.grantable_roles allows the acting user there); creates the account if
    needed. Returns the grant and a one-time password ('' if the account existed), to change at the first login."""
    if not acting_user.can(Capability.MANAGE_GRANTS, org.path):
        raise PermissionDenied(ERR_GRANT_OUT_OF_SCOPE)
    if role not in grantable_roles(acting_user, org.path):
        raise PermissionDenied(ERR_ROLE_NOT_GRANTABLE.format(role=Role(role).label))
    if org.dissolved_on is not None:  # such a grant would give no access (User.grants skips dissolved orgs)
        raise ValidationError({"org": ERR_GRANT_DISSOLVED})
    password = ""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, must_change_password=True)
        password = new_password(user)
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
    if grant.role not in grantable_roles(acting_user, grant.org.path):
        raise PermissionDenied(ERR_REVOKE_NOT_GRANTABLE.format(role=grant.get_role_display()))
    if grant.user_id == acting_user.pk and Capability.MANAGE_GRANTS in CAPABILITIES[grant.role]:
        raise ValidationError(ERR_REVOKE_SELF)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at", "updated_at"])
    return grant


def token_hash(key: str) -> str:
    """What is stored of a token key: its SHA-256, hex (the key is random, so no salt or slow hash is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, acting_user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token for the acting user. Returns the token and its key, which is never stored or shown again."""
    if not (acting_user.is_superuser or acting_user.grants):
        raise PermissionDenied(ERR_TOKEN_NO_GRANT)
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=acting_user, name=name.strip(), prefix=key[:8], key_hash=token_hash(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def token_revoke(*, acting_user: User, token: ApiToken) -> ApiToken:
    """Revoke a token for good (kept, with its revocation time, for the record); only its owner may."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != acting_user.pk:
        raise PermissionDenied(ERR_TOKEN_NOT_OWNER)
    if token.is_revoked:
        raise ValidationError(ERR_TOKEN_REVOKED)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token
