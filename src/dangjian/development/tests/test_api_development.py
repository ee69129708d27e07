"""/api/v1/development: the list (scoped, filtered, masked), one record with its steps, recording a step (the page's
rules: refusals 422 with their Chinese text, 403 for the upper committee's steps, versions) and the funnel."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import clock
from dangjian.core.services import token_create
from dangjian.development import rules, services
from dangjian.development.models import Applicant, StepRecord

from .dev_world import dev_world, earliest, new_applicant, person, walk

pytestmark = pytest.mark.django_db

BASE = "/api/v1/development"


@pytest.fixture
def d(world, clock):
    return dev_world(world)


@pytest.fixture
def api_post(client):
    keys = {}

    def post(user, url, body, **headers):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        return client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {keys[user.pk]}",
            **headers,
        )

    return post


def test_the_list_is_scoped_filtered_and_masks_the_id_number(world, d, api_get):
    mine = new_applicant(world, 1)
    theirs = services.create_applicant(
        by=world.secretary_b, org=world.branch_b, applied_on=clock.today() - timedelta(days=40), **person(2)
    )
    body = api_get(world.secretary_a, f"{BASE}/applicants").json()
    assert [r["id"] for r in body["results"]] == [mine.pk] and body["count"] == 1
    assert body["results"][0]["id_number"] == mine.id_number  # a secretary sees personal data
    assert body["results"][0]["stage_label"] == "入党申请人" and body["results"][0]["next_step"] == 2
    masked = api_get(world.inspector, f"{BASE}/applicants").json()["results"]
    assert {r["id"] for r in masked} == {mine.pk, theirs.pk}
    assert all(r["id_number"].startswith("**************") for r in masked)
    assert all(r["id_number"][-4:] in (mine.id_number[-4:], theirs.id_number[-4:]) for r in masked)
    assert api_get(world.admin, f"{BASE}/applicants", stage=1).json()["count"] == 0
    assert api_get(world.admin, f"{BASE}/applicants", org=world.branch_b.pk).json()["count"] == 1
    assert api_get(world.secretary_a, f"{BASE}/applicants", org=world.branch_b.pk).status_code == 404


def test_the_lists_queries_do_not_grow_with_rows(world, d, api_get):
    new_applicant(world, 1)
    api_get(world.inspector, f"{BASE}/applicants")
    with CaptureQueriesContext(connection) as few:
        api_get(world.inspector, f"{BASE}/applicants")
    for n in range(2, 10):
        new_applicant(world, n)
    with CaptureQueriesContext(connection) as many:
        assert api_get(world.inspector, f"{BASE}/applicants").json()["count"] == 9
    assert len(many) == len(few)


def test_the_detail_lists_the_steps_with_their_people(world, d, api_get):
    applicant = walk(world, d, new_applicant(world), until=5)
    response = api_get(world.secretary_a, f"{BASE}/applicants/{applicant.pk}")
    assert response.status_code == 200 and response["ETag"] == f'W/"{applicant.version}"'
    steps = {s["number"]: s for s in response.json()["steps"]}
    assert sorted(steps) == [1, 2, 3, 4, 5]
    assert {(p["name"], p["role_label"]) for p in steps[5]["people"]} == {
        (d.full[0].name, "培养联系人"),
        (d.full[1].name, "培养联系人"),
    }
    assert steps[2]["people"][0]["role"] == "talker"
    assert api_get(world.secretary_b, f"{BASE}/applicants/{applicant.pk}").status_code == 404


def test_a_step_is_recorded_with_its_version(world, d, api_get, api_post):
    applicant = new_applicant(world, applied_on=clock.today() - timedelta(days=10))
    url = f"{BASE}/applicants/{applicant.pk}/steps"
    body = {"step": 2, "done_on": str(clock.today()), "people": [world.member_a2.pk]}
    assert api_post(world.secretary_a, url, body).status_code == 428
    response = api_post(world.secretary_a, url, body | {"version": applicant.version})
    assert response.status_code == 200, response.content
    assert response.json()["next_step"] == 3 and response.json()["last_step"] == 2
    talk = StepRecord.objects.unrestricted().get(applicant=applicant, step=2)
    assert list(talk.people.values_list("member_id", flat=True)) == [world.member_a2.pk]
    stale = api_post(world.secretary_a, url, {"step": 3, "done_on": str(clock.today()), "version": applicant.version})
    assert stale.status_code == 412


def test_a_refused_step_is_422_with_the_rules_text_and_writes_nothing(world, d, api_post):
    applicant = walk(world, d, new_applicant(world, applied_on=clock.today() - timedelta(days=200)), until=6)
    on = clock.today()
    assert on < earliest(applicant, 7)  # 积极分子 for less than a year
    before = StepRecord.objects.unrestricted().filter(applicant=applicant).count()
    response = api_post(
        world.secretary_a,
        f"{BASE}/applicants/{applicant.pk}/steps",
        {"step": 7, "done_on": str(on), "version": applicant.version},
    )
    assert response.status_code == 422
    assert rules.RULE_ACTIVIST in [e["message"] for e in response.json()["errors"]]
    assert StepRecord.objects.unrestricted().filter(applicant=applicant).count() == before


def test_the_upper_committees_step_is_403_to_a_secretary(world, d, api_post):
    applicant = walk(world, d, new_applicant(world), until=16)
    response = api_post(
        world.secretary_a,
        f"{BASE}/applicants/{applicant.pk}/steps",
        {"step": 17, "done_on": str(earliest(applicant, 17)), "version": applicant.version},
    )
    assert response.status_code == 403 and response.json()["message"] == services.ERR_UPPER
    assert Applicant.objects.unrestricted().get(pk=applicant.pk).member is None


def test_the_funnel(world, d, api_get):
    new_applicant(world, 1)
    new_applicant(world, 2)
    body = api_get(world.admin, f"{BASE}/funnel").json()
    assert [s["count"] for s in body["stages"]] == [2, 0, 0, 0, 0]
    assert body["overdue"] == 2 and body["org"] is None
    body = api_get(world.admin, f"{BASE}/funnel", org=world.branch_b.pk).json()
    assert [s["count"] for s in body["stages"]] == [0] * 5 and body["org"]["name"] == "财务处党支部"
    assert api_get(world.member_user_a, f"{BASE}/funnel").status_code == 404
