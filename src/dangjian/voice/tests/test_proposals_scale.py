"""党员提案's part of scale set L (voice/scale.py) on the small set: every state, nothing after today, each row's
fields as its state needs them, a timeline per proposal."""

import pytest

from dangjian.core import clock
from dangjian.core.tests.scale_set import seed
from dangjian.voice.choices import ProposalState
from dangjian.voice.models import Proposal, ProposalEvent


@pytest.fixture
def small(db):
    return seed(years=3)


def test_proposals_written(small):
    today = clock.today()
    rows = Proposal.objects.unrestricted()
    assert rows.count() == small.counts["党员提案"] > 0
    assert set(rows.values_list("state", flat=True)) >= set(ProposalState.values) - {"merged"}
    assert not rows.filter(submitted_on__gt=today).exists()
    assert not rows.filter(state__in=["assigned", "replied", "closed"], handler_org__isnull=True).exists()
    assert not rows.filter(state="closed", rating="").exists()
    assert not rows.filter(state="rejected", reject_reason="").exists()
    assert ProposalEvent.objects.unrestricted().filter(move="submit").count() == rows.count()
