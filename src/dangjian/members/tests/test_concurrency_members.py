"""Lost updates (issue 10): a member's edit made from an older version is refused with what changed since, on the
page and in the API; the user's input stays and a deliberate second save goes through."""

import json
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from dangjian.core.api import MSG_PRECONDITION_REQUIRED
from dangjian.core.lib import idcard
from dangjian.core.services import token_create
from dangjian.core.tests.form_pages import alert, hidden_version
from dangjian.members.api import ERR_NOT_YOURS_TO_CHANGE
from dangjian.members.choices import Education
from dangjian.members.models import Member
from dangjian.members.services import member_change_status, member_update
from dangjian.members.tests.factories import member_form_data

pytestmark = pytest.mark.django_db


def other_education(member) -> str:
    return next(e for e in Education.values if e != member.education)


# --- the model ---------------------------------------------------------------------------------------------------


def test_every_save_of_a_member_moves_its_version_and_the_audit_entry_records_it(world):
    member = Member.objects.get(pk=world.member_a.pk)
    assert member.version == 1
    member_update(acting_user=world.admin, member=member, position="副处长")
    assert Member.objects.get(pk=member.pk).version == 2
    # A writer that checks no version (a status change saves with update_fields) still moves it on.
    member_change_status(
        acting_user=world.admin, member=member, to_status="suspended", changed_on=member.joined_on, reason="决定"
    )
    assert Member.objects.get(pk=member.pk).version == 3
    versions = [
        e.additional_data["version"]
        for e in LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    ]
    assert versions == [2, 3]


# --- the edit page -----------------------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_with_the_changed_fields_and_keeps_the_input(world, client_for):
    member = world.member_a
    url = reverse("members:edit", args=[member.pk])
    # A (a committee member: no personal data) opens the form.
    opened = client_for(world.committee_member_a).get(url)
    assert hidden_version(opened) == 1
    # B (the admin) saves first: education and phone.
    education = other_education(member)
    response = client_for(world.admin).post(url, member_form_data(member, education=education, phone="13912345678"))
    assert response.status_code == 302
    # A saves the form as loaded, with a change of their own.
    a_data = member_form_data(member, position="副处长", version=1)
    response = client_for(world.committee_member_a).post(url, a_data)
    assert response.status_code == 400
    label = dict(Education.choices)[education]
    masked = idcard.mask_phone("13912345678")
    assert re.fullmatch(
        rf"保存失败：在您打开此页面后，{world.admin}已于 \d\d:\d\d 修改了该党员信息。"
        rf"以下字段已变化：学历（现为 {label}）、联系电话（现为 {re.escape(masked)}）。请核对后重新保存。",
        alert(response),
    ), alert(response)
    assert "13912345678" not in response.content.decode()
    stored = Member.objects.get(pk=member.pk)
    assert (stored.education, stored.phone, stored.position) == (education, "13912345678", member.position)
    # Nothing lost: A's input is still in the form, which now carries the current version.
    assert 'value="副处长"' in response.content.decode()
    assert hidden_version(response) == 2
    # Saving again, knowingly, goes through (A's form, with B's education shown to them, as they chose to keep it).
    again = member_form_data(member, position="副处长", education=education, version=hidden_version(response))
    response = client_for(world.committee_member_a).post(url, again)
    assert response.status_code == 302
    stored = Member.objects.get(pk=member.pk)
    assert (stored.education, stored.phone, stored.position, stored.version) == (
        education,
        "13912345678",
        "副处长",
        3,
    )


def test_a_stale_status_change_is_refused(world, client_for):
    url = reverse("members:status", args=[world.member_a.pk])
    member_update(acting_user=world.admin, member=world.member_a, version=1, position="处长")
    data = {"to_status": "deceased", "changed_on": world.member_a.joined_on.isoformat(), "reason": "病故"}
    response = client_for(world.secretary_a).post(url, {**data, "version": 1})
    assert response.status_code == 400
    assert alert(response).startswith("保存失败：在您打开此页面后")
    assert "工作岗位/职务（现为 处长）" in alert(response)
    assert Member.objects.get(pk=world.member_a.pk).status == "active"


def test_a_form_without_its_version_is_refused_not_saved(world, client_for):
    member = world.member_a
    data = member_form_data(member, position="副处长")
    del data["version"]
    response = client_for(world.secretary_a).post(reverse("members:edit", args=[member.pk]), data)
    assert response.status_code == 400
    assert alert(response) == "页面已过期（缺少版本信息），请刷新页面后重新编辑"
    assert Member.objects.get(pk=member.pk).position == member.position


# --- the API ------------------------------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    """api(user, method, url, body=None, **headers) -> the response, with a bearer token of that user."""
    keys = {}

    def call(user, method, url, body=None, **headers):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        headers["HTTP_AUTHORIZATION"] = f"Bearer {keys[user.pk]}"
        if method == "get":
            return client.get(url, **headers)
        return client.patch(url, json.dumps(body or {}), content_type="application/json", **headers)

    return call


def test_the_detail_carries_the_version_as_its_etag(world, api):
    response = api(world.secretary_a, "get", reverse("api:member_detail", args=[world.member_a.pk]))
    assert response["ETag"] == 'W/"1"' and response.json()["version"] == 1
    response = api(world.secretary_a, "get", reverse("api:org_detail", args=[world.branch_a.pk]))
    assert response["ETag"] == 'W/"1"' and response.json()["version"] == 1


def test_a_patch_without_a_version_is_428(world, api):
    url = reverse("api:member_update", args=[world.member_a.pk])
    for headers in ({}, {"HTTP_IF_MATCH": "*"}):
        response = api(world.secretary_a, "patch", url, {"position": "副处长"}, **headers)
        assert response.status_code == 428
        assert response.json() == {"code": "precondition_required", "message": MSG_PRECONDITION_REQUIRED}
    assert Member.objects.get(pk=world.member_a.pk).version == 1


def test_a_stale_patch_is_412_with_what_changed_and_a_fresh_one_saves(world, api):
    member = world.member_a
    url = reverse("api:member_update", args=[member.pk])
    member_update(acting_user=world.admin, member=member, version=1, phone="13912345678")
    # committee_member_a sees phones masked, in the 412 as on the pages.
    response = api(world.committee_member_a, "patch", url, {"position": "副处长"}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert body["version"] == 2 and response["ETag"] == 'W/"2"'
    assert body["changed"] == [{"field": "phone", "label": "联系电话", "value": idcard.mask_phone("13912345678")}]
    assert Member.objects.get(pk=member.pk).position == member.position

    response = api(world.committee_member_a, "patch", url, {"position": "副处长"}, HTTP_IF_MATCH='W/"2"')
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"3"' and response.json()["version"] == 3
    assert response.json()["position"] == "副处长"
    stored = Member.objects.get(pk=member.pk)
    assert (stored.position, stored.phone, stored.version) == ("副处长", "13912345678", 3)
    # Audited like the page, as the token's user, with the version the save made.
    entry = LogEntry.objects.get_for_object(stored).order_by("-pk").first()
    assert entry.actor == world.committee_member_a
    assert entry.changes_dict["position"] == [member.position, "副处长"]
    assert entry.additional_data["version"] == 3
    # The version may come in the body instead of If-Match.
    response = api(world.committee_member_a, "patch", url, {"remark": "接口", "version": 3})
    assert response.status_code == 200 and response.json()["version"] == 4


def test_a_patch_is_checked_like_the_form(world, api):
    url = reverse("api:member_update", args=[world.member_a.pk])
    response = api(world.committee_member_a, "patch", url, {"phone": "13912345678"}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "phone", "message": ERR_NOT_YOURS_TO_CHANGE}]
    response = api(world.secretary_a, "patch", url, {"name": ""}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    response = api(world.secretary_a, "patch", url, {"status": "deceased"}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    response = api(world.secretary_a, "patch", url, {"org": world.branch_b.pk}, HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["org"]
    stored = Member.objects.get(pk=world.member_a.pk)
    assert (stored.version, stored.org) == (1, world.branch_a)


def test_a_patch_outside_the_change_scope_is_404(world, api):
    url = reverse("api:member_update", args=[world.member_a.pk])
    for user in (world.inspector, world.secretary_b, world.member_user_a):
        response = api(user, "patch", url, {"position": "副处长"}, HTTP_IF_MATCH='W/"1"')
        assert response.status_code == 404, user
    assert Member.objects.get(pk=world.member_a.pk).version == 1
