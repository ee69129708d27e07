"""Logins for the people on the roster: one member's or a whole branch's, and what happens to a login when its member
leaves the register (core.accounts holds the rules on who manages which account).

A login made here: the username by settings.ACCOUNT_USERNAME_RULE, a random initial password shown once (core
.credentials), the mark that makes its holder change it at the first login, the role 党员 at the member's branch, and
the link Member.user. Its holder then sees their own record only (ScopedQuerySet.own_records).

When the member leaves the register (转出, 停止党籍, 出党, 去世), in the same transaction every active
grant of the login is revoked, wherever it lies, and the login is deactivated: someone off the register keeps no
role in the system (an administrator who is not a member has no Member record and is not touched). A move inside
the system moves the 党员 grant to the new branch (other roles stay). Back on the register (转入, 恢复党籍)
the 党员 grant is given at the member's branch again, but the login stays disabled until a secretary resets its
password (which re-opens it with a temporary password): the old password is not trusted again by itself.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.core.accounts import (
    AUDIT_CREATED,
    Credential,
    account_deactivate,
    audit_account,
    new_password,
)
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Capability, Role, grantable_roles
from dangjian.orgs.models import Organization

from .choices import Status
from .models import Member

ERR_NO_RIGHT = "您无权为该党员创建登录账号（须为其所在党支部的支部书记或机关党委管理员）。"
ERR_HAS_LOGIN = "该党员已有登录账号：{username}"
ERR_NOT_ACTIVE = "只有在册党员才能创建登录账号。"
ERR_ORG_OUT_OF_SCOPE = "您无权为该组织的党员创建登录账号。"
ERR_TOO_MANY = "一次最多为 {limit} 名党员创建账号，请按党支部分别创建。"

#: The most logins one bulk run makes (its passwords ride in the result page's download button).
BULK_MAX = 500
#: Tried after the base name before giving up (wangxiaoming, wangxiaoming2, … wangxiaoming999).
MAX_SUFFIX = 999

REASON_EXIT = "党员{status}，登录账号随之停用"


def username_base(member: Member, rule: str | None = None) -> str:
    """The login's name before a clash suffix, by ACCOUNT_USERNAME_RULE: "pinyin", the name's full pinyin
    (王小明 → wangxiaoming); "id_tail", its initials and the ID number's last 4 (wxm1234)."""
    from .services import fill_pinyin  # loads pypinyin's dictionaries: only when a login is made

    rule = rule or settings.ACCOUNT_USERNAME_RULE
    if not member.name_pinyin:
        fill_pinyin(member)
    base = f"{member.name_initials}{member.id_number[-4:].lower()}" if rule == "id_tail" else member.name_pinyin
    base = "".join(c for c in base if c.isascii() and c.isalnum())[:30]
    return base or "dy"


def unique_username(base: str, taken: set[str] | None = None) -> str:
    """`base`, or `base2`, `base3`, … whichever no account (nor `taken`, the names of the same run) has."""
    taken = taken or set()
    candidates = [base, *(f"{base}{n}" for n in range(2, MAX_SUFFIX + 1))]
    # Case-insensitive: people read WangXiaoming and wangxiaoming as one name (`base` is ASCII letters and digits).
    found = User.objects.filter(username__iregex=rf"^{base}[0-9]*$").values_list("username", flat=True)
    existing = {name.lower() for name in found}
    for name in candidates:
        if name not in existing and name not in taken:
            return name
    raise ValidationError(f"登录名 {base} 的后缀已用尽，请改用其他登录名规则。")


def may_create_login(user, member: Member) -> bool:
    """Whoever may grant 党员 at the member's branch: its secretary (and above), a committee admin."""
    return Role.MEMBER in grantable_roles(user, member.org.path)


def _create_login(*, acting_user, member: Member, taken: set[str]) -> Credential:
    username = unique_username(username_base(member), taken)
    taken.add(username)
    user = User(username=username, full_name=member.name, must_change_password=True)
    password = new_password(user)
    user.set_password(password)
    user.full_clean()
    user.save()
    grant = RoleGrant(user=user, role=Role.MEMBER, org=member.org, granted_by=acting_user)
    grant.full_clean()
    grant.save()
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    audit_account(acting_user, user, AUDIT_CREATED, org_path=member.org.path, member_id=member.pk)
    return Credential(name=member.name, username=username, password=password, org=member.org.name)


@transaction.atomic
def member_login_create(*, acting_user, member: Member) -> Credential:
    """A login for one member on the register, who has none yet. Returns its one-time credential."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if not may_create_login(acting_user, member):
        raise PermissionDenied(ERR_NO_RIGHT)
    if member.user_id is not None:
        raise ValidationError(ERR_HAS_LOGIN.format(username=member.user.username))
    if member.status != Status.ACTIVE:
        raise ValidationError(ERR_NOT_ACTIVE)
    return _create_login(acting_user=acting_user, member=member, taken=set())


def members_without_login(*, fetched_by, org: Organization) -> QuerySet[Member]:
    """Members on the register in `org`'s subtree who have no login, among those the user manages accounts of."""
    return (
        Member.objects.restrict(fetched_by, Capability.MANAGE_GRANTS)
        .active()
        .filter(org__path__startswith=org.path, user__isnull=True)
        .select_related("org")
        .order_by("org__path", "name_pinyin", "pk")
    )


@transaction.atomic
def member_logins_create(*, acting_user, org: Organization) -> list[Credential]:
    """Logins for every member on the register in `org`'s subtree without one (a branch at a time). One transaction:
    all or none. Returns the credentials, to show once."""
    if Role.MEMBER not in grantable_roles(acting_user, org.path):
        raise PermissionDenied(ERR_ORG_OUT_OF_SCOPE)
    members = list(members_without_login(fetched_by=acting_user, org=org).select_for_update(of=("self",)))
    if len(members) > BULK_MAX:
        raise ValidationError(ERR_TOO_MANY.format(limit=BULK_MAX))
    taken: set[str] = set()
    credentials = []
    for member in members:
        if not may_create_login(acting_user, member):  # a branch below where the user's right ends
            continue
        credentials.append(_create_login(acting_user=acting_user, member=member, taken=taken))
    return credentials


def member_login_follow(*, acting_user, member: Member, from_org_id: int | None = None) -> None:
    """After a status change or transfer of `member` (inside its transaction): the login follows the register (see
    the module's docstring). `from_org_id`: the branch the member was moved from, for a move inside the system."""
    if member.user_id is None:
        return
    user = member.user
    if member.status != Status.ACTIVE:
        if user.is_active or RoleGrant.objects.unrestricted().filter(user=user, revoked_at__isnull=True).exists():
            # Every grant, wherever: the check above is the service's own (it decided the exit).
            account_deactivate(
                acting_user=acting_user, user=user, reason=REASON_EXIT.format(status=member.get_status_display())
            )
        return
    # The member's own grants as a member, whoever acts (the move itself was checked by the service).
    member_grants = RoleGrant.objects.unrestricted().filter(user=user, role=Role.MEMBER, revoked_at__isnull=True)
    if from_org_id is not None and from_org_id != member.org_id:
        for grant in member_grants.filter(org_id=from_org_id):
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at", "updated_at"])
    if not member_grants.filter(org=member.org).exists():
        grant = RoleGrant(user=user, role=Role.MEMBER, org=member.org, granted_by=acting_user)
        grant.full_clean()
        grant.save()
