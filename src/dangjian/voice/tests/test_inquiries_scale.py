"""The 首问 part of scale data set L (voice/scale.py), on the small set every producer's tests build."""

import pytest

from dangjian.core import clock
from dangjian.core.tests.scale_set import seed
from dangjian.voice.choices import InquiryState
from dangjian.voice.models import HandOff, Inquiry


@pytest.fixture
def small(db):
    return seed(years=1)


def test_inquiries_written(small):
    rows = Inquiry.objects.unrestricted()
    assert rows.count() == small.counts["首问登记"] > 0
    assert rows.filter(state=InquiryState.CLOSED).exclude(satisfaction="").exists()
    assert HandOff.objects.unrestricted().exists()
    assert not rows.filter(asked_at__date__gt=clock.today()).exists()
    for inquiry in rows.filter(state=InquiryState.OPEN)[:50]:
        chain = list(HandOff.objects.unrestricted().filter(inquiry=inquiry).order_by("at"))
        expected = chain[-1].to_member_id if chain else inquiry.first_person_id
        assert inquiry.holder_id == expected
