"""Logins of the people in one's scope (账号与权限): who may manage whose account, initial and temporary
passwords, reset, unlock, deactivation. Grants themselves are core.services'.

Who may manage a user: someone whose granting scopes (core.roles.GRANTABLE) cover every one of the user's active
grants, role and org, and never themselves; a superuser manages every account but superusers. A secretary thus
manages the 党员 and 支委委员 of their branch, not its other secretaries, and nobody who also holds a grant outside
their branch. The same rule answers the two-step reset (core.second_factor).

A password made here is shown once, in the response of the action that made it (and in its one download): it is
never written to the database (only its hash), a session, a message, or the audit log.
"""

import secrets
from dataclasses import dataclass

from auditlog.models import LogEntry
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_event
from .models import RoleGrant, User
from .roles import CAPABILITIES, ROLE_ORDER, Capability, Role, granting_scopes
from .scope import collapse_paths

#: Letters and digits that cannot be mistaken for one another when read off a sheet of paper (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12

AUDIT_CREATED = "创建登录账号"
AUDIT_PASSWORD_RESET = "重置密码"
AUDIT_UNLOCKED = "解除登录锁定"
AUDIT_DEACTIVATED = "停用登录账号"

ERR_USER_OUT_OF_SCOPE = "只能管理您有权分配角色的范围内的账号（其全部角色均在您的范围内且低于您的角色）。"
ERR_USER_SELF = "不能在此重置或解锁自己的账号；修改自己的密码请使用“修改密码”。"
ERR_NOT_LOCKED = "该账号当前未被锁定。"


def new_password(user: User | None = None) -> str:
    """A random initial or temporary password that Django's password validators accept (AUTH_PASSWORD_VALIDATORS)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        # Mixed kinds so it reads as a password and no validator (numeric, common, similar to the name) refuses it.
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def managed_grants_q(user: User) -> Q:
    """Active grants `user` may grant and revoke: in the subtree of one of their granting grants, of a role it gives."""
    if user.is_superuser:
        return Q(revoked_at__isnull=True)
    q = Q(pk__in=[])
    for path, roles in granting_scopes(user):
        q |= Q(org__path__startswith=path, role__in=sorted(roles))
    return q & Q(revoked_at__isnull=True)


def managed_grants(user: User) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.restrict(user, Capability.MANAGE_GRANTS).filter(managed_grants_q(user))


def managed_users(user: User) -> QuerySet[User]:
    """Users whose every active grant `user` manages (and who hold one): the accounts they may reset and unlock."""
    # Every active grant, whoever holds it: a user with one grant beyond the actor's reach is not theirs to manage.
    active = RoleGrant.objects.unrestricted().filter(user=OuterRef("pk"), revoked_at__isnull=True)
    return (
        User.objects.filter(Exists(managed_grants(user).filter(user=OuterRef("pk"))))
        .exclude(Exists(active.exclude(managed_grants_q(user))))
        .exclude(pk=user.pk)
        .exclude(is_superuser=True)
    )


def grantable_anywhere(user: User) -> list[str]:
    """The roles `user` may grant somewhere in their scope, least privileged first (the grant form's choices)."""
    if user.is_superuser:
        return list(ROLE_ORDER)
    allowed = {role for _, roles in granting_scopes(user) for role in roles}
    return [role for role in ROLE_ORDER if role in allowed]


def account_list(*, fetched_by: User, search: str = "") -> QuerySet[User]:
    """Accounts holding an active grant in the user's granting scope (those the 账号与权限 page lists)."""
    in_scope = RoleGrant.objects.restrict(fetched_by, Capability.MANAGE_GRANTS).filter(
        user=OuterRef("pk"), revoked_at__isnull=True
    )
    users = User.objects.filter(Exists(in_scope))
    if search:
        users = users.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    return users.order_by("username")


@dataclass
class AccountRow:
    """One account on the 账号与权限 page: its grants in the viewer's scope and what the viewer may do."""

    user: User
    grants: list[RoleGrant]
    revocable: set[int]  # pks of the grants the viewer may revoke
    manageable: bool  # reset the password, unlock, reset the two-step device
    locked: bool
    second_factor: bool  # has a confirmed device
    needs_second_factor: bool  # a committee admin or superuser (core.second_factor.required_for)


def account_rows(*, fetched_by: User, users: list[User]) -> list[AccountRow]:
    """The page's rows for `users` (one page of account_list), in a fixed number of queries."""
    ids = [u.pk for u in users]
    grants = (
        RoleGrant.objects.restrict(fetched_by, Capability.MANAGE_GRANTS)
        .filter(user__in=ids, revoked_at__isnull=True)
        .select_related("org")
        .order_by("org__path", "role")
    )
    by_user: dict[int, list[RoleGrant]] = {pk: [] for pk in ids}
    for grant in grants:
        by_user[grant.user_id].append(grant)
    revocable = set(managed_grants(fetched_by).filter(user__in=ids).values_list("pk", flat=True))
    manageable = set(managed_users(fetched_by).filter(pk__in=ids).values_list("pk", flat=True))
    locked = locked_usernames(u.username for u in users)
    with_device = set(TOTPDevice.objects.filter(user__in=ids, confirmed=True).values_list("user_id", flat=True))
    return [
        AccountRow(
            user=u,
            grants=by_user[u.pk],
            revocable={g.pk for g in by_user[u.pk] if g.pk in revocable and not _own_admin_grant(fetched_by, g)},
            manageable=u.pk in manageable,
            locked=u.username in locked,
            second_factor=u.pk in with_device,
            needs_second_factor=u.is_superuser or any(g.role == Role.COMMITTEE_ADMIN for g in by_user[u.pk]),
        )
        for u in users
    ]


def _own_admin_grant(user: User, grant: RoleGrant) -> bool:
    """The grant that lets the user manage grants at all (core.services refuses revoking it)."""
    return grant.user_id == user.pk and Capability.MANAGE_GRANTS in CAPABILITIES[grant.role]


def may_manage(actor: User, user: User) -> bool:
    return managed_users(actor).filter(pk=user.pk).exists()


def check_may_manage(actor: User, user: User) -> None:
    if user.pk == actor.pk:
        raise PermissionDenied(ERR_USER_SELF)
    if not may_manage(actor, user):
        raise PermissionDenied(ERR_USER_OUT_OF_SCOPE)


def account_path(user: User) -> str:
    """Where the audit page files an entry about the account: the outermost org of its active grants (the member's
    branch for a member's login); "" (superusers only) for an account without grants."""
    # The subject's own grants, to file the entry, whoever is acting.
    grants = RoleGrant.objects.unrestricted().filter(user=user, revoked_at__isnull=True)
    collapsed = collapse_paths(grants.values_list("org__path", flat=True))
    return collapsed[0] if collapsed else ""


def audit_account(actor: User | None, user: User, event: str, *, org_path: str | None = None, **data) -> LogEntry:
    """One entry on the account (never a password: only what happened, to whom, and the username)."""
    return audit_event(
        actor=actor,
        target=user,
        object_repr=f"{user}（{user.username}）：{event}",
        action=LogEntry.Action.UPDATE,
        org_path=account_path(user) if org_path is None else org_path,
        data={"event": event, "username": user.username, **data},
    )


@dataclass(frozen=True)
class Credential:
    """A login and its one-time password, to show once (never stored)."""

    name: str
    username: str
    password: str
    org: str = ""


@transaction.atomic
def account_password_reset(*, acting_user: User, user: User) -> Credential:
    """Give the user a temporary password they must change at their next login (and enable the login again: a
    deactivated login of a member back on the register is re-opened this way)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    check_may_manage(acting_user, user)
    password = new_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.is_active = True
    user.save(update_fields=["password", "must_change_password", "is_active"])
    axes_reset(username=user.username)  # a forgotten password has often locked the account too
    audit_account(acting_user, user, AUDIT_PASSWORD_RESET)
    return Credential(name=str(user), username=user.username, password=password)


def locked_usernames(usernames) -> set[str]:
    """Of `usernames`, those django-axes locks out now (AXES_FAILURE_LIMIT failures within the cool-off time, from
    any address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


@transaction.atomic
def account_unlock(*, acting_user: User, user: User) -> int:
    """Lift django-axes' lockout of the account (every address it was locked from). Returns the attempts removed."""
    check_may_manage(acting_user, user)
    if user.username not in locked_usernames([user.username]):
        raise ValidationError(ERR_NOT_LOCKED)
    removed = axes_reset(username=user.username)
    audit_account(acting_user, user, AUDIT_UNLOCKED)
    return removed


def account_deactivate(*, acting_user: User | None, user: User, reason: str) -> list[RoleGrant]:
    """Close the login for good (a member left the register): every active grant revoked, is_active off. Called
    inside the transaction of the change that caused it; the acting user's own scope was checked by that change.
    Returns the grants revoked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    # All of the user's grants, even beyond the acting user's scope: someone off the register keeps no role anywhere.
    grants = list(RoleGrant.objects.unrestricted().select_for_update().filter(user=user, revoked_at__isnull=True))
    path = account_path(user)
    now = timezone.now()
    for grant in grants:
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at", "updated_at"])  # through save(): auditlog records each revocation
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit_account(acting_user, user, AUDIT_DEACTIVATED, org_path=path, reason=reason, grants_revoked=len(grants))
    return grants
