"""承诺践诺 and 服务承诺 in demo set S (voice/demo.py) and the scale set (voice/scale.py): rows made, within the
rules (one per member and year, 践诺 only once its month has come, graded only after the year-end 践诺), and the
pages populated for the demo personas."""

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.core.tests.scale_set import seed
from dangjian.voice.choices import Phase
from dangjian.voice.commitments import phase_opens
from dangjian.voice.models import Commitment, Fulfilment, ServicePromise


def _within_rules(year: int) -> None:
    today = clock.today()
    rows = Commitment.objects.unrestricted().filter(year=year)
    assert rows.exists()
    for f in Fulfilment.objects.unrestricted().filter(commitment__year=year):
        assert today >= phase_opens(f.phase, year) and f.recorded_on <= today
    graded = rows.exclude(grade="")
    assert not graded.exclude(fulfilments__phase=Phase.END).exists()
    assert ServicePromise.objects.unrestricted().filter(active=True).exists()


@pytest.mark.django_db
def test_demo_commitments_and_pages(client):
    demo_seed(today=clock.today())
    year = clock.today().year
    _within_rules(year)
    assert Commitment.objects.unrestricted().filter(year=year - 1).exclude(grade="").exists()
    assert Commitment.objects.unrestricted().filter(year=year, member__isnull=True).exists()
    for username in ("admin", "shuji01", "dangyuan01"):
        client.force_login(User.objects.get(username=username))
        for name in ("voice:my_commitment", "voice:promises_public"):
            assert client.get(reverse(name)).status_code == 200
    client.force_login(User.objects.get(username="shuji01"))
    page = client.get(reverse("voice:commitments")).content.decode()
    assert "未承诺" in page


@pytest.mark.django_db
def test_scale_commitments():
    seed(years=1)
    _within_rules(clock.today().year)
