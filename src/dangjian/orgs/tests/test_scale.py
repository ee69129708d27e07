"""The orgs' part of scale data set L (orgs/scale.py), on a small set: a sound tree of the asked size, the L
shape, and the sizes and second runs it refuses."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.core import clock as core_clock
from dangjian.core.scale import ScaleSeedError, scale_seed
from dangjian.core.tests.scale_set import ORGS, seed
from dangjian.orgs.choices import ALLOWED_PARENTS, OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.scale import ERR_EXISTS, MIN_BRANCH_SIZE, SCALE_ROOT_CODE, default_orgs, org_counts


@pytest.fixture
def small(db):
    return seed()


def test_the_tree_is_sound(small):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    assert root.is_root() and root.kind == OrgKind.COMMITTEE
    by_path = {o.path: o for o in Organization.objects.all()}
    for org in by_path.values():
        parent = by_path.get(org.path[: -Organization.steplen])
        assert (parent.kind if parent else None) in ALLOWED_PARENTS[org.kind], org.code
        assert org.numchild == sum(1 for p in by_path if p.startswith(org.path) and len(p) == len(org.path) + 4)
        if org.kind == OrgKind.BRANCH:
            assert org.department and org.members.count() >= MIN_BRANCH_SIZE
        if org.kind == OrgKind.GENERAL_BRANCH:
            assert org.numchild >= 2
    # treebeard reads the tree the same way
    assert Organization.objects.get_parent(Organization.objects.get(code=f"{SCALE_ROOT_CODE}001")) == root
    assert Organization.objects.get_descendant_count(root) == ORGS - 1


def test_it_refuses_a_second_run(small):
    before = Organization.objects.count()
    with pytest.raises(CommandError, match=ERR_EXISTS.format(code=SCALE_ROOT_CODE)):
        call_command("seed-scale", "--members", "300", "--orgs", "40", stdout=StringIO())
    assert Organization.objects.count() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": 30, "orgs": 40}, "党员数至少应为党支部数的 3 倍"),
        ({"orgs": 2}, "组织数至少为 3"),
    ],
)
def test_it_refuses_impossible_sizes(db, kwargs, message):
    with pytest.raises(ScaleSeedError, match=message):
        seed(**kwargs)
    assert not Organization.objects.exists()


def test_the_smallest_set_works(db):
    scale_seed(members=3, orgs=3, today=core_clock.today())
    assert [o.kind for o in Organization.objects.all()] == [OrgKind.COMMITTEE, OrgKind.COMMITTEE, OrgKind.BRANCH]
    assert sum(org.members.count() for org in Organization.objects.all()) == 3


def test_the_l_shape():
    counts = org_counts(5000)
    assert counts == {OrgKind.COMMITTEE: 101, OrgKind.GENERAL_BRANCH: 300, OrgKind.BRANCH: 3250, OrgKind.GROUP: 1349}
    assert default_orgs(100_000) == 5000
