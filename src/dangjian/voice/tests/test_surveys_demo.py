"""Surveys in demo data set S (voice/demo.py): a closed anonymous survey with many answers and no trace of who gave
them, an open survey of orgs half answered, an open named one; every persona finds something on its pages."""

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.voice import surveys
from dangjian.voice.choices import SurveyState
from dangjian.voice.demo import SURVEY_CLOSED_TITLE, SURVEY_OPEN_TITLE, SURVEY_ORGS_TITLE
from dangjian.voice.models import Participation, Response, Survey

PERSONAS = ("admin", "shuji01", "shuji02", "zhiwei01", "jijian", "dangyuan01")


@pytest.fixture
def demo_set(db):
    return demo_seed(today=clock.today())


def test_the_demo_surveys_and_every_persona(demo_set, client):
    rows = {s.title: s for s in Survey.objects.unrestricted().all()}
    closed = rows[SURVEY_CLOSED_TITLE]
    assert surveys.shown_state(closed) == SurveyState.CLOSED and closed.anonymous
    responses = Response.objects.unrestricted().filter(survey=closed)
    assert responses.count() > 100 and not responses.filter(member__isnull=False).exists()
    assert not responses.filter(answered_by__isnull=False).exists()
    assert Participation.objects.unrestricted().filter(survey=closed).count() == responses.count()
    assert surveys.is_open(rows[SURVEY_ORGS_TITLE]) and surveys.is_open(rows[SURVEY_OPEN_TITLE])
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    waiting = {w.survey.title for w in surveys.waiting_for(users["shuji01"])}
    assert SURVEY_ORGS_TITLE in waiting
    assert SURVEY_OPEN_TITLE in {w.survey.title for w in surveys.waiting_for(users["dangyuan01"])}
    for name in PERSONAS:
        client.force_login(users[name])
        assert client.get(reverse("voice:my_surveys")).status_code == 200
        if users[name].can("view"):
            page = client.get(reverse("voice:surveys")).content.decode()
            assert SURVEY_CLOSED_TITLE in page or name != "admin"
    client.force_login(users["admin"])
    results = client.get(reverse("voice:survey_results", args=[closed.pk])).content.decode()
    assert "匿名问卷" in results and "共 " in results
