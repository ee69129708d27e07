"""党员提案 on the pages: a member submits on the phone form (bad files refused, nothing written), the list with
its filters, search, sort and xlsx in a fixed number of queries, a proposal's page with only the forms the user may
use, a move refused with its Chinese message, the public list without names, statistics, the API."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.services import token_create
from dangjian.voice.models import Proposal

from .proposals_world import PNG, counts, fresh, overdue_in, proposal_in, proposal_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(clock):
    return clock.set(clock.today())


def test_member_submits_on_the_form(world, today, client_for):
    client = client_for(world.member_user_a)
    page = client.get(reverse("voice:my_proposals"))
    assert page.status_code == 200 and 'data-testid="proposal-form"' in page.content.decode()
    data = {
        "title": "关于完善支部学习制度的建议",
        "category": "party",
        "content": "建议每月固定一天集中学习。",
        "files": [SimpleUploadedFile("图.png", PNG)],
    }
    response = client.post(reverse("voice:proposal_create"), data)
    assert response.status_code == 302
    p = Proposal.objects.unrestricted().get()
    assert p.files.unrestricted().count() == 1 and p.org == world.branch_a
    assert "关于完善支部学习制度的建议" in client.get(reverse("voice:my_proposals")).content.decode()


def test_bad_attachment_refused_on_the_form(world, today, client_for):
    client = client_for(world.member_user_a)
    before = counts()
    data = {"title": "标题", "category": "party", "content": "内容", "files": [SimpleUploadedFile("x.pdf", b"nope")]}
    response = client.post(reverse("voice:proposal_create"), data)
    assert response.status_code == 400 and "x.pdf" in response.content.decode()
    assert counts() == before


def test_staff_without_member_record(world, today, client_for):
    page = client_for(world.secretary_a).get(reverse("voice:my_proposals"))
    assert "未关联党员信息" in page.content.decode()


def test_list_filters_and_queries(world, today, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    proposal_in(world, "submitted")
    overdue_in(world)
    url = reverse("voice:proposals")
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    for state in ("accepted", "closed", "rejected", "replied"):
        proposal_in(world, state)
    with django_assert_max_num_queries(14) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    overdue = client.get(url + "?overdue=1").content.decode()
    assert overdue.count("data-proposal=") == 1
    assert client.get(url + "?state=submitted&sort=title&q=食堂").content.decode().count("data-proposal=") == 1
    export = client.get(reverse("voice:proposals_export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0)
    assert len(rows.to_python()) == 7


def test_detail_offers_only_the_allowed_forms(world, today, client_for):
    p = proposal_in(world, "submitted")
    page = client_for(world.secretary_a).get(reverse("voice:proposal", args=[p.pk])).content.decode()
    assert 'data-testid="move-accept"' in page and 'data-testid="move-reply"' not in page
    page = client_for(world.member_user_a).get(reverse("voice:proposal", args=[p.pk])).content.decode()
    assert "move-" not in page.replace('data-testid="move-refused"', "")
    assert client_for(world.secretary_b).get(reverse("voice:proposal", args=[p.pk])).status_code == 404


def test_move_on_the_page_and_refusal(world, today, client_for):
    p = proposal_in(world, "submitted")
    client = client_for(world.secretary_a)
    url = reverse("voice:proposal_move", args=[p.pk, "reject"])
    before = counts()
    response = client.post(url, {"reject-reason": "", "reject-version": p.version})
    assert response.status_code == 400
    assert counts() == before
    response = client.post(url, {"reject-reason": "不属于提案范围", "reject-version": p.version})
    assert response.status_code == 302 and fresh(p).state == "rejected"
    # a stale form
    response = client.post(reverse("voice:proposal_move", args=[p.pk, "accept"]), {"accept-version": p.version})
    assert response.status_code == 400 and fresh(p).state == "rejected"


def test_public_list_hides_proposer(world, today, client_for):
    proposal_in(world, "closed")
    proposal_in(world, "submitted")
    page = client_for(world.secretary_b).get(reverse("voice:proposals_public")).content.decode()
    assert page.count("data-proposal=") == 1
    assert "王小明" not in page


def test_stats_page_and_export(world, today, client_for):
    proposal_in(world, "closed")
    page = client_for(world.admin).get(reverse("voice:proposal_stats"))
    assert page.status_code == 200 and "100.0%" in page.content.decode()
    assert client_for(world.admin).get(reverse("voice:proposal_stats_export")).status_code == 200


# --- API -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    keys = {}

    def call(user, method, url, body=None, **headers):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        auth = {"HTTP_AUTHORIZATION": f"Bearer {keys[user.pk]}", **headers}
        if method == "get":
            return client.get("/api/v1/voice" + url, **auth)
        return client.post("/api/v1/voice" + url, json.dumps(body), content_type="application/json", **auth)

    return call


def test_api_list_detail_create(world, today, api):
    proposal_in(world, "submitted")
    assert api(world.admin, "get", "/proposals").json()["count"] == 1
    assert api(world.secretary_b, "get", "/proposals").json()["count"] == 0
    body = {"title": "接口提案", "category": "party", "content": "内容"}
    created = api(world.member_user_a, "post", "/proposals", body)
    assert created.status_code == 201 and created.json()["state"] == "submitted"
    assert api(world.secretary_a, "post", "/proposals", body).status_code == 403


def test_api_moves(world, today, api):
    p = proposal_of(world.member_user_a)
    url = f"/proposals/{p.pk}/moves"
    assert api(world.secretary_a, "post", url, {"name": "accept"}).status_code == 428
    before = counts()
    refused = api(world.secretary_a, "post", url, {"name": "reply", "facts": {"reply": "x"}, "version": p.version})
    assert refused.status_code == 422 and "不能答复" in refused.content.decode()
    assert counts() == before
    ok = api(world.secretary_a, "post", url, {"name": "accept", "version": p.version})
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    stale = api(world.secretary_a, "post", url, {"name": "reject", "facts": {"reason": "x"}, "version": p.version})
    assert stale.status_code == 412
    assert api(world.secretary_b, "post", url, {"name": "accept", "version": 1}).status_code == 404


@pytest.mark.parametrize("name", ["voice:proposals_public", "voice:my_proposals", "voice:proposal_stats"])
def test_query_count_independent_of_rows(world, today, client_for, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.admin if name == "voice:proposal_stats" else world.member_user_a
    client = client_for(user)
    proposal_in(world, "closed")
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    for state in ("accepted", "assigned", "replied", "closed", "submitted"):
        proposal_in(world, state)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(name)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_merge_on_the_page(world, today, client_for):
    p = proposal_in(world, "submitted")
    other = proposal_in(world, "accepted")
    client = client_for(world.secretary_a)
    page = client.get(reverse("voice:proposal", args=[p.pk])).content.decode()
    assert f'<option value="{other.pk}">' in page and f'<option value="{p.pk}">' not in page
    url = reverse("voice:proposal_move", args=[p.pk, "merge"])
    response = client.post(url, {"merge-merge_into": other.pk, "merge-version": p.version})
    assert response.status_code == 302 and fresh(p).merged_into_id == other.pk


def test_an_adopted_proposal_is_listed_as_a_problem_of_its_handler(world, today, client_for):
    from dangjian.voice.models import Problem

    assigned = proposal_in(world, "assigned")  # handled by branch B
    waiting = proposal_in(world, "submitted")
    # Not adopted yet: no link, no page.
    page = client_for(world.secretary_a).get(reverse("voice:proposal", args=[waiting.pk])).content.decode()
    assert 'data-testid="proposal-to-problem"' not in page
    assert client_for(world.admin).get(reverse("voice:proposal_problem", args=[waiting.pk])).status_code == 404
    # Branch A's secretary reviews it but does not handle it: the problem would be branch B's.
    assert client_for(world.secretary_a).get(reverse("voice:proposal_problem", args=[assigned.pk])).status_code == 404
    client = client_for(world.secretary_b)
    page = client.get(reverse("voice:proposal", args=[assigned.pk])).content.decode()
    assert 'data-testid="proposal-to-problem"' in page
    url = reverse("voice:proposal_problem", args=[assigned.pk])
    data = {
        "year": today.year,
        "description": assigned.title,
        "measure": "调整供餐时间并公示",
        "owner": world.member_b.pk,
        "deadline": today.isoformat(),
    }
    assert client.post(url, {**data, "measure": ""}).status_code == 400
    assert Problem.objects.unrestricted().count() == 0
    response = client.post(url, data)
    problem = Problem.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("voice:problem", args=[problem.pk])
    assert (problem.source, problem.proposal_id, problem.org_id) == ("proposal", assigned.pk, world.branch_b.pk)


def test_an_export_writes_what_a_member_typed_as_text_never_as_a_formula(world, today, client_for):
    proposal_of(world.member_user_a, title='=HYPERLINK("http://example.com","点此")')
    export = client_for(world.admin).get(reverse("voice:proposals_export"))
    book = io.BytesIO(b"".join(export.streaming_content))
    assert b"<f>" not in zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml")  # no formula cell
    book.seek(0)
    rows = CalamineWorkbook.from_filelike(book).get_sheet_by_index(0).to_python()
    assert '=HYPERLINK("http://example.com","点此")' in [cell for row in rows for cell in row]
