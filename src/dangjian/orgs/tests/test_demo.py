"""The orgs' part of demo data set S (orgs/demo.py): the tree DESIGN.md promises."""

import pytest

from dangjian.core import clock as core_clock
from dangjian.core.demo import demo_seed
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.demo import COMMITTEE_NAME, DEMO_COMMITTEE_CODE
from dangjian.orgs.models import Organization


@pytest.fixture
def demo(db):
    return demo_seed(today=core_clock.today())


def test_it_builds_the_promised_tree(demo):
    committee = Organization.objects.get(code=DEMO_COMMITTEE_CODE)
    orgs = Organization.objects.filter(path__startswith=committee.path)
    assert demo.created and demo.title == committee.name == COMMITTEE_NAME
    assert committee.is_root()
    assert orgs.filter(kind=OrgKind.COMMITTEE).count() == 1
    assert orgs.filter(kind=OrgKind.GENERAL_BRANCH).count() == 2
    branches = orgs.filter(kind=OrgKind.BRANCH)
    assert branches.count() == 12
    assert all(b.department for b in branches)
    parents = {Organization.objects.get_parent(b).kind for b in branches}
    assert parents == {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH}
    for group in orgs.filter(kind=OrgKind.GROUP):
        assert Organization.objects.get_parent(group).kind == OrgKind.BRANCH
    assert demo.counts[OrgKind.GROUP.label] == orgs.filter(kind=OrgKind.GROUP).count() > 0
