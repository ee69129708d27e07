"""服务承诺: the register's writes and who may make them, refusals in Chinese with nothing written, the public list,
the selector the assessment module and 首问 read, the API of commitments and promises."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.concurrency import StaleEdit
from dangjian.core.services import token_create
from dangjian.voice import commitments, promises
from dangjian.voice.choices import Phase
from dangjian.voice.models import Commitment, ServicePromise

from .commitments_world import commitment_of, promise_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/voice"


def _create(world, by=None, org=None, **changes):
    data = {"item": "证明材料开具", "time_limit_days": 3, "standard": "材料齐全当场办结"} | changes
    return promises.create_promise(by=by or world.secretary_a, org=org or world.branch_a, **data)


def test_a_promise_is_kept_by_who_may_change_the_department(world):
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied):
            _create(world, by=user)
    assert ServicePromise.objects.unrestricted().count() == 0
    p = _create(world)
    assert (p.org, p.time_limit_days, p.active) == (world.branch_a, 3, True)


def test_refusals_in_chinese_write_nothing(world):
    _create(world)
    with pytest.raises(ValidationError) as refused:
        _create(world)
    assert refused.value.message_dict["item"] == [promises.ERR_DUPLICATE.format(item="证明材料开具")]
    with pytest.raises(ValidationError) as refused:
        _create(world, item="其他", time_limit_days=0)
    assert refused.value.message_dict["time_limit_days"] == [promises.ERR_LIMIT.format(limit=promises.LIMIT_MAX)]
    with pytest.raises(ValidationError):
        _create(world, item=" ", standard="")
    assert ServicePromise.objects.unrestricted().count() == 1


def test_edit_is_versioned_and_deactivation_keeps_the_row(world):
    p = _create(world)
    saved = promises.update_promise(
        by=world.committee_member_a, promise=p, version=p.version, item="开具证明", time_limit_days=2, standard="当日"
    )
    assert saved.time_limit_days == 2
    with pytest.raises(StaleEdit):
        promises.update_promise(
            by=world.secretary_a, promise=p, version=p.version, item="x", time_limit_days=1, standard="y"
        )
    with pytest.raises(PermissionDenied):
        promises.set_active(by=world.secretary_b, promise=p, active=False)
    assert promises.set_active(by=world.secretary_a, promise=p, active=False).active is False
    with pytest.raises(ValidationError):
        promises.set_active(by=world.secretary_a, promise=p, active=False)
    assert list(promises.active_promises()) == []
    assert ServicePromise.objects.unrestricted().count() == 1


def test_active_promises_by_org_paths(world):
    a, b = promise_of(world.branch_a), promise_of(world.branch_b, item="报销审核", days=5)
    promise_of(world.branch_b, item="旧事项", active=False)
    assert list(promises.active_promises()) == sorted([a, b], key=lambda p: p.org.path)
    assert list(promises.active_promises([world.general.path])) == [a]
    assert list(promises.active_promises([])) == []


def test_the_public_list_is_for_everyone_and_the_register_is_scoped(world, client_for):
    promise_of(world.branch_a)
    promise_of(world.branch_b, item="报销审核")
    page = client_for(world.member_user_a).get(reverse("voice:promises_public")).content.decode()
    assert "证明材料开具" in page and "报销审核" in page
    register = client_for(world.secretary_b).get(reverse("voice:promises")).content.decode()
    assert "报销审核" in register and "证明材料开具" not in register
    assert client_for(world.member_user_a).get(reverse("voice:promises")).status_code == 404
    export = client_for(world.admin).get(reverse("voice:promises_export"))
    assert export.status_code == 200


def test_the_pages_create_edit_and_deactivate(world, client_for):
    client = client_for(world.secretary_a)
    data = {"org": world.branch_a.pk, "item": "党员组织关系转接", "time_limit_days": 5, "standard": "五个工作日内办结"}
    assert client.post(reverse("voice:promise_create"), data).status_code == 302
    refused = client.post(reverse("voice:promise_create"), data)
    assert refused.status_code == 400 and "同名服务事项" in refused.content.decode()
    p = ServicePromise.objects.unrestricted().get()
    edit = {"item": "组织关系转接", "time_limit_days": 3, "standard": "三日", "version": p.version}
    assert client.post(reverse("voice:promise_edit", args=[p.pk]), edit).status_code == 302
    assert client.post(reverse("voice:promise_toggle", args=[p.pk])).status_code == 302
    p.refresh_from_db()
    assert (p.item, p.time_limit_days, p.active) == ("组织关系转接", 3, False)


def test_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    promise_of(world.branch_a)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("voice:promises"))
        client.get(reverse("voice:promises_public"))
    for n in range(12):
        promise_of(world.branch_b, item=f"事项{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("voice:promises"))
        client.get(reverse("voice:promises_public"))


# ── the API ──────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def api(client):
    keys = {}

    def call(user, method, url, body=None, **headers):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        auth = {"HTTP_AUTHORIZATION": f"Bearer {keys[user.pk]}", **headers}
        if method == "get":
            return client.get(url, body or {}, **auth)
        return client.post(url, json.dumps(body or {}), content_type="application/json", **auth)

    return call


def test_api_lists_and_reads_commitments_in_scope(world, clock, api):
    a = commitment_of(world.member_a, phases=(Phase.MID,))
    commitment_of(world.member_b)
    listed = api(world.secretary_a, "get", f"{BASE}/commitments").json()
    assert [r["id"] for r in listed["results"]] == [a.pk]
    assert listed["results"][0]["fulfilments"][0]["phase"] == "mid"
    assert api(world.member_user_a, "get", f"{BASE}/commitments/{a.pk}").status_code == 200
    assert api(world.secretary_b, "get", f"{BASE}/commitments/{a.pk}").status_code == 404
    assert api(world.admin, "get", f"{BASE}/commitments", {"graded": "true"}).json()["count"] == 0


def test_api_grade_takes_the_version(world, clock, api):
    c = commitment_of(world.member_a, phases=(Phase.MID,))
    url = f"{BASE}/commitments/{c.pk}/grade"
    assert api(world.secretary_a, "post", url, {"grade": "good"}).status_code == 428
    refused = api(world.secretary_a, "post", url, {"grade": "good", "version": c.version})
    assert refused.status_code == 422
    assert commitments.ERR_GRADE_BEFORE_END in [e["message"] for e in refused.json()["errors"]]
    from dangjian.voice.models import Fulfilment

    Fulfilment.objects.create(commitment=c, phase=Phase.END, done="完成", recorded_on=clock.today())
    done = api(world.secretary_a, "post", url, {"grade": "good"}, HTTP_IF_MATCH=f'W/"{c.version}"')
    assert done.status_code == 200 and done.json()["grade"] == "good"
    stale = api(world.secretary_a, "post", url, {"grade": "poor", "version": c.version})
    assert stale.status_code == 412
    assert api(world.secretary_b, "post", url, {"grade": "poor", "version": c.version + 1}).status_code == 404
    assert Commitment.objects.unrestricted().get(pk=c.pk).grade == "good"


def test_api_promises_are_public(world, api):
    promise_of(world.branch_a)
    promise_of(world.branch_b, item="报销审核")
    body = api(world.member_user_a, "get", f"{BASE}/promises").json()
    assert {r["item"] for r in body["results"]} == {"证明材料开具", "报销审核"}
    assert body["results"][0]["time_limit_days"] >= 1
