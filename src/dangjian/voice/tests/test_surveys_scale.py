"""Surveys in scale data set L (voice/scale.py), on the small set every producer's tests build: the root's anonymous
survey answered by every member in the register, the rows as answer() writes them, results over the whole tree."""

import pytest

from dangjian.core.tests.scale_set import seed
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.voice import surveys
from dangjian.voice.models import Answer, Participation, Response, Survey
from dangjian.voice.scale import SCALE_SURVEY_TITLE


@pytest.fixture
def small(db):
    return seed(years=1)


def test_every_member_answered_anonymously(small):
    survey = Survey.objects.unrestricted().get(title=SCALE_SURVEY_TITLE)
    active = Member.objects.unrestricted().filter(status=Status.ACTIVE).count()
    responses = Response.objects.unrestricted().filter(survey=survey)
    assert responses.count() == Participation.objects.unrestricted().filter(survey=survey).count() == active
    assert small.counts["问卷答卷"] == active
    assert not responses.filter(member__isnull=False).exists()
    assert not responses.filter(answered_on__isnull=False).exists()
    result = surveys.results(survey)
    assert result.responses == active
    single = result.questions[0]
    assert sum(o.count for o in single.options) == active == single.answered
    assert 1 <= result.questions[2].average <= 5
    assert Answer.objects.unrestricted().filter(response__survey=survey).count() > 2 * active
    assert surveys.shown_state(survey) == "closed"
