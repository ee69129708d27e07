"""/api/v1/meetings: list with filters (constant queries), create, detail, attendance, one attendance's update,
sign-in with a token or a code; refusals 422 with the reason and nothing written; the OpenAPI document."""

import json
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.services import token_create
from dangjian.meetings import services, signin
from dangjian.meetings.choices import Activity, MeetingStatus, Presence
from dangjian.meetings.models import Attendance, Meeting

from .signin_fixtures import meeting_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """api(user, method, url, body=None, **params) -> response, with a bearer token of that user."""
    keys = {}

    def send(user, method, url, body=None, **params):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {keys[user.pk]}"}
        if method == "get":
            return client.get(url, params, **headers)
        return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **headers)

    return send


LIST = "/api/v1/meetings"


def test_the_list_filters_and_pages_in_constant_queries(world, clock, api, django_assert_max_num_queries):
    a = meeting_at(world, clock)
    b = meeting_at(world, clock, org=world.branch_b)
    group = meeting_at(world, clock, org=world.group_a, activities=[Activity.GROUP])
    body = api(world.admin, "get", LIST).json()
    assert body["count"] == 3 and {r["id"] for r in body["results"]} == {a.pk, b.pk, group.pk}
    assert api(world.secretary_a, "get", LIST).json()["count"] == 2  # branch A and its group
    invited = {r["id"] for r in api(world.member_user_a, "get", LIST).json()["results"]}
    assert invited == {a.pk, group.pk}  # a plain member: the meetings they are invited to
    assert [r["id"] for r in api(world.admin, "get", LIST, org=world.branch_b.pk).json()["results"]] == [b.pk]
    assert api(world.admin, "get", LIST, org=world.branch_a.pk).json()["count"] == 2  # with its group's
    assert [r["id"] for r in api(world.admin, "get", LIST, activity="group").json()["results"]] == [group.pk]
    assert api(world.admin, "get", LIST, status="held").json()["count"] == 0
    today = clock.today()
    assert api(world.admin, "get", LIST, **{"from": today, "to": today}).json()["count"] == 3
    assert api(world.admin, "get", LIST, **{"from": today + timedelta(days=1)}).json()["count"] == 0
    result = api(world.admin, "get", LIST, **{"from": today, "to": today - timedelta(days=1)})
    assert result.status_code == 422 and result.json()["errors"] == [
        {"field": "from", "message": "开始日期不能晚于结束日期"}
    ]
    outside = api(world.secretary_a, "get", LIST, org=world.branch_b.pk)
    assert outside.status_code == 422 and outside.json()["errors"][0]["message"] == "组织不存在或不在您的权限范围内"
    assert api(world.admin, "get", LIST, page_size=101).status_code == 422
    first = api(world.admin, "get", LIST).json()["results"][0]
    assert first["activities"] == ["theme_day"] or first["activities"] == ["group"]
    with django_assert_max_num_queries(8) as few:
        api(world.admin, "get", LIST)
    for _ in range(5):
        meeting_at(world, clock, activities=[Activity.THEME_DAY, Activity.LECTURE])
    with django_assert_max_num_queries(len(few)):
        assert api(world.admin, "get", LIST).json()["count"] == 8


def create_body(world, clock, **changes):
    start = timezone.localtime().replace(microsecond=0) + timedelta(days=2)
    return {
        "org": world.branch_a.pk,
        "activities": ["theme_day", "lecture"],
        "topic": "接口计划的主题党日",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "会议室",
        "lecturer": world.member_a2.pk,
    } | changes


def test_create_plans_a_meeting_with_its_invitees(world, clock, api):
    response = api(world.secretary_a, "post", LIST, create_body(world, clock))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["activities"] == ["lecture", "theme_day"] and body["status"] == "planned"
    assert body["lecturer"] == {"id": world.member_a2.pk, "name": "张宏伟"}
    assert body["attendance"] == {"invited": 2, "present": 0, "absent": 0, "unknown": 2}
    assert response["ETag"] == f'W/"{body["version"]}"'


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"activities": ["group"]}, "activities", "党小组会只能由党小组召开"),
        ({"topic": ""}, "topic", "请填写此项"),
        ({"ends_at": "2020-01-01T00:00:00+08:00"}, "", "结束时间不能早于开始时间"),
        ({"held": True}, "starts_at", "会议尚未开始，不能登记为已召开（开始时间晚于现在）"),
        ({"host": "member_b"}, "host", "党员不存在或不在您的权限范围内"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(world, clock, api, changes, field, message):
    if changes.get("host") == "member_b":
        changes = {"host": world.member_b.pk}
    response = api(world.secretary_a, "post", LIST, create_body(world, clock, **changes))
    assert response.status_code == 422, response.content
    assert {"field": field, "message": message} in response.json()["errors"]
    assert not Meeting.objects.unrestricted().exists()


def test_create_for_an_org_outside_the_scope_is_404(world, clock, api):
    response = api(world.secretary_a, "post", LIST, create_body(world, clock, org=world.branch_b.pk))
    assert response.status_code == 404
    assert api(world.member_user_a, "post", LIST, create_body(world, clock)).status_code == 404
    assert not Meeting.objects.unrestricted().exists()


def test_detail_and_attendance(world, clock, api):
    meeting = meeting_at(world, clock)
    url = f"{LIST}/{meeting.pk}"
    body = api(world.secretary_a, "get", url).json()
    assert body["topic"] == meeting.topic and body["signin_open"] is True
    assert body["attendance"]["invited"] == 2
    assert api(world.secretary_b, "get", url).status_code == 404
    rows = api(world.secretary_a, "get", f"{url}/attendance").json()
    assert rows["count"] == 2
    assert {r["member"]["name"] for r in rows["results"]} == {"王小明", "张宏伟"}
    own = api(world.member_user_a, "get", f"{url}/attendance").json()
    assert [r["member"]["name"] for r in own["results"]] == ["王小明"]  # a member sees their own row


def test_one_attendance_is_recorded_with_a_reason_for_an_absence(world, clock, api):
    meeting = meeting_at(world, clock)
    row = Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a2)
    url = f"{LIST}/{meeting.pk}/attendance/{row.pk}"
    refused = api(world.secretary_a, "patch", url, {"presence": "absent"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "absence_reason", "message": services.ERR_ABSENT_REASON}]
    row.refresh_from_db()
    assert row.presence == Presence.UNKNOWN
    done = api(
        world.secretary_a, "put", url, {"presence": "absent", "absence_reason": "business", "absence_note": "出差"}
    )
    assert done.status_code == 200 and done.json()["absence_reason"] == "business"
    present = api(world.secretary_a, "patch", url, {"presence": "present"}).json()
    assert present["presence"] == "present" and present["signed_by"] == "recorder" and present["absence_reason"] is None
    assert api(world.member_user_a, "patch", url, {"presence": "present"}).status_code == 404
    assert api(world.secretary_b, "patch", url, {"presence": "present"}).status_code == 404


def test_signin_by_token_or_code_and_its_refusals(world, clock, api):
    meeting = meeting_at(world, clock)
    url = f"{LIST}/{meeting.pk}/signin"
    bad = api(world.member_user_a, "post", url, {"token": "forged"})
    assert bad.status_code == 422 and bad.json()["errors"] == [{"field": "token", "message": signin.ERR_FORGED}]
    wrong_code = f"{(int(signin.current_code(meeting)) + 1) % 10**6:06d}"
    bad = api(world.member_user_a, "post", url, {"code": wrong_code})
    assert bad.json()["errors"] == [{"field": "code", "message": signin.ERR_CODE}]
    assert api(world.secretary_a, "post", url, {"token": signin.make_token(meeting)}).json()["errors"] == [
        {"field": "token", "message": signin.ERR_NOT_INVITED}
    ]
    assert Attendance.objects.unrestricted().filter(meeting=meeting, presence=Presence.PRESENT).count() == 0
    done = api(world.member_user_a, "post", url, {"code": signin.current_code(meeting)})
    assert done.status_code == 200 and done.json()["status"] == "signed_in" and done.json()["message"] == "签到成功"
    again = api(world.member_user_a, "post", url, {"token": signin.make_token(meeting)}).json()
    assert again["status"] == "already" and again["message"].startswith("您已于 ")
    assert again["signed_in_at"] == done.json()["signed_in_at"]
    assert api(world.secretary_b, "post", url, {"token": "x"}).status_code == 404


def test_signin_refuses_a_cancelled_meeting_and_an_expired_token(world, clock, api):
    meeting = meeting_at(world, clock)
    url = f"{LIST}/{meeting.pk}/signin"
    token = signin.make_token(meeting)
    clock.set(clock.today(), time(14, 9))
    assert api(world.member_user_a, "post", url, {"token": token}).json()["errors"][0]["message"] == signin.ERR_EXPIRED
    Meeting.objects.unrestricted().filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    cancelled = api(world.member_user_a, "post", url, {"token": signin.make_token(meeting)})
    assert cancelled.status_code == 422 and cancelled.json()["errors"][0]["message"] == signin.ERR_CANCELLED
    assert not Attendance.objects.unrestricted().filter(meeting=meeting, presence=Presence.PRESENT).exists()


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/meetings"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/meetings/{meeting_id}"]
    assert "get" in paths["/api/v1/meetings/{meeting_id}/attendance"]
    assert {"put", "patch"} <= set(paths["/api/v1/meetings/{meeting_id}/attendance/{attendance_id}"])
    assert "post" in paths["/api/v1/meetings/{meeting_id}/signin"]
    params = {p["name"] for p in paths["/api/v1/meetings"]["get"]["parameters"]}
    assert {"org", "activity", "status", "from", "to", "page", "page_size"} <= params
    assert reverse("api:meeting_signin", args=[1]) == "/api/v1/meetings/1/signin"


def test_the_api_takes_a_list_of_invitees(world, clock, api):
    response = api(world.secretary_a, "post", LIST, create_body(world, clock, invitees=[world.member_a.pk]))
    assert response.status_code == 201, response.content
    assert response.json()["attendance"]["invited"] == 1
    response = api(world.secretary_a, "post", LIST, create_body(world, clock, invitees=[world.member_b.pk]))
    assert response.status_code == 422
    refusal = {"field": "invitees", "message": services.ERR_INVITEE_NOT_IN_ORG.format(count=1)}
    assert refusal in response.json()["errors"]
    response = api(world.secretary_a, "post", LIST, create_body(world, clock, invitees=[]))
    assert response.status_code == 422 and Meeting.objects.unrestricted().count() == 1
