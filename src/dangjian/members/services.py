"""Writes on the roster. Each is one transaction, validates with full_clean and re-checks scope."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core.concurrency import Masks, check_version
from dangjian.core.lib import idcard
from dangjian.core.roles import Capability
from dangjian.core.validators import check_not_future
from dangjian.orgs.models import Organization

from . import rules, transfers
from .accounts import member_login_follow
from .choices import Status, TransferKind
from .models import Member, StatusChange, Transfer
from .personal import duplicate_id_message
from .readings import name_readings
from .selectors import sees_personal_data

ERR_OUT_OF_SCOPE = "您无权维护该党员的信息"
ERR_TARGET_OUT_OF_SCOPE = "您无权把党员调整到该组织"
ERR_NOT_ACTIVE = "只有在册党员才能办理此项变更，当前状态：{status}"
ERR_NOT_TRANSFERRED_OUT = "只有已转出的党员才能办理转入"
ERR_SAME_STATUS = "新状态与当前状态相同"
ERR_SAME_ORG = "党员已在该组织"
ERR_STATUS_TARGET = "请通过“组织关系转出”办理转出"
ERR_DESTINATION = "请填写转往的组织名称"
ERR_ORG_DISSOLVED = "该组织已撤销，不能再编入党员"


def name_syllables(name: str) -> list[str]:
    """pypinyin's reading of a name, a syllable per Han character, lower case."""
    # Imported here: pypinyin loads its dictionaries on import, a noticeable cost which every command and
    # process start would pay; the roster importer loads them while the file is being read (importer.pinyin).
    from pypinyin import Style, lazy_pinyin

    return [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]


def fill_pinyin(member: Member) -> None:
    """Store full pinyin and initials beside the name so "zhw" finds 张宏伟, and the other readings of a polyphonic
    name (members.readings) so 曾凯 is found by zk, zengkai, ck and cengkai."""
    member.name_pinyin, member.name_initials, member.name_pinyin_alt = name_readings(
        member.name, name_syllables(member.name)
    )


def _check_can_change(user, org: Organization) -> None:
    if not user.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)


def _check_version(user, locked: Member, version: int | None) -> None:
    """The edit was made from the member's current version (core.concurrency); the fields that changed since are
    shown as the user sees them on the member's page (ID number and phone masked without the right)."""
    masks: Masks = {} if sees_personal_data(user, locked) else {"id_number": idcard.mask, "phone": idcard.mask_phone}
    check_version(locked, version, masks=masks)


def _check_open(field: str, org: Organization) -> None:
    """Members join only orgs that still exist; dissolved ones keep their history and nothing new."""
    if org.is_dissolved:
        raise ValidationError({field: ERR_ORG_DISSOLVED})


def id_number_taken(acting_user, *, id_number: str, exclude_pk: int | None = None) -> str | None:
    """Why `id_number` cannot be given to a member (another holds it), said to the user; None when it is free.

    The model's constraint refuses it too, with one message for everyone; this tells apart a member in the user's
    scope (ERR_ID_DUPLICATE) from one elsewhere, which it names neither by org nor by name (ERR_ID_ELSEWHERE)."""
    if not id_number:
        return None
    # Across the whole roster, whoever asks: the number is unique system-wide. What the user learns is only the
    # message duplicate_id_message chooses for them.
    other = (
        Member.objects.unrestricted()
        .filter(id_number=idcard.normalize(id_number))
        .exclude(pk=exclude_pk)
        .values_list("org__path", "user_id")
        .first()
    )
    if other is None:
        return None
    org_path, user_id = other
    return duplicate_id_message(acting_user, org_path=org_path, member_user_id=user_id)


def _check_id_number_free(acting_user, member: Member) -> None:
    message = id_number_taken(acting_user, id_number=member.id_number, exclude_pk=member.pk)
    if message is not None:
        raise ValidationError({"id_number": message})


@transaction.atomic
def member_create(*, acting_user, **fields) -> Member:
    """Add a member to the roster (in register) in an org within the user's scope."""
    member = Member(**fields)
    if member.org_id:
        _check_can_change(acting_user, member.org)
        _check_open("org", member.org)
    fill_pinyin(member)
    _check_id_number_free(acting_user, member)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_update(*, acting_user, member: Member, version: int | None = None, **fields) -> Member:
    """Edit roster fields; the org may change only to another org in the user's scope. `version`: the one the edit
    was made from (a page's form, the API's If-Match): refused with StaleEdit if the member changed since; None for
    callers acting on the row as it is now (demo data, commands)."""
    # The stored org, not member.org: a ModelForm has already written the posted org onto the instance.
    stored = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    _check_can_change(acting_user, stored.org)
    _check_version(acting_user, stored, version)
    for name, value in fields.items():
        setattr(member, name, value)
    _check_can_change(acting_user, member.org)
    if member.org_id != stored.org_id:
        _check_open("org", member.org)
    fill_pinyin(member)
    _check_id_number_free(acting_user, member)
    member.full_clean()
    member.save()
    return member


def _record_status(
    *, acting_user, member: Member, to_status: str, changed_on: date, reason: str, exit_kind="", also_saved=()
) -> None:
    change = StatusChange(
        member=member,
        from_status=member.status,
        to_status=to_status,
        exit_kind=exit_kind,
        changed_on=changed_on,
        reason=reason,
        changed_by=acting_user,
    )
    change.full_clean()
    change.save()
    member.status = to_status
    member.exit_kind = exit_kind
    member.status_changed_on = changed_on
    member.full_clean()
    member.save(update_fields=["status", "exit_kind", "status_changed_on", "updated_at", *also_saved])
    # Off the register: the login is closed; back on it: its 党员 grant returns (members/accounts.py).
    member_login_follow(acting_user=acting_user, member=member)


@transaction.atomic
def member_change_status(
    *,
    acting_user,
    member: Member,
    to_status: str,
    changed_on: date,
    reason: str,
    exit_kind: str = "",
    version: int | None = None,
) -> Member:
    """停止党籍, 出党 (with its kind), 去世, or back to 在册 (恢复党籍); the member stays on the roster as history."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_can_change(acting_user, member.org)
    _check_version(acting_user, member, version)
    check_not_future(changed_on=changed_on)  # recorded once it has happened
    if to_status == member.status:
        raise ValidationError({"to_status": ERR_SAME_STATUS})
    if to_status == Status.TRANSFERRED_OUT:
        raise ValidationError({"to_status": ERR_STATUS_TARGET})
    if member.status == Status.TRANSFERRED_OUT:
        raise ValidationError({"to_status": ERR_NOT_ACTIVE.format(status=member.get_status_display())})
    _record_status(
        acting_user=acting_user,
        member=member,
        to_status=to_status,
        changed_on=changed_on,
        reason=reason,
        exit_kind=exit_kind if to_status == Status.EXPELLED else "",
    )
    return member


@transaction.atomic
def member_transfer_out(
    *,
    acting_user,
    member: Member,
    transferred_on: date,
    destination: str,
    letter_number: str = "",
    reason: str = "",
    destination_contact: str = "",
    version: int | None = None,
) -> Transfer:
    """转出 to an organisation outside this system, with its 介绍信: numbered here when no number is given (a letter
    written by hand keeps its own), valid for the configured months counted per 民法典 (members.transfers)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_can_change(acting_user, member.org)
    _check_version(acting_user, member, version)
    check_not_future(transferred_on=transferred_on)  # recorded once it has happened
    if member.status != Status.ACTIVE:
        raise ValidationError(ERR_NOT_ACTIVE.format(status=member.get_status_display()))
    if not destination.strip():
        raise ValidationError({"destination": ERR_DESTINATION})
    transfer = Transfer(
        member=member,
        kind=TransferKind.OUT,
        transferred_on=transferred_on,
        from_org=member.org,
        external_org=destination.strip(),
        destination_contact=destination_contact.strip(),
        letter_number=letter_number.strip(),
        reason=reason,
        handled_by=acting_user,
        valid_months=rules.TRANSFER_LETTER_VALID_MONTHS,
        letter_valid_until=transfers.valid_until(transferred_on),
    )
    transfer.full_clean()
    if transfer.letter_number:
        transfer.save()
    else:
        transfers.save_with_number(transfer, from_org=member.org)
    _record_status(
        acting_user=acting_user,
        member=member,
        to_status=Status.TRANSFERRED_OUT,
        changed_on=transferred_on,
        reason=f"组织关系转出至{transfer.external_org}",
    )
    return transfer


@transaction.atomic
def member_transfer_in(
    *,
    acting_user,
    member: Member,
    to_org: Organization,
    transferred_on: date,
    source: str,
    letter_number: str = "",
    version: int | None = None,
) -> Transfer:
    """转入 of a member who left earlier (returns to the roster). New arrivals are added with member_create."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    # The former branch too: its former members are not visible to other branches' secretaries.
    _check_can_change(acting_user, member.org)
    _check_version(acting_user, member, version)
    if not acting_user.can(Capability.CHANGE, to_org.path):
        raise PermissionDenied(ERR_TARGET_OUT_OF_SCOPE)
    _check_open("to_org", to_org)
    check_not_future(transferred_on=transferred_on)  # recorded once it has happened
    if member.status != Status.TRANSFERRED_OUT:
        raise ValidationError(ERR_NOT_TRANSFERRED_OUT)
    transfer = Transfer(
        member=member,
        kind=TransferKind.IN,
        transferred_on=transferred_on,
        to_org=to_org,
        external_org=source,
        letter_number=letter_number,
        handled_by=acting_user,
    )
    transfer.full_clean()
    transfer.save()
    member.org, member.group = to_org, None
    _record_status(
        acting_user=acting_user,
        member=member,
        to_status=Status.ACTIVE,
        changed_on=transferred_on,
        reason=f"组织关系由{source or '系统外'}转入",
        also_saved=("org", "group"),
    )
    return transfer


@transaction.atomic
def member_move(
    *,
    acting_user,
    member: Member,
    to_org: Organization,
    transferred_on: date,
    reason: str = "",
    version: int | None = None,
) -> Transfer:
    """Move a member between branches of this system in one step that closes both ends: the letter is numbered and
    its receipt is the move itself (the receiving branch is in the system). Both branches must be in the user's
    scope."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    _check_can_change(acting_user, member.org)
    _check_version(acting_user, member, version)
    if not acting_user.can(Capability.CHANGE, to_org.path):
        raise PermissionDenied(ERR_TARGET_OUT_OF_SCOPE)
    _check_open("to_org", to_org)
    check_not_future(transferred_on=transferred_on)  # recorded once it has happened
    if member.status != Status.ACTIVE:
        raise ValidationError(ERR_NOT_ACTIVE.format(status=member.get_status_display()))
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": ERR_SAME_ORG})
    transfer = Transfer(
        member=member,
        kind=TransferKind.INTERNAL,
        transferred_on=transferred_on,
        from_org=member.org,
        to_org=to_org,
        reason=reason,
        handled_by=acting_user,
        valid_months=rules.TRANSFER_LETTER_VALID_MONTHS,
        letter_valid_until=transfers.valid_until(transferred_on),
        receipt_on=transferred_on,
        receipt_note="系统内转接，转入党支部已接收",
        receipt_by=acting_user,
    )
    transfer.full_clean()
    transfers.save_with_number(transfer, from_org=member.org)
    from_org_id = member.org_id
    member.org, member.group = to_org, None
    member.full_clean()
    member.save(update_fields=["org", "group", "updated_at"])
    member_login_follow(acting_user=acting_user, member=member, from_org_id=from_org_id)  # the 党员 grant moves too
    return transfer
