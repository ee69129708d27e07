"""ScopedQuerySet: subtrees from grants, plus the user's own record only where the subtrees miss it."""

from datetime import date

import pytest
from django.db.models import Q

from dangjian.core.models import User
from dangjian.core.scope import ScopedQuerySet, collapse_paths, roll_up, subtree_q
from dangjian.members.choices import TransferKind
from dangjian.members.models import Member, StatusChange, Transfer, own_member_org_path
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """A new user object, as each request loads one (grants and the own record's org are cached per object)."""
    return User.objects.get(pk=user.pk)


def test_collapse_paths_keeps_the_outermost():
    assert collapse_paths(["00010002", "0001", "00020001", "000200010003"]) == ["0001", "00020001"]


def test_own_record_inside_the_subtree_adds_no_or(world):
    world.member_a2.user = world.secretary_a
    world.member_a2.save()
    secretary = fresh(world.secretary_a)
    visible = Member.objects.visible_to(secretary)
    assert set(visible) == {world.member_a, world.member_a2}
    assert "user_id" not in str(visible.query).split("WHERE")[1]  # the path index serves the whole filter


def test_own_record_outside_the_subtree_is_still_visible(world):
    world.member_a2.user = world.secretary_b  # B's secretary is, oddly, a member of branch A
    world.member_a2.save()
    secretary = fresh(world.secretary_b)
    assert set(Member.objects.visible_to(secretary)) == {world.member_b, world.member_a2}
    assert set(Member.objects.changeable_by(secretary)) == {world.member_b}  # own record: view only


def test_plain_member_sees_only_own_rows(world):
    member = fresh(world.member_user_a)
    assert list(Member.objects.visible_to(member)) == [world.member_a]
    assert not StatusChange.objects.visible_to(member).exclude(member=world.member_a).exists()


def test_subtree_q_keeps_the_rows_of_the_subtrees(world):
    orgs = Organization.objects.unrestricted()
    inside = orgs.filter(subtree_q("path", [world.branch_a.path, world.general.path]))
    assert set(inside) == {world.general, world.branch_a, world.group_a}
    assert set(Member.objects.unrestricted().filter(subtree_q("org__path", [world.branch_b.path]))) == {world.member_b}


def test_subtree_q_of_no_paths_matches_no_row(world):
    assert not Organization.objects.unrestricted().filter(subtree_q("path", [])).exists()


def test_roll_up_sums_each_path_into_its_ancestors():
    rows = [("0001", "full", 1), ("00010001", "full", 2), ("00010001", "prob", 3), ("0002", "full", 4)]
    assert roll_up(rows, steplen=4) == {
        "0001": {"full": 3, "prob": 3},
        "00010001": {"full": 2, "prob": 3},
        "0002": {"full": 4},
    }


def test_declared_own_rows_root_holds_every_own_row(world):
    """restrict() skips the own rows where the granted subtrees hold own_rows_root: it must hold them all."""
    Transfer.objects.create(
        member=world.member_a, kind=TransferKind.INTERNAL, transferred_on=date(2025, 3, 1), from_org=world.branch_b
    )
    user = fresh(world.member_user_a)
    for queryset in (Member.objects.all(), StatusChange.objects.all(), Transfer.objects.all()):
        root = queryset.own_rows_root(user)
        own = queryset.unrestricted().filter(queryset.own_records(user))
        assert root == world.branch_a.path
        assert not own.exclude(subtree_q(queryset.org_path_lookup, [root])).exists(), queryset.model


class TransferByOrgAtTheTime(ScopedQuerySet):
    """A ledger keyed by the org a row was written under (as a fee ledger keyed by the org at payment time)."""

    org_path_lookup = "from_org__path"

    def own_records(self, user):
        return Q(member__user=user)


def test_own_rows_under_an_earlier_org_stay_visible_without_the_shortcut(world):
    """A's secretary is a member of branch A now, and was in branch B when the row was written."""
    world.member_a2.user = world.secretary_a
    world.member_a2.save()
    earlier = Transfer.objects.create(
        member=world.member_a2, kind=TransferKind.INTERNAL, transferred_on=date(2025, 3, 1), from_org=world.branch_b
    )
    secretary = fresh(world.secretary_a)
    assert list(TransferByOrgAtTheTime(Transfer).visible_to(secretary)) == [earlier]

    class WronglyDeclared(TransferByOrgAtTheTime):
        def own_rows_root(self, user):
            return own_member_org_path(user)

    assert list(WronglyDeclared(Transfer).visible_to(secretary)) == []  # what declaring it would lose
