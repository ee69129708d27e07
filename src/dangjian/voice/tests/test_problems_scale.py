"""The consultations and problems of scale set L, on a small seed: every state, some overdue, owners in their org."""

import pytest

from dangjian.core.tests.scale_set import seed
from dangjian.voice import problems
from dangjian.voice.choices import ProblemState
from dangjian.voice.models import Consultation, Opinion, Problem


@pytest.mark.django_db
def test_scale_writes_consultations_and_problems():
    seed(years=2)
    rows = Problem.objects.unrestricted().select_related("owner", "org")
    assert rows.exists() and Consultation.objects.unrestricted().exists() and Opinion.objects.unrestricted().exists()
    assert {p.state for p in rows} == set(ProblemState.values)
    assert all(p.owner.org.path.startswith(p.org.path) for p in rows)
    assert all(p.done_on and p.result for p in rows if p.state == ProblemState.DONE)
    assert Problem.objects.unrestricted().filter(problems.overdue_q()).exists()
