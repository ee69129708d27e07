"""Demo set S's consultations and problems: a forum on a demo meeting with opinions, an individual talk, problems in
every state with one overdue, and the member persona owning one (their reminder); the pages answer every persona."""

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.core.reminders import reminders_for
from dangjian.voice import problems
from dangjian.voice.choices import ConsultationKind, ProblemState
from dangjian.voice.models import Consultation, Opinion, Problem

PERSONAS = ("admin", "shuji01", "shuji02", "zhiwei01", "jijian", "dangyuan01")


@pytest.mark.django_db
def test_demo_consultations_and_problems(client):
    demo_seed(today=clock.today())
    rows = Consultation.objects.unrestricted()
    assert rows.filter(kind=ConsultationKind.FORUM, meeting__isnull=False).exists()
    assert rows.filter(kind=ConsultationKind.PERSONAL).exists()
    assert Opinion.objects.unrestricted().count() >= 4
    all_problems = Problem.objects.unrestricted()
    assert set(all_problems.values_list("state", flat=True)) == set(ProblemState.values)
    assert all_problems.filter(problems.overdue_q()).exists()
    owner = User.objects.get(username="dangyuan01")
    assert any("您负责整改的问题" in r.title for r in reminders_for(owner))
    for name in PERSONAS:
        client.force_login(User.objects.get(username=name))
        for url in (reverse("voice:problems"), reverse("voice:consultations"), reverse("voice:problem_summary")):
            assert client.get(url).status_code in (200, 404), (name, url)
    client.force_login(owner)
    assert "我负责整改的问题" in client.get("/").content.decode()
