"""座谈交流 pages: edit (versioned, a talk picked: its date and people), scope 404s, the detail's query count."""

import pytest
from django.urls import reverse

from dangjian.voice.choices import ConsultationKind
from dangjian.voice.models import Consultation

from .consultations_world import consultation_of, opinion_of, talk_of

pytestmark = pytest.mark.django_db


def test_edit_with_a_talk_and_stale_version(world, clock, client_for):
    c = consultation_of(world)
    talk = talk_of(world.branch_a, world.member_a2, world.member_a)
    client = client_for(world.committee_member_a)
    url = reverse("voice:consultation_edit", args=[c.pk])
    assert "张宏伟—王小明" in client.get(url).content.decode()
    data = {"kind": ConsultationKind.PERSONAL, "topic": "谈心", "talk": talk.pk, "version": c.version}
    assert client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert (c.held_on, c.participants, c.talk, c.version) == (talk.held_on, "张宏伟、王小明", talk, 2)
    stale = client.post(url, data | {"topic": "旧版本", "version": 1})
    assert stale.status_code == 400
    c.refresh_from_db()
    assert c.topic == "谈心"


def test_scope_404s(world, clock, client_for):
    a = consultation_of(world)
    o = opinion_of(world)
    outsider = client_for(world.secretary_b)
    for url in (
        reverse("voice:consultation", args=[a.pk]),
        reverse("voice:consultation_edit", args=[a.pk]),
        reverse("voice:opinion_edit", args=[o.pk]),
        reverse("voice:opinion_problem", args=[o.pk]),
        reverse("voice:consultation_create") + f"?org={world.branch_a.pk}",
    ):
        assert outsider.get(url).status_code == 404, url
    member = client_for(world.member_user_a)
    assert member.get(reverse("voice:consultations")).status_code == 404
    assert member.get(reverse("voice:consultation", args=[a.pk])).status_code == 404
    assert Consultation.objects.unrestricted().count() == 2


def test_detail_query_count(world, clock, client_for, django_assert_max_num_queries):
    from dangjian.voice import consultations

    c = consultation_of(world)
    consultations.add_opinion(by=world.secretary_a, consultation=c, content="首条意见")
    client = client_for(world.secretary_a)
    url = reverse("voice:consultation", args=[c.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(6):
        consultations.add_opinion(by=world.secretary_a, consultation=c, content=f"意见{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
