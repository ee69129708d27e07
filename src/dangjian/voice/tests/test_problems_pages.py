"""The pages, API and reminders of the 问题清单 and 座谈交流: each write through its page, refusals shown with
nothing written, what an owner sees, query counts independent of the rows."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dangjian.core.reminders import reminders_for
from dangjian.voice.choices import ProblemState
from dangjian.voice.models import Consultation, Opinion, Problem

from .consultations_world import consultation_of, held_meeting, opinion_of, problem_of

pytestmark = pytest.mark.django_db


def test_create_problem_page(world, clock, client_for):
    client = client_for(world.secretary_a)
    url = reverse("voice:problem_create") + f"?org={world.branch_a.pk}"
    assert client.get(url).status_code == 200
    data = {
        "source": "other", "year": clock.today().year, "description": "制度不健全", "measure": "建立制度",
        "owner": world.member_a.pk, "deadline": (clock.today() + timedelta(days=10)).isoformat(),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    p = Problem.objects.unrestricted().get()
    assert (p.org, p.owner, p.state) == (world.branch_a, world.member_a, ProblemState.OPEN)


def test_owner_outside_refused_on_page(world, clock, client_for):
    client = client_for(world.admin)
    url = reverse("voice:problem_create") + f"?org={world.branch_a.pk}"
    data = {
        "source": "other", "year": clock.today().year, "description": "x", "measure": "y",
        "owner": world.member_b.pk, "deadline": clock.today().isoformat(),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    assert Problem.objects.unrestricted().count() == 0


def test_state_moves_on_pages(world, clock, client_for, tomorrow):
    p = problem_of(world)
    client = client_for(world.secretary_a)
    client.post(reverse("voice:problem_start", args=[p.pk]), {"version": p.version})
    p.refresh_from_db()
    assert p.state == ProblemState.PROGRESS
    finish = reverse("voice:problem_finish", args=[p.pk])
    response = client.post(finish, {"version": p.version, "result": "", "done_on": clock.today().isoformat()})
    assert response.status_code == 400
    response = client.post(finish, {"version": p.version, "result": "好", "done_on": tomorrow.isoformat()})
    assert response.status_code == 400
    p.refresh_from_db()
    assert p.state == ProblemState.PROGRESS
    response = client.post(finish, {"version": p.version, "result": "已完成", "done_on": clock.today().isoformat()})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProblemState.DONE
    client.post(reverse("voice:problem_reopen", args=[p.pk]), {"version": p.version})
    p.refresh_from_db()
    assert p.state == ProblemState.PROGRESS
    page = client.get(reverse("voice:problem", args=[p.pk])).content.decode()
    assert "整改中" in page


def test_owner_sees_own_problem_only(world, clock, client_for):
    mine = problem_of(world)
    other = problem_of(world, owner=world.member_a2, description="别人的问题")
    client = client_for(world.member_user_a)
    page = client.get(reverse("voice:problems")).content.decode()
    assert f'data-problem="{mine.pk}"' in page and "别人的问题" not in page
    assert client.get(reverse("voice:problem", args=[mine.pk])).status_code == 200
    assert client.get(reverse("voice:problem", args=[other.pk])).status_code == 404
    assert client.get(reverse("voice:problem_edit", args=[mine.pk])).status_code == 404


def test_overdue_in_reminders(world, clock):
    problem_of(world, days=-1)
    titles = [r.title for r in reminders_for(world.secretary_a)]
    assert any("已过整改时限" in t for t in titles)
    assert not any("已过整改时限" in t for t in [r.title for r in reminders_for(world.secretary_b)])
    owner = [r.title for r in reminders_for(world.member_user_a)]
    assert any("您负责整改的问题" in t for t in owner)


def test_list_query_count(world, clock, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    problem_of(world)
    client.get(reverse("voice:problems"))
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("voice:problems")).status_code == 200
    for days in range(8):
        problem_of(world, "b" if days % 2 else "a", days=days - 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("voice:problems")).status_code == 200
    for name in ("voice:consultations", "voice:problem_summary"):
        consultation_of(world)
        client.get(reverse(name))
        with django_assert_max_num_queries(12) as small:
            client.get(reverse(name))
        opinion_of(world), consultation_of(world, "b")
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(reverse(name))


def test_exports(world, clock, client_for):
    problem_of(world)
    consultation_of(world)
    client = client_for(world.secretary_a)
    for name in ("voice:problems_export", "voice:consultations_export"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_consultation_pages(world, clock, client_for, tomorrow):
    meeting = held_meeting(world.branch_a, world.secretary_a, present=[world.member_a])
    client = client_for(world.secretary_a)
    url = reverse("voice:consultation_create") + f"?org={world.branch_a.pk}"
    assert meeting.topic in client.get(url).content.decode()
    response = client.post(url, {"kind": "forum", "topic": "座谈", "meeting": meeting.pk})
    assert response.status_code == 302
    c = Consultation.objects.unrestricted().get()
    assert c.participants == "王小明" and c.meeting == meeting
    response = client.post(
        url, {"kind": "forum", "topic": "未来", "held_on": tomorrow.isoformat(), "participants": "x"}
    )
    assert response.status_code == 400
    assert Consultation.objects.unrestricted().count() == 1
    client.post(reverse("voice:opinion_add", args=[c.pk]), {"content": "多组织实践活动", "raised_by": "王小明"})
    o = Opinion.objects.unrestricted().get()
    page = client.get(reverse("voice:consultation", args=[c.pk])).content.decode()
    assert "多组织实践活动" in page and "转为问题" in page
    data = {
        "description": o.content, "measure": "每季度一次", "owner": world.member_a.pk,
        "deadline": (clock.today() + timedelta(days=60)).isoformat(), "year": clock.today().year,
    }  # fmt: skip
    response = client.post(reverse("voice:opinion_problem", args=[o.pk]), data)
    assert response.status_code == 302
    assert Problem.objects.unrestricted().get().opinion == o
    response = client.post(reverse("voice:opinion_delete", args=[o.pk]))
    assert Opinion.objects.unrestricted().count() == 1


def test_api(world, clock, api_get):
    problem_of(world, days=-2)
    problem_of(world, "b")
    consultation_of(world)
    body = api_get(world.secretary_a, "/api/v1/voice/problems", overdue="true").json()
    assert body["count"] == 1 and body["results"][0]["overdue"] is True
    assert api_get(world.secretary_b, "/api/v1/voice/problems").json()["count"] == 1
    assert api_get(world.member_user_a, "/api/v1/voice/problems").json()["count"] == 1
    summary = api_get(world.admin, "/api/v1/voice/problems/summary").json()
    top = summary["results"][0]
    assert (top["org"]["name"], top["total"], top["overdue"]) == ("测试机关党委", 2, 1)
    assert api_get(world.secretary_a, "/api/v1/voice/consultations").json()["count"] == 1
    assert api_get(world.secretary_b, "/api/v1/voice/consultations").json()["count"] == 0
    assert api_get(world.secretary_b, "/api/v1/voice/consultations", org=world.branch_a.pk).status_code == 404
