"""ScopedQuerySet: subtrees from grants, plus the user's own record only where the subtrees miss it."""

import pytest

from dangjian.core.models import User
from dangjian.core.scope import collapse_paths
from dangjian.members.models import Member, StatusChange

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """A new user object, as each request loads one (grants and own_org_path are cached per object)."""
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
