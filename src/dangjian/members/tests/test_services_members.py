"""Roster writes: validation with the exact Chinese messages, data scope, status history and transfers."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from dangjian.core.lib import idcard
from dangjian.core.validators import future_message
from dangjian.members import rules
from dangjian.members.choices import Category, Education, ExitKind, Gender, Status, TransferKind
from dangjian.members.models import (
    ERR_EXIT_KIND,
    ERR_FULL_BEFORE_JOIN,
    ERR_FULL_DATE_MISSING,
    ERR_FULL_DATE_PROBATIONARY,
    ERR_GROUP_NOT_IN_BRANCH,
    ERR_ID_BIRTH,
    ERR_ID_DUPLICATE,
    ERR_ID_ELSEWHERE,
    ERR_ID_GENDER,
    ERR_JOIN_AGE,
    ERR_ORG_KIND,
    Member,
    StatusChange,
    Transfer,
)
from dangjian.members.services import (
    ERR_DESTINATION,
    ERR_NOT_ACTIVE,
    ERR_NOT_TRANSFERRED_OUT,
    ERR_ORG_DISSOLVED,
    ERR_OUT_OF_SCOPE,
    ERR_SAME_ORG,
    ERR_SAME_STATUS,
    ERR_STATUS_TARGET,
    ERR_TARGET_OUT_OF_SCOPE,
    member_change_status,
    member_create,
    member_move,
    member_transfer_in,
    member_transfer_out,
    member_update,
)
from dangjian.members.tests.factories import MemberFactory
from dangjian.members.validators import ERR_PHONE

GB_EXAMPLE = "11010519491231002X"  # GB 11643's example: born 1949-12-31, female (see core/lib/tests/test_idcard.py)


def roster_fields(world, **overrides) -> dict:
    """A valid new member of branch A, as the roster form would pass it."""
    fields = {
        "name": "赵丽华",
        "gender": Gender.FEMALE,
        "ethnicity": "汉族",
        "birth_date": date(1949, 12, 31),
        "id_number": GB_EXAMPLE,
        "education": Education.BACHELOR,
        "category": Category.FULL,
        "joined_on": date(1975, 7, 1),
        "full_member_on": date(1976, 7, 1),
        "org": world.branch_a,
        "group": world.group_a,
        "position": "调研员",
        "phone": "13700137000",
        "fee_base": 5000,
    }
    fields.update(overrides)
    return fields


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- member_create: model rules ------------------------------------------------------------------------------


def test_it_creates_a_member_in_register_with_pinyin(world):
    member = member_create(acting_user=world.secretary_a, **roster_fields(world))
    member.refresh_from_db()
    assert member.status == Status.ACTIVE
    assert member.id_number == GB_EXAMPLE
    assert (member.name_pinyin, member.name_initials) == ("zhaolihua", "zlh")
    assert member.org == world.branch_a and member.group == world.group_a


def test_lowercase_x_is_stored_upper_case(world):
    member = member_create(acting_user=world.secretary_a, **roster_fields(world, id_number=GB_EXAMPLE.lower()))
    member.refresh_from_db()
    assert member.id_number == GB_EXAMPLE


def test_full_width_digits_are_stored_as_ascii(world):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GB_EXAMPLE)
    member = member_create(acting_user=world.secretary_a, **roster_fields(world, id_number=full_width))
    member.refresh_from_db()
    assert member.id_number == GB_EXAMPLE


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (GB_EXAMPLE[:17] + "1", idcard.ERR_CHECKSUM),
        (GB_EXAMPLE[:17], idcard.ERR_SHAPE),
        ("1101051949123100AX", idcard.ERR_SHAPE),
    ],
)
def test_it_refuses_an_invalid_id_number(world, id_number, message):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, id_number=id_number))
    assert errors_of(excinfo) == {"id_number": [message]}
    assert not Member.objects.filter(name="赵丽华").exists()


def test_it_refuses_an_id_number_whose_birth_date_differs(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, birth_date=date(1949, 12, 30)))
    assert errors_of(excinfo) == {"birth_date": [ERR_ID_BIRTH.format("1949年12月31日")]}


def test_it_refuses_an_id_number_whose_gender_differs(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, gender=Gender.MALE))
    assert errors_of(excinfo) == {"gender": [ERR_ID_GENDER.format("女")]}


def test_a_full_member_needs_the_date_of_full_membership(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, full_member_on=None))
    assert errors_of(excinfo) == {"full_member_on": [ERR_FULL_DATE_MISSING]}


def test_a_probationary_member_must_not_have_a_date_of_full_membership(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, category=Category.PROBATIONARY))
    assert errors_of(excinfo) == {"full_member_on": [ERR_FULL_DATE_PROBATIONARY]}


def test_a_probationary_member_without_the_date_is_fine(world):
    member = member_create(
        acting_user=world.secretary_a, **roster_fields(world, category=Category.PROBATIONARY, full_member_on=None)
    )
    assert member.category == Category.PROBATIONARY


def test_full_membership_cannot_precede_joining(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, full_member_on=date(1975, 6, 30)))
    assert errors_of(excinfo) == {"full_member_on": [ERR_FULL_BEFORE_JOIN]}


def test_joining_before_18_is_refused_and_the_18th_birthday_is_enough(world):
    # 党章 第一条: born 1949-12-31, 18 on 1967-12-31.
    with pytest.raises(ValidationError) as excinfo:
        member_create(
            acting_user=world.secretary_a,
            **roster_fields(world, joined_on=date(1967, 12, 30), full_member_on=date(1968, 12, 30)),
        )
    assert errors_of(excinfo) == {"joined_on": [ERR_JOIN_AGE]}
    member = member_create(
        acting_user=world.secretary_a,
        **roster_fields(world, joined_on=date(1967, 12, 31), full_member_on=date(1968, 12, 31)),
    )
    assert member.joined_on == date(1967, 12, 31)


@pytest.mark.parametrize("field", ["joined_on", "work_started_on"])
def test_dates_in_the_future_are_refused(world, field, tomorrow):
    overrides = {field: tomorrow}
    if field == "joined_on":
        overrides.update(category=Category.PROBATIONARY, full_member_on=None)
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, **overrides))
    assert errors_of(excinfo) == {field: [future_message()]}


def test_a_future_date_of_full_membership_is_refused(world, tomorrow):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, full_member_on=tomorrow))
    assert errors_of(excinfo) == {"full_member_on": [future_message()]}


def test_a_future_birth_date_is_refused(world, tomorrow):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, birth_date=tomorrow))
    assert future_message() in errors_of(excinfo)["birth_date"]


def test_the_group_must_belong_to_the_branch(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.admin, **roster_fields(world, org=world.branch_b, group=world.group_a))
    assert errors_of(excinfo) == {"group": [ERR_GROUP_NOT_IN_BRANCH]}


def test_the_group_must_be_a_party_group(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.admin, **roster_fields(world, group=world.branch_a))
    assert errors_of(excinfo) == {"group": [ERR_GROUP_NOT_IN_BRANCH]}


@pytest.mark.parametrize("org_attr", ["general", "committee", "group_a"])
def test_the_org_must_be_a_branch(world, org_attr):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.admin, **roster_fields(world, org=getattr(world, org_attr), group=None))
    assert errors_of(excinfo) == {"org": [ERR_ORG_KIND]}


def test_a_bad_phone_number_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, phone="12345"))
    assert errors_of(excinfo) == {"phone": [ERR_PHONE]}


@pytest.mark.parametrize(
    "variant",
    [
        GB_EXAMPLE,
        GB_EXAMPLE.lower(),
        "".join(chr(ord(c) + 0xFEE0) for c in GB_EXAMPLE),
    ],
)
def test_an_id_number_already_on_the_roster_is_refused(world, variant):
    """Another branch's member: taken, and where is not said (the number is unique system-wide)."""
    member_create(acting_user=world.secretary_a, **roster_fields(world))
    with pytest.raises(ValidationError) as excinfo:
        member_create(
            acting_user=world.secretary_b,
            **roster_fields(world, name="赵丽", org=world.branch_b, group=None, id_number=variant),
        )
    assert errors_of(excinfo) == {"id_number": [ERR_ID_ELSEWHERE]}
    assert Member.objects.filter(id_number=GB_EXAMPLE).count() == 1


def test_an_id_number_taken_in_the_users_own_scope_says_it_is_on_the_roster(world):
    member_create(acting_user=world.secretary_a, **roster_fields(world))
    with pytest.raises(ValidationError) as excinfo:
        member_create(acting_user=world.secretary_a, **roster_fields(world, name="赵丽"))
    assert errors_of(excinfo) == {"id_number": [ERR_ID_DUPLICATE]}


# --- member_create / member_update: scope ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretary_a", "committee_member_a", "inspector", "member_user_a"])
def test_it_refuses_an_org_outside_the_users_scope(world, persona):
    user = world.personas()[persona]
    with pytest.raises(PermissionDenied) as excinfo:
        member_create(acting_user=user, **roster_fields(world, org=world.branch_b, group=None))
    assert str(excinfo.value) == ERR_OUT_OF_SCOPE
    assert not Member.objects.filter(id_number=GB_EXAMPLE).exists()


@pytest.mark.parametrize("persona", ["inspector", "member_user_a"])
def test_readers_cannot_create_even_in_their_own_branch(world, persona):
    with pytest.raises(PermissionDenied):
        member_create(acting_user=world.personas()[persona], **roster_fields(world))


def test_a_committee_member_may_create_in_the_branch(world):
    assert member_create(acting_user=world.committee_member_a, **roster_fields(world)).pk


def test_update_saves_valid_changes(world):
    member_update(acting_user=world.secretary_a, member=world.member_a2, name="张宏", position="副处长")
    world.member_a2.refresh_from_db()
    assert (world.member_a2.name, world.member_a2.name_initials, world.member_a2.position) == ("张宏", "zh", "副处长")


def test_update_with_a_wrong_id_number_leaves_the_stored_number_unchanged(world):
    member = world.member_a
    stored = member.id_number
    wrong = stored[:17] + ("0" if stored[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        member_update(acting_user=world.secretary_a, member=member, id_number=wrong, position="处长")
    assert errors_of(excinfo) == {"id_number": [idcard.ERR_CHECKSUM]}
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.id_number, fresh.position) == (stored, "科员")


def test_update_with_another_members_id_number_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_update(acting_user=world.admin, member=world.member_a, id_number=world.member_b.id_number)
    assert errors_of(excinfo)["id_number"] == [ERR_ID_DUPLICATE]


def test_update_refuses_moving_a_member_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        member_update(acting_user=world.secretary_a, member=world.member_a, org=world.branch_b, group=None)
    assert Member.objects.get(pk=world.member_a.pk).org == world.branch_a


def test_update_checks_the_stored_org_not_the_one_already_set_on_the_instance(world):
    # A ModelForm writes the posted org onto the instance before the service runs: the service must still
    # refuse secretary B a member who is, in the database, in branch A.
    member = Member.objects.get(pk=world.member_a.pk)
    member.org, member.group = world.branch_b, None
    with pytest.raises(PermissionDenied):
        member_update(acting_user=world.secretary_b, member=member, position="被挪用")
    fresh = Member.objects.get(pk=world.member_a.pk)
    assert (fresh.org, fresh.position) == (world.branch_a, "科员")


def test_update_refused_outside_scope(world):
    with pytest.raises(PermissionDenied):
        member_update(acting_user=world.secretary_b, member=world.member_a, position="处长")
    assert Member.objects.get(pk=world.member_a.pk).position == "科员"


# --- member_change_status ---------------------------------------------------------------------------------


def test_suspension_is_recorded_in_the_history(world):
    member = member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.SUSPENDED,
        changed_on=date(2025, 3, 1),
        reason="机关党委决定停止党籍",
    )
    assert (member.status, member.status_changed_on, member.exit_kind) == (Status.SUSPENDED, date(2025, 3, 1), "")
    change = StatusChange.objects.get(member=world.member_a)
    assert (change.from_status, change.to_status, change.changed_on) == (
        Status.ACTIVE,
        Status.SUSPENDED,
        date(2025, 3, 1),
    )
    assert (change.reason, change.changed_by, change.exit_kind) == ("机关党委决定停止党籍", world.secretary_a, "")
    assert Member.objects.get(pk=world.member_a.pk).status == Status.SUSPENDED


@pytest.mark.parametrize("kind", list(ExitKind))
def test_leaving_the_party_records_its_kind(world, kind):
    member = member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.EXPELLED,
        exit_kind=kind,
        changed_on=date(2025, 3, 1),
        reason="支部大会决议",
    )
    assert (member.status, member.exit_kind) == (Status.EXPELLED, kind)
    change = StatusChange.objects.get(member=member)
    assert (change.from_status, change.to_status, change.exit_kind) == (Status.ACTIVE, Status.EXPELLED, kind)


def test_leaving_the_party_without_a_kind_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_change_status(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_status=Status.EXPELLED,
            changed_on=date(2025, 3, 1),
            reason="支部大会决议",
        )
    assert errors_of(excinfo) == {"exit_kind": [ERR_EXIT_KIND]}
    assert Member.objects.get(pk=world.member_a.pk).status == Status.ACTIVE
    assert not StatusChange.objects.exists()


def test_death_is_recorded_and_an_exit_kind_is_not_kept(world):
    member = member_change_status(
        acting_user=world.admin,
        member=world.member_a,
        to_status=Status.DECEASED,
        exit_kind=ExitKind.LAPSED,
        changed_on=date(2025, 3, 1),
        reason="病故",
    )
    assert (member.status, member.exit_kind) == (Status.DECEASED, "")
    assert StatusChange.objects.get(member=member).to_status == Status.DECEASED


def test_the_same_status_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_change_status(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_status=Status.ACTIVE,
            changed_on=date(2025, 3, 1),
            reason="无",
        )
    assert errors_of(excinfo) == {"to_status": [ERR_SAME_STATUS]}
    assert not StatusChange.objects.exists()


def test_transfer_out_is_not_a_plain_status_change(world):
    with pytest.raises(ValidationError) as excinfo:
        member_change_status(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_status=Status.TRANSFERRED_OUT,
            changed_on=date(2025, 3, 1),
            reason="调离",
        )
    assert errors_of(excinfo) == {"to_status": [ERR_STATUS_TARGET]}


def test_a_status_change_cannot_be_dated_in_the_future(world, tomorrow):
    with pytest.raises(ValidationError) as excinfo:
        member_change_status(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_status=Status.DECEASED,
            changed_on=tomorrow,
            reason="病故",
        )
    assert errors_of(excinfo) == {"changed_on": [future_message()]}
    assert not StatusChange.objects.exists()


def test_a_status_change_needs_a_reason(world):
    with pytest.raises(ValidationError) as excinfo:
        member_change_status(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_status=Status.SUSPENDED,
            changed_on=date(2025, 3, 1),
            reason="",
        )
    assert list(errors_of(excinfo)) == ["reason"]
    assert not StatusChange.objects.exists()


def test_restoring_clears_the_exit_kind_and_keeps_both_rows(world):
    common = {"acting_user": world.secretary_a, "member": world.member_a, "reason": "决定"}
    member_change_status(
        **common, to_status=Status.EXPELLED, exit_kind=ExitKind.STRUCK_OFF, changed_on=date(2025, 1, 1)
    )
    member = member_change_status(**common, to_status=Status.ACTIVE, changed_on=date(2025, 2, 1))
    assert (member.status, member.exit_kind) == (Status.ACTIVE, "")
    assert list(StatusChange.objects.filter(member=member).values_list("from_status", "to_status")) == [
        (Status.EXPELLED, Status.ACTIVE),
        (Status.ACTIVE, Status.EXPELLED),
    ]


@pytest.mark.parametrize("persona", ["secretary_b", "inspector", "member_user_a"])
def test_status_change_refused_outside_scope(world, persona):
    with pytest.raises(PermissionDenied):
        member_change_status(
            acting_user=world.personas()[persona],
            member=world.member_a,
            to_status=Status.SUSPENDED,
            changed_on=date(2025, 3, 1),
            reason="越权",
        )
    assert Member.objects.get(pk=world.member_a.pk).status == Status.ACTIVE
    assert not StatusChange.objects.exists()


# --- transfers ---------------------------------------------------------------------------------------------


def transfer_out(world, member=None, **overrides):
    kwargs = {
        "acting_user": world.secretary_a,
        "member": member or world.member_a,
        "transferred_on": date(2025, 11, 30),
        "destination": "某市财政局机关党委",
        "letter_number": "组转字〔2025〕12号",
        "reason": "工作调动",
    }
    kwargs.update(overrides)
    return member_transfer_out(**kwargs)


def test_transfer_out_records_the_letter_and_the_status(world):
    transfer = transfer_out(world)
    assert transfer.kind == TransferKind.OUT
    assert (transfer.from_org, transfer.to_org, transfer.external_org) == (world.branch_a, None, "某市财政局机关党委")
    assert (transfer.letter_number, transfer.handled_by, transfer.reason) == (
        "组转字〔2025〕12号",
        world.secretary_a,
        "工作调动",
    )
    expected = date(2025, 11, 30) + relativedelta(months=rules.TRANSFER_LETTER_VALID_MONTHS)
    assert transfer.letter_valid_until == expected
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.status, member.status_changed_on, member.org) == (
        Status.TRANSFERRED_OUT,
        date(2025, 11, 30),
        world.branch_a,
    )
    change = StatusChange.objects.get(member=member)
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.ACTIVE,
        Status.TRANSFERRED_OUT,
        world.secretary_a,
    )
    assert "某市财政局机关党委" in change.reason


def test_the_letters_validity_comes_from_the_rules(world, monkeypatch):
    # DOMAIN.md §2: 3 or 6 months depending on the province. 30 November + 3 months is 28 February (no 30th).
    monkeypatch.setattr(rules, "TRANSFER_LETTER_VALID_MONTHS", 3)
    assert transfer_out(world).letter_valid_until == date(2026, 2, 28)
    monkeypatch.setattr(rules, "TRANSFER_LETTER_VALID_MONTHS", 6)
    assert transfer_out(world, member=world.member_a2).letter_valid_until == date(2026, 5, 30)


def test_transfer_out_needs_a_destination(world):
    with pytest.raises(ValidationError) as excinfo:
        transfer_out(world, destination="  ")
    assert errors_of(excinfo) == {"destination": [ERR_DESTINATION]}
    assert not Transfer.objects.exists()


def test_transfer_out_cannot_be_dated_in_the_future(world, tomorrow):
    with pytest.raises(ValidationError) as excinfo:
        transfer_out(world, transferred_on=tomorrow)
    assert errors_of(excinfo) == {"transferred_on": [future_message()]}
    assert not Transfer.objects.exists()


def test_transfer_out_only_for_members_in_register(world):
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.SUSPENDED,
        changed_on=date(2025, 1, 1),
        reason="决定",
    )
    with pytest.raises(ValidationError) as excinfo:
        transfer_out(world)
    assert excinfo.value.messages == [ERR_NOT_ACTIVE.format(status="停止党籍")]
    assert not Transfer.objects.exists()


def test_transfer_out_refused_outside_scope(world):
    with pytest.raises(PermissionDenied):
        transfer_out(world, acting_user=world.secretary_b)
    assert not Transfer.objects.exists()


def test_transfer_in_brings_the_member_back_to_the_chosen_branch(world):
    transfer_out(world)
    transfer = member_transfer_in(
        acting_user=world.admin,
        member=world.member_a,
        to_org=world.branch_b,
        transferred_on=date(2025, 12, 20),
        source="某市财政局机关党委",
        letter_number="转字88号",
    )
    assert (transfer.kind, transfer.to_org, transfer.external_org) == (
        TransferKind.IN,
        world.branch_b,
        "某市财政局机关党委",
    )
    assert (transfer.letter_number, transfer.handled_by) == ("转字88号", world.admin)
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.status, member.org, member.group) == (Status.ACTIVE, world.branch_b, None)
    assert member.status_changed_on == date(2025, 12, 20)
    assert list(StatusChange.objects.filter(member=member).values_list("from_status", "to_status")) == [
        (Status.TRANSFERRED_OUT, Status.ACTIVE),
        (Status.ACTIVE, Status.TRANSFERRED_OUT),
    ]
    assert Transfer.objects.filter(member=member).count() == 2


def test_transfer_in_only_for_transferred_out_members(world):
    with pytest.raises(ValidationError) as excinfo:
        member_transfer_in(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_org=world.branch_a,
            transferred_on=date(2025, 1, 1),
            source="x",
        )
    assert excinfo.value.messages == [ERR_NOT_TRANSFERRED_OUT]
    assert not Transfer.objects.exists()


def test_transfer_in_into_a_branch_outside_scope_is_refused(world):
    transfer_out(world)
    with pytest.raises(PermissionDenied) as excinfo:
        member_transfer_in(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_org=world.branch_b,
            transferred_on=date(2025, 12, 1),
            source="x",
        )
    assert str(excinfo.value) == ERR_TARGET_OUT_OF_SCOPE
    assert Member.objects.get(pk=world.member_a.pk).status == Status.TRANSFERRED_OUT


def test_transfer_in_of_another_branchs_former_member_is_refused(world):
    # Secretary B cannot see branch A's former members, so cannot take one into branch B either.
    transfer_out(world)
    with pytest.raises(PermissionDenied):
        member_transfer_in(
            acting_user=world.secretary_b,
            member=world.member_a,
            to_org=world.branch_b,
            transferred_on=date(2025, 12, 1),
            source="x",
        )
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.status, member.org) == (Status.TRANSFERRED_OUT, world.branch_a)


def test_transfer_in_cannot_be_dated_in_the_future(world, tomorrow):
    transfer_out(world)
    with pytest.raises(ValidationError) as excinfo:
        member_transfer_in(
            acting_user=world.secretary_a,
            member=world.member_a,
            to_org=world.branch_a,
            transferred_on=tomorrow,
            source="x",
        )
    assert errors_of(excinfo) == {"transferred_on": [future_message()]}
    assert Transfer.objects.count() == 1


def test_move_between_branches_is_an_internal_transfer(world):
    transfer = member_move(
        acting_user=world.admin,
        member=world.member_a,
        to_org=world.branch_b,
        transferred_on=date(2025, 5, 1),
        reason="岗位调整",
    )
    assert (transfer.kind, transfer.from_org, transfer.to_org) == (
        TransferKind.INTERNAL,
        world.branch_a,
        world.branch_b,
    )
    assert (transfer.reason, transfer.handled_by, transfer.transferred_on) == (
        "岗位调整",
        world.admin,
        date(2025, 5, 1),
    )
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.org, member.group, member.status) == (world.branch_b, None, Status.ACTIVE)
    assert not StatusChange.objects.exists()


def test_move_into_a_branch_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied) as excinfo:
        member_move(
            acting_user=world.secretary_a, member=world.member_a, to_org=world.branch_b, transferred_on=date(2025, 5, 1)
        )
    assert str(excinfo.value) == ERR_TARGET_OUT_OF_SCOPE
    assert Member.objects.get(pk=world.member_a.pk).org == world.branch_a
    assert not Transfer.objects.exists()


def test_move_of_a_member_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied) as excinfo:
        member_move(
            acting_user=world.secretary_b, member=world.member_a, to_org=world.branch_b, transferred_on=date(2025, 5, 1)
        )
    assert str(excinfo.value) == ERR_OUT_OF_SCOPE
    assert Member.objects.get(pk=world.member_a.pk).org == world.branch_a


def test_move_to_the_same_branch_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_move(
            acting_user=world.admin, member=world.member_a, to_org=world.branch_a, transferred_on=date(2025, 5, 1)
        )
    assert errors_of(excinfo) == {"to_org": [ERR_SAME_ORG]}


def test_move_to_a_group_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        member_move(
            acting_user=world.admin, member=world.member_b, to_org=world.group_a, transferred_on=date(2025, 5, 1)
        )
    assert errors_of(excinfo) == {"org": [ERR_ORG_KIND]}
    assert Member.objects.get(pk=world.member_b.pk).org == world.branch_b
    assert not Transfer.objects.exists()


def test_move_cannot_be_dated_in_the_future(world, tomorrow):
    with pytest.raises(ValidationError) as excinfo:
        member_move(acting_user=world.admin, member=world.member_a, to_org=world.branch_b, transferred_on=tomorrow)
    assert errors_of(excinfo) == {"transferred_on": [future_message()]}
    assert not Transfer.objects.exists()


def test_move_only_for_members_in_register(world):
    transfer_out(world)
    with pytest.raises(ValidationError) as excinfo:
        member_move(
            acting_user=world.admin, member=world.member_a, to_org=world.branch_b, transferred_on=date(2025, 12, 5)
        )
    assert excinfo.value.messages == [ERR_NOT_ACTIVE.format(status="转出")]


# --- members are kept forever -------------------------------------------------------------------------------


def test_no_service_deletes_a_member_and_history_protects_the_row(world):
    before = set(Member.objects.values_list("pk", flat=True))
    transfer_out(world)
    member_transfer_in(
        acting_user=world.admin,
        member=world.member_a,
        to_org=world.branch_b,
        transferred_on=date(2025, 12, 20),
        source="x",
    )
    member_move(
        acting_user=world.admin, member=world.member_a, to_org=world.branch_a, transferred_on=date(2025, 12, 21)
    )
    member_change_status(
        acting_user=world.admin,
        member=world.member_a2,
        to_status=Status.EXPELLED,
        exit_kind=ExitKind.EXPELLED,
        changed_on=date(2025, 12, 1),
        reason="开除党籍",
    )
    member_change_status(
        acting_user=world.admin,
        member=world.member_b,
        to_status=Status.DECEASED,
        changed_on=date(2025, 12, 1),
        reason="病故",
    )
    assert set(Member.objects.values_list("pk", flat=True)) == before
    with pytest.raises(ProtectedError):
        Member.objects.get(pk=world.member_b.pk).delete()


# --- dissolved orgs take no new members -------------------------------------------------------------------------


@pytest.fixture
def dissolved_branch(world):
    from dangjian.orgs.tests.factories import OrgFactory

    org = OrgFactory(name="已撤销党支部", code="GONE", parent=world.general)
    org.dissolved_on = date(2026, 1, 1)
    org.save()
    return org


def test_dissolved_branch_takes_no_new_member(world, dissolved_branch):
    data = {f: getattr(MemberFactory.build(), f) for f in ("name", "gender", "birth_date", "id_number", "education")}
    with pytest.raises(ValidationError) as excinfo:
        member_create(
            acting_user=world.admin,
            org=dissolved_branch,
            category="probationary",
            joined_on=date(2025, 7, 1),
            position="科员",
            phone="13900000001",
            **data,
        )
    assert excinfo.value.message_dict == {"org": [ERR_ORG_DISSOLVED]}
    assert not Member.objects.filter(org=dissolved_branch).exists()


def test_dissolved_branch_is_no_move_target(world, dissolved_branch):
    with pytest.raises(ValidationError) as excinfo:
        member_move(
            acting_user=world.admin, member=world.member_a, to_org=dissolved_branch, transferred_on=date(2026, 2, 1)
        )
    assert excinfo.value.message_dict == {"to_org": [ERR_ORG_DISSOLVED]}
    world.member_a.refresh_from_db()
    assert world.member_a.org == world.branch_a


def test_dissolved_branch_is_no_transfer_in_target(world, dissolved_branch):
    member_transfer_out(
        acting_user=world.admin, member=world.member_a, transferred_on=date(2026, 2, 1), destination="外单位党支部"
    )
    with pytest.raises(ValidationError) as excinfo:
        member_transfer_in(
            acting_user=world.admin,
            member=world.member_a,
            to_org=dissolved_branch,
            transferred_on=date(2026, 3, 1),
            source="外单位党支部",
        )
    assert excinfo.value.message_dict == {"to_org": [ERR_ORG_DISSOLVED]}
    world.member_a.refresh_from_db()
    assert world.member_a.status == Status.TRANSFERRED_OUT
