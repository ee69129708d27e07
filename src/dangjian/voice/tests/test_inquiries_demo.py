"""The 首问 part of demo data set S (voice/demo.py): requests in every department, one closed with the asker's
satisfaction, a chain of two hand-offs whose last is overdue; the pages answer with rows for the demo personas."""

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.voice import inquiries
from dangjian.voice.choices import InquiryState
from dangjian.voice.models import HandOff, Inquiry


@pytest.fixture
def demo_set(db):
    return demo_seed(today=clock.today())


def test_the_demo_register(demo_set, client):
    rows = Inquiry.objects.unrestricted()
    assert demo_set.counts["首问登记"] == rows.count() > 12
    assert rows.filter(state=InquiryState.CLOSED).exclude(satisfaction="").exists()
    overdue = rows.filter(inquiries.overdue_q())
    chained = [i for i in overdue if HandOff.objects.unrestricted().filter(inquiry=i).count() == 2]
    assert chained
    last = HandOff.objects.unrestricted().filter(inquiry=chained[0]).order_by("at").last()
    assert last.due_on < clock.today()
    member = User.objects.get(username="dangyuan01")
    assert inquiries.held_by(member).exists() or inquiries.inquiries_for(member).exists()
    for username in ("admin", "shuji01", "dangyuan01"):
        client.force_login(User.objects.get(username=username))
        url = reverse("voice:my_inquiries" if username == "dangyuan01" else "voice:inquiries")
        page = client.get(url)
        assert page.status_code == 200
        assert "data-inquiry=" in page.content.decode() or username == "dangyuan01"
