"""党员提案's part of demo set S (voice/demo.py): every state, one 承办中 past its deadline (in shuji01's 待办), the
member persona's proposals in every state, and the proposal pages answered for every demo persona."""

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.core.reminders import reminders_for
from dangjian.voice import proposals
from dangjian.voice.choices import ProposalState
from dangjian.voice.models import Proposal

PERSONAS = ("admin", "shuji01", "dangyuan01")


@pytest.fixture
def demo_set(db):
    return demo_seed(today=clock.today())


def test_demo_proposals(demo_set, client):
    rows = Proposal.objects.unrestricted()
    assert demo_set.counts["党员提案"] == rows.count()
    assert set(rows.values_list("state", flat=True)) == set(ProposalState.values)
    assert rows.filter(state="assigned", deadline__lt=clock.today()).exists()
    own = rows.filter(proposer__user__username="dangyuan01")
    assert set(own.values_list("state", flat=True)) == set(ProposalState.values)
    shuji = User.objects.get(username="shuji01")
    assert proposals.overdue_handled(shuji).exists()
    assert any("已超过办理时限" in r.title for r in reminders_for(shuji))
    for username in PERSONAS:
        client.force_login(User.objects.get(username=username))
        for name in ("voice:my_proposals", "voice:proposals_public"):
            assert client.get(reverse(name)).status_code == 200, (username, name)
        if username != "dangyuan01":
            page = client.get(reverse("voice:proposals"))
            assert page.status_code == 200 and "data-proposal=" in page.content.decode(), username
            assert client.get(reverse("voice:proposal_stats")).status_code == 200
    one = own.first()
    client.force_login(User.objects.get(username="dangyuan01"))
    assert client.get(reverse("voice:proposal", args=[one.pk])).status_code == 200
