"""Writes on the org tree (orgs.services), against the real database with the personas of conftest.world.

World: 测试机关党委 ─┬─ 第一党总支 ── 办公室党支部 (A: 王小明, 张宏伟=书记) ── 第一党小组 (王小明)
                    └─ 财务处党支部 (B: 李秀英=书记)
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.lib.dates import format_cn_date
from dangjian.members.choices import Category, Status
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs import rules, services
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.selectors import current_terms, member_counts, org_tree
from dangjian.orgs.tests.factories import OrgFactory


def constraint_message(model, name: str) -> str:
    """The violation message of a DB constraint, as declared on the model."""
    return next(c.violation_error_message for c in model._meta.constraints if c.name == name)


def fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def tree_snapshot() -> list[tuple]:
    return list(Organization.objects.order_by("pk").values_list("pk", "path", "depth", "numchild", "dissolved_on"))


# ── org_create ──────────────────────────────────────────────────────────────


def test_it_creates_a_group_under_a_branch(world):
    group = services.org_create(
        acting_user=world.secretary_a, parent=world.branch_a, name="第二党小组", kind=OrgKind.GROUP, code="A-2"
    )
    assert fresh(group).depth == world.branch_a.depth + 1
    assert list(Organization.objects.get_children(fresh(world.branch_a))) == [world.group_a, group]


def test_it_creates_a_general_branch_under_the_committee(world):
    general = services.org_create(
        acting_user=world.admin, parent=world.committee, name="第二党总支", kind=OrgKind.GENERAL_BRANCH, code="ZZ2"
    )
    assert Organization.objects.get_parent(fresh(general)) == world.committee


@pytest.mark.parametrize(
    ("parent_attr", "parent_label"),
    [("committee", "机关党委"), ("general", "党总支"), ("group_a", "党小组")],
)
def test_it_refuses_a_group_outside_a_branch(world, parent_attr, parent_label):
    before = tree_snapshot()
    with pytest.raises(ValidationError) as error:
        services.org_create(
            acting_user=world.admin, parent=getattr(world, parent_attr), name="党小组", kind=OrgKind.GROUP, code="X1"
        )
    assert error.value.message_dict == {"parent": [services.ERR_PARENT_KIND.format(kind="党小组", parent=parent_label)]}
    assert tree_snapshot() == before


@pytest.mark.parametrize(("parent_attr", "parent_label"), [("general", "党总支"), ("branch_a", "党支部")])
def test_it_refuses_a_general_branch_outside_the_committee(world, parent_attr, parent_label):
    with pytest.raises(ValidationError) as error:
        services.org_create(
            acting_user=world.admin,
            parent=getattr(world, parent_attr),
            name="党总支",
            kind=OrgKind.GENERAL_BRANCH,
            code="X2",
        )
    assert error.value.message_dict == {"parent": [services.ERR_PARENT_KIND.format(kind="党总支", parent=parent_label)]}
    assert not Organization.objects.filter(code="X2").exists()


def test_it_refuses_a_branch_as_a_root(world):
    world.admin.is_superuser = True
    with pytest.raises(ValidationError) as error:
        services.org_create(acting_user=world.admin, parent=None, name="孤立党支部", kind=OrgKind.BRANCH, code="X3")
    assert error.value.message_dict == {"parent": [services.ERR_ROOT_KIND.format(kind="党支部")]}


def test_it_refuses_a_new_root_to_a_committee_admin(world):
    with pytest.raises(PermissionDenied):
        services.org_create(acting_user=world.admin, parent=None, name="新机关党委", kind=OrgKind.COMMITTEE, code="X4")


def test_it_refuses_a_parent_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.org_create(
            acting_user=world.secretary_b, parent=world.branch_a, name="党小组", kind=OrgKind.GROUP, code="X5"
        )
    assert not Organization.objects.filter(code="X5").exists()


def test_it_refuses_a_dissolved_parent(world):
    empty = OrgFactory(name="空党支部", code="E", parent=world.committee)
    services.org_dissolve(acting_user=world.admin, org=empty, dissolved_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.org_create(acting_user=world.admin, parent=fresh(empty), name="党小组", kind=OrgKind.GROUP, code="X6")
    assert error.value.message_dict == {"parent": [services.ERR_DISSOLVED]}


def test_it_refuses_a_duplicate_code(world):
    with pytest.raises(ValidationError) as error:
        services.org_create(acting_user=world.admin, parent=world.committee, name="重复", kind=OrgKind.BRANCH, code="A")
    assert list(error.value.message_dict) == ["code"]


# ── org_update ──────────────────────────────────────────────────────────────


def test_it_renames_an_org(world):
    services.org_update(acting_user=world.secretary_a, org=world.branch_a, name="综合办公室党支部")
    assert fresh(world.branch_a).name == "综合办公室党支部"


def test_it_refuses_to_edit_a_dissolved_org(world):
    empty = OrgFactory(name="空党支部", code="E", parent=world.committee)
    services.org_dissolve(acting_user=world.admin, org=empty, dissolved_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.org_update(acting_user=world.admin, org=fresh(empty), name="复活党支部")
    assert error.value.messages == [services.ERR_DISSOLVED]
    assert fresh(empty).name == "空党支部"


def test_it_refuses_to_edit_an_org_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.org_update(acting_user=world.secretary_b, org=world.branch_a, name="改名")
    assert fresh(world.branch_a).name == "办公室党支部"


# ── org_move ────────────────────────────────────────────────────────────────


def test_it_moves_the_subtree_with_its_members(world):
    counts_before = member_counts([world.committee, world.branch_a, world.group_a])
    moved = services.org_move(acting_user=world.admin, org=world.branch_a, new_parent=world.committee)

    committee, general, group = fresh(world.committee), fresh(world.general), fresh(world.group_a)
    assert Organization.objects.get_parent(moved) == committee
    assert moved.depth == 2 and group.depth == 3
    assert Organization.objects.get_parent(group) == moved
    # Paths stay consistent: the subtree hangs under its new parent and nowhere else.
    assert set(Organization.objects.get_descendants(moved)) == {world.group_a}
    assert set(Organization.objects.get_descendants(committee)) == {general, moved, group, world.branch_b}
    assert list(Organization.objects.get_descendants(general)) == []
    assert general.numchild == 0 and committee.numchild == 3
    assert all(not problems for problems in Organization.objects.find_problems())
    # Members and committee stay attached to the moved orgs, so the counts do not change.
    world.member_a.refresh_from_db()
    assert (world.member_a.org, world.member_a.group) == (moved, group)
    assert CommitteeTerm.objects.get(pk=world.term_a.pk).org == moved
    counts_after = member_counts([committee, moved, group])
    assert counts_after == counts_before
    assert member_counts([general])[general.pk].total == 0


def test_it_refuses_to_move_an_org_into_its_own_subtree(world):
    before = tree_snapshot()
    for target in (world.general, world.branch_a):
        with pytest.raises(ValidationError) as error:
            services.org_move(acting_user=world.admin, org=world.general, new_parent=target)
        assert error.value.message_dict == {"parent": [services.ERR_MOVE_INTO_SELF]}
    assert tree_snapshot() == before


def test_it_refuses_a_target_out_of_scope(world):
    empty_group = OrgFactory(name="空党小组", kind=OrgKind.GROUP, code="A-9", parent=world.branch_a)
    before = tree_snapshot()
    with pytest.raises(PermissionDenied):
        services.org_move(acting_user=world.secretary_a, org=empty_group, new_parent=world.branch_b)
    assert tree_snapshot() == before


def test_it_refuses_to_move_an_org_whose_parent_is_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.org_move(acting_user=world.secretary_a, org=world.branch_a, new_parent=world.committee)


def test_it_refuses_a_target_of_the_wrong_kind(world):
    with pytest.raises(ValidationError) as error:
        services.org_move(acting_user=world.admin, org=world.branch_b, new_parent=world.branch_a)
    assert error.value.message_dict == {"parent": [services.ERR_PARENT_KIND.format(kind="党支部", parent="党支部")]}


def test_it_moves_an_empty_group_to_another_branch(world):
    empty_group = OrgFactory(name="空党小组", kind=OrgKind.GROUP, code="A-9", parent=world.branch_a)
    moved = services.org_move(acting_user=world.admin, org=empty_group, new_parent=world.branch_b)
    assert Organization.objects.get_parent(moved) == world.branch_b


def test_it_refuses_to_move_a_group_away_from_its_members_branch(world):
    # A member's 党小组 must belong to their 党支部 (members.models.ERR_GROUP_NOT_IN_BRANCH): moving the group
    # to another branch would leave 王小明 in 办公室党支部 but in a group of 财务处党支部.
    before = tree_snapshot()
    with pytest.raises(ValidationError) as error:
        services.org_move(acting_user=world.admin, org=world.group_a, new_parent=world.branch_b)
    assert error.value.message_dict == {"parent": [services.ERR_MOVE_GROUP_MEMBERS.format(n=1)]}
    assert tree_snapshot() == before


# ── org_dissolve ────────────────────────────────────────────────────────────


def test_it_refuses_to_dissolve_an_org_with_members(world):
    with pytest.raises(ValidationError) as error:
        services.org_dissolve(acting_user=world.admin, org=world.branch_a, dissolved_on=date(2026, 1, 1))
    assert error.value.messages == [services.ERR_DISSOLVE_MEMBERS.format(n=2)]
    with pytest.raises(ValidationError) as error:
        services.org_dissolve(acting_user=world.admin, org=world.group_a, dissolved_on=date(2026, 1, 1))
    assert error.value.messages == [services.ERR_DISSOLVE_MEMBERS.format(n=1)]
    assert Organization.objects.filter(dissolved_on__isnull=False).count() == 0


def test_it_refuses_to_dissolve_an_org_with_active_children(world):
    branch = OrgFactory(name="空党支部", code="E", parent=world.general)
    OrgFactory(name="空党小组一", kind=OrgKind.GROUP, code="E-1", parent=branch)
    OrgFactory(name="空党小组二", kind=OrgKind.GROUP, code="E-2", parent=branch)
    with pytest.raises(ValidationError) as error:
        services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))
    assert error.value.messages == [services.ERR_DISSOLVE_CHILDREN.format(n=2)]


def test_members_who_left_do_not_block_dissolving(world):
    branch = OrgFactory(name="撤并党支部", code="E", parent=world.committee)
    MemberFactory(org=branch, status=Status.TRANSFERRED_OUT)
    services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))
    assert fresh(branch).dissolved_on == date(2026, 1, 1)


def test_a_dissolved_org_stays_in_the_history(world):
    branch = OrgFactory(name="撤并党支部", code="E", parent=world.committee)
    group = OrgFactory(name="撤并党小组", kind=OrgKind.GROUP, code="E-1", parent=branch)
    services.org_dissolve(acting_user=world.admin, org=group, dissolved_on=date(2026, 1, 1))
    services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 2, 1))

    assert fresh(branch).dissolved_on == date(2026, 2, 1)
    assert fresh(group).dissolved_on == date(2026, 1, 1)
    assert set(Organization.objects.get_descendants(fresh(world.committee))) >= {branch, group}
    shown = org_tree(fetched_by=world.admin)
    assert branch not in shown and group not in shown
    assert world.branch_a in shown
    with_dissolved = org_tree(fetched_by=world.admin, include_dissolved=True)
    assert branch in with_dissolved and group in with_dissolved


def test_it_refuses_to_dissolve_twice(world):
    branch = OrgFactory(name="撤并党支部", code="E", parent=world.committee)
    services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 3, 1))
    assert error.value.messages == [services.ERR_DISSOLVED]
    assert fresh(branch).dissolved_on == date(2026, 1, 1)


def test_it_refuses_to_dissolve_out_of_scope(world):
    empty_group = OrgFactory(name="空党小组", kind=OrgKind.GROUP, code="A-9", parent=world.branch_a)
    with pytest.raises(PermissionDenied):
        services.org_dissolve(acting_user=world.secretary_b, org=empty_group, dissolved_on=date(2026, 1, 1))
    # A secretary may not dissolve their own branch: that needs the right over its parent.
    with pytest.raises(PermissionDenied):
        services.org_dissolve(acting_user=world.secretary_a, org=world.branch_a, dissolved_on=date(2026, 1, 1))
    assert fresh(empty_group).dissolved_on is None


# ── term_create ─────────────────────────────────────────────────────────────

#: A day after the terms these tests open (2028-01-05, 2028-02-29): a term cannot start in the future.
TERMS_TODAY = date(2028, 3, 1)


def test_term_lengths_follow_the_2018_opinion():
    # 中办2018年意见: 基层委员会 (机关党委) 5 years, 党总支 and 党支部 3 years (党章 allows 3–5).
    assert rules.TERM_YEARS[OrgKind.BRANCH] == 3
    assert rules.TERM_YEARS[OrgKind.GENERAL_BRANCH] == 3
    assert rules.TERM_YEARS[OrgKind.COMMITTEE] == 5


@pytest.mark.parametrize("org_attr", ["branch_a", "general", "committee"])
def test_a_term_ends_after_the_regular_length_by_default(world, org_attr, clock):
    clock.set(TERMS_TODAY)
    org = getattr(world, org_attr)
    term = services.term_create(acting_user=world.admin, org=org, started_on=date(2028, 1, 5))
    assert term.ends_on == date(2028, 1, 5) + relativedelta(years=rules.TERM_YEARS[org.kind])


def test_a_branch_term_ends_after_3_years_and_the_committees_after_5(world, clock):
    clock.set(TERMS_TODAY)
    branch_term = services.term_create(acting_user=world.admin, org=world.branch_b, started_on=date(2028, 2, 29))
    committee_term = services.term_create(acting_user=world.admin, org=world.committee, started_on=date(2026, 6, 1))
    assert branch_term.ends_on == date(2031, 2, 28)
    assert committee_term.ends_on == date(2031, 6, 1)


def test_an_explicit_end_is_kept(world, clock):
    clock.set(TERMS_TODAY)
    term = services.term_create(
        acting_user=world.admin, org=world.branch_a, started_on=date(2028, 1, 5), ends_on=date(2030, 12, 31)
    )
    assert CommitteeTerm.objects.get(pk=term.pk).ends_on == date(2030, 12, 31)


def test_it_refuses_an_end_before_the_start(world, clock):
    clock.set(TERMS_TODAY)
    with pytest.raises(ValidationError) as error:
        services.term_create(
            acting_user=world.admin, org=world.branch_a, started_on=date(2028, 1, 5), ends_on=date(2028, 1, 5)
        )
    message = constraint_message(CommitteeTerm, "term_ends_after_start")
    assert error.value.message_dict == {"ends_on": [message]}
    assert CommitteeTerm.objects.filter(org=world.branch_a).count() == 1
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on is None


def test_a_new_term_ends_the_previous_terms_seats(world, clock):
    clock.set(TERMS_TODAY)
    other = services.seat_add(
        acting_user=world.admin,
        term=world.term_a,
        member=world.member_a,
        role=CommitteeRole.ORGANIZATION,
        started_on=date(2025, 3, 1),
    )
    term = services.term_create(acting_user=world.secretary_a, org=world.branch_a, started_on=date(2028, 1, 5))

    assert set(CommitteeSeat.objects.filter(term=world.term_a).values_list("ended_on", flat=True)) == {date(2028, 1, 5)}
    assert current_terms([world.branch_a.pk])[world.branch_a.pk] == term
    assert current_terms([world.branch_a.pk])[world.branch_a.pk].seat_count == 0
    # Another branch's committee is untouched.
    assert CommitteeSeat.objects.get(pk=world.seat_b.pk).ended_on is None
    # The seats' leaving is in the audit log, like any other change.
    for seat in (world.seat_a, other):
        entries = LogEntry.objects.get_for_object(seat).filter(action=LogEntry.Action.UPDATE)
        assert any("ended_on" in entry.changes_dict for entry in entries)


def test_it_refuses_a_term_starting_before_the_current_one(world):
    with pytest.raises(ValidationError) as error:
        services.term_create(acting_user=world.admin, org=world.branch_a, started_on=date(2024, 12, 1))
    assert error.value.message_dict == {
        "started_on": [services.ERR_TERM_BEFORE_CURRENT.format(date=format_cn_date(world.term_a.started_on))]
    }
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on is None


def test_a_group_has_no_committee(world):
    with pytest.raises(ValidationError) as error:
        services.term_create(acting_user=world.admin, org=world.group_a, started_on=date(2026, 1, 1))
    assert error.value.messages == [services.ERR_TERM_ORG_KIND]


def test_it_refuses_a_term_for_a_dissolved_org(world):
    branch = OrgFactory(name="撤并党支部", code="E", parent=world.committee)
    services.org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.term_create(acting_user=world.admin, org=fresh(branch), started_on=date(2026, 2, 1))
    assert error.value.messages == [services.ERR_DISSOLVED]


def test_it_refuses_a_term_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.term_create(acting_user=world.secretary_b, org=world.branch_a, started_on=date(2028, 1, 5))
    assert CommitteeTerm.objects.filter(org=world.branch_a).count() == 1


# ── seat_add / seat_end ─────────────────────────────────────────────────────


def test_it_adds_a_member_of_the_subtree(world):
    seat = services.seat_add(
        acting_user=world.secretary_a,
        term=world.term_a,
        member=world.member_a,
        role=CommitteeRole.PUBLICITY,
        started_on=date(2025, 2, 1),
    )
    assert CommitteeSeat.objects.get(pk=seat.pk).member == world.member_a
    # A general branch's committee may take members of its branches.
    general_term = services.term_create(acting_user=world.admin, org=world.general, started_on=date(2025, 1, 1))
    services.seat_add(
        acting_user=world.admin,
        term=general_term,
        member=world.member_a,
        role=CommitteeRole.SECRETARY,
        started_on=date(2025, 1, 1),
    )


def test_it_refuses_a_member_outside_the_subtree(world):
    with pytest.raises(ValidationError) as error:
        services.seat_add(
            acting_user=world.admin,
            term=world.term_a,
            member=world.member_b,
            role=CommitteeRole.ORGANIZATION,
            started_on=date(2025, 2, 1),
        )
    assert error.value.message_dict == {"member": [services.ERR_SEAT_MEMBER_ORG]}
    assert not CommitteeSeat.objects.filter(member=world.member_b, term=world.term_a).exists()


@pytest.mark.parametrize("status", [Status.TRANSFERRED_OUT, Status.DECEASED, Status.SUSPENDED])
def test_it_refuses_a_member_not_in_register(world, status):
    gone = MemberFactory(org=world.branch_a, status=status)
    with pytest.raises(ValidationError) as error:
        services.seat_add(
            acting_user=world.admin,
            term=world.term_a,
            member=gone,
            role=CommitteeRole.ORGANIZATION,
            started_on=date(2025, 2, 1),
        )
    assert error.value.message_dict == {"member": [services.ERR_SEAT_MEMBER_ORG]}


def test_a_term_has_one_current_secretary(world):
    with pytest.raises(ValidationError) as error:
        services.seat_add(
            acting_user=world.admin,
            term=world.term_a,
            member=world.member_a,
            role=CommitteeRole.SECRETARY,
            started_on=date(2025, 2, 1),
        )
    assert error.value.message_dict == {"role": [constraint_message(CommitteeSeat, "one_current_secretary")]}
    assert CommitteeSeat.objects.filter(term=world.term_a).count() == 1
    # Once the secretary has left office, a new one may be added.
    services.seat_end(acting_user=world.admin, seat=world.seat_a, ended_on=date(2025, 6, 30))
    seat = services.seat_add(
        acting_user=world.admin,
        term=world.term_a,
        member=world.member_a,
        role=CommitteeRole.SECRETARY,
        started_on=date(2025, 7, 1),
    )
    assert seat.pk


def test_a_member_holds_one_current_seat_per_term(world):
    with pytest.raises(ValidationError) as error:
        services.seat_add(
            acting_user=world.admin,
            term=world.term_a,
            member=world.member_a2,
            role=CommitteeRole.DISCIPLINE,
            started_on=date(2025, 2, 1),
        )
    assert error.value.message_dict == {"member": [constraint_message(CommitteeSeat, "unique_current_seat")]}


def test_it_refuses_a_seat_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.seat_add(
            acting_user=world.secretary_b,
            term=world.term_a,
            member=world.member_a,
            role=CommitteeRole.ORGANIZATION,
            started_on=date(2025, 2, 1),
        )


def test_it_ends_a_seat(world):
    services.seat_end(acting_user=world.secretary_a, seat=world.seat_a, ended_on=date(2025, 6, 30))
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on == date(2025, 6, 30)
    assert current_terms([world.branch_a.pk])[world.branch_a.pk].seat_count == 0


def test_a_seat_cannot_end_before_it_started(world):
    with pytest.raises(ValidationError) as error:
        services.seat_end(acting_user=world.admin, seat=world.seat_a, ended_on=date(2025, 1, 9))
    assert error.value.message_dict == {"ended_on": [services.ERR_SEAT_ENDED]}
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on is None


def test_it_refuses_to_end_a_seat_out_of_scope(world):
    with pytest.raises(PermissionDenied):
        services.seat_end(acting_user=world.secretary_b, seat=world.seat_a, ended_on=date(2025, 6, 30))
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on is None


def test_a_probationary_member_cannot_sit_on_a_committee(world):
    # 党章第七条: 预备党员的权利，除了没有表决权、选举权和被选举权以外，也同正式党员一样 — a committee is elected,
    # so a 预备党员 cannot hold a seat.
    probationary = MemberFactory(org=world.branch_a, category=Category.PROBATIONARY, full_member_on=None)
    with pytest.raises(ValidationError) as error:
        services.seat_add(
            acting_user=world.admin,
            term=world.term_a,
            member=probationary,
            role=CommitteeRole.YOUTH,
            started_on=date(2025, 2, 1),
        )
    assert error.value.message_dict == {"member": [services.ERR_SEAT_PROBATIONARY]}
    assert not CommitteeSeat.objects.filter(member=probationary).exists()
