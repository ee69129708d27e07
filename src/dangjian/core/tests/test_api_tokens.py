"""API tokens: issued per user, shown once, stored hashed, revocable by their owner only; bearer authentication
and the API's JSON error format."""

import hashlib
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dangjian.api import on_permission_denied
from dangjian.core.forms import ERR_REQUIRED
from dangjian.core.models import ApiToken
from dangjian.core.services import (
    ERR_TOKEN_NO_GRANT,
    ERR_TOKEN_NOT_OWNER,
    ERR_TOKEN_REVOKED,
    token_create,
    token_revoke,
)
from dangjian.core.tests.factories import UserFactory
from dangjian.members import selectors as member_selectors

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {"code": "unauthorized", "message": "缺少或无效的访问令牌"}
NOT_FOUND = {"code": "not_found", "message": "对象不存在或不在您的权限范围内"}


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def orgs_url() -> str:
    return reverse("api:org_list")


# Issuing and storing


def test_token_key_is_stored_only_as_its_hash(world):
    token, key = token_create(acting_user=world.secretary_a, name="人事系统同步")
    token.refresh_from_db()
    assert len(key) >= 40
    assert token.prefix == key[:8]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(key in value for value in stored)
    # The audit log records the token's creation, without the key or its hash.
    entry = LogEntry.objects.get_for_object(token).get()
    assert key not in str(entry.changes) and token.key_hash not in str(entry.changes)
    assert "人事系统同步" in str(entry.changes)


def test_each_token_gets_its_own_key(world):
    keys = {token_create(acting_user=world.secretary_a, name=f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5


def test_it_refuses_a_token_to_a_user_without_grants(db):
    with pytest.raises(PermissionDenied, match=ERR_TOKEN_NO_GRANT):
        token_create(acting_user=UserFactory(), name="x")


def test_it_refuses_to_revoke_someone_elses_token(world):
    token, _key = token_create(acting_user=world.secretary_a, name="t")
    with pytest.raises(PermissionDenied, match=ERR_TOKEN_NOT_OWNER):
        token_revoke(acting_user=world.admin, token=token)
    token_revoke(acting_user=world.secretary_a, token=token)
    with pytest.raises(ValidationError, match=ERR_TOKEN_REVOKED):
        token_revoke(acting_user=world.secretary_a, token=token)


# The token page


def test_the_page_shows_the_new_key_once(world, client_for):
    client = client_for(world.secretary_a)
    response = client.post(reverse("core:tokens"), {"name": "人事系统同步"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.secretary_a)
    page = response.content.decode()
    assert "已创建访问令牌“人事系统同步”" in page
    assert "no-store" in response["Cache-Control"]
    key = response.context["new_key"]
    assert key.startswith(token.prefix) and f'value="{key}"' in page
    assert client.get(orgs_url(), **auth(key)).status_code == 200
    again = client.get(reverse("core:tokens")).content.decode()
    assert key not in again
    assert f"{token.prefix}…" in again and "从未使用" not in again  # used just now


def test_the_page_refuses_a_token_without_a_name(world, client_for):
    response = client_for(world.secretary_a).post(reverse("core:tokens"), {"name": " "})
    assert response.status_code == 200
    assert ERR_REQUIRED in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_ones_own_tokens(world, client_for):
    token_create(acting_user=world.secretary_b, name="财务处的令牌")
    token_create(acting_user=world.secretary_a, name="办公室的令牌")
    page = client_for(world.secretary_a).get(reverse("core:tokens")).content.decode()
    assert "办公室的令牌" in page and "财务处的令牌" not in page
    admin_page = client_for(world.admin).get(reverse("core:tokens")).content.decode()
    assert "办公室的令牌" not in admin_page and "财务处的令牌" not in admin_page


def test_the_user_menu_links_to_tokens_for_users_with_a_grant(world, client_for):
    assert reverse("core:tokens") in client_for(world.member_user_a).get("/").content.decode()


def test_a_user_without_grants_has_no_token_page(db, client_for):
    client = client_for(UserFactory())
    assert reverse("core:tokens") not in client.get("/").content.decode()
    assert client.get(reverse("core:tokens")).status_code == 404


def test_the_owner_revokes_a_token_and_it_stops_working(world, client_for, client):
    token, key = token_create(acting_user=world.secretary_a, name="t")
    response = client_for(world.secretary_a).post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    response = client.get(orgs_url(), **auth(key))
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    page = client_for(world.secretary_a).get(reverse("core:tokens")).content.decode()
    assert "撤销" in page and reverse("core:token_revoke", args=[token.pk]) not in page


def test_it_refuses_to_revoke_from_another_account(world, client_for):
    token, key = token_create(acting_user=world.secretary_a, name="t")
    for other in (world.admin, world.secretary_b):
        assert client_for(other).post(reverse("core:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_is_404(world, client_for):
    token, _key = token_create(acting_user=world.secretary_a, name="t")
    client = client_for(world.secretary_a)
    client.post(reverse("core:token_revoke", args=[token.pk]))
    assert client.post(reverse("core:token_revoke", args=[token.pk])).status_code == 404


# Bearer authentication


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer wrong-key", "Token {key}", "Basic {key}", "Bearer {key}x", "{key}"],
)
def test_it_refuses_a_missing_or_wrong_token(world, client, header):
    _token, key = token_create(acting_user=world.admin, name="t")
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header.format(key=key)}
    response = client.get(orgs_url(), **extra)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Bearer"


def test_unauthenticated_call_is_json_401_not_the_login_redirect(client):
    response = client.get(reverse("api:member_list"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_a_token_of_a_deactivated_user_is_refused(world, client):
    _token, key = token_create(acting_user=world.secretary_a, name="t")
    world.secretary_a.is_active = False
    world.secretary_a.save()
    assert client.get(orgs_url(), **auth(key)).status_code == 401


def test_a_token_acts_as_its_user_not_as_the_signed_in_session(world, client_for):
    _token, key = token_create(acting_user=world.secretary_b, name="t")
    client = client_for(world.admin)  # a session of someone who sees everything
    names = [o["name"] for o in client.get(orgs_url(), **auth(key)).json()["results"]]
    assert names == ["财务处党支部"]


def test_last_used_is_written_at_most_once_a_minute(world, client):
    token, key = token_create(acting_user=world.secretary_a, name="t")
    assert token.last_used_at is None
    client.get(orgs_url(), **auth(key))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(orgs_url(), **auth(key))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(orgs_url(), **auth(key))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_using_a_token_writes_no_audit_entry(world, client):
    _token, key = token_create(acting_user=world.secretary_a, name="t")
    before = LogEntry.objects.count()
    client.get(orgs_url(), **auth(key))
    assert LogEntry.objects.count() == before


# The error format


def test_out_of_scope_is_json_404(world, client):
    _token, key = token_create(acting_user=world.secretary_a, name="t")
    response = client.get(reverse("api:member_detail", args=[world.member_b.pk]), **auth(key))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = client.get(reverse("api:member_detail", args=[10**30]), **auth(key))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_invalid_parameters_are_json_422_with_field_details(world, client):
    _token, key = token_create(acting_user=world.admin, name="t")
    response = client.get(reverse("api:member_list"), {"page": 0, "category": "x", "age_min": "多"}, **auth(key))
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("validation_error", "请求参数有误")
    assert body["errors"] == [
        {"field": "category", "message": "不是有效的选项，可选值：'full', 'probationary'"},
        {"field": "age_min", "message": "请输入整数"},
        {"field": "page", "message": "不能小于 1"},
    ]
    response = client.get(reverse("api:member_detail", args=["abc"]), **auth(key))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "member_id", "message": "请输入整数"}]


def test_permission_denied_is_json_403(world):
    request = RequestFactory().get("/api/v1/members")
    response = on_permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert response.content.decode() == '{"code": "permission_denied", "message": "您无权执行此操作"}'


def test_an_unexpected_error_is_json_500(world, client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(member_selectors, "member_get", broken)
    _token, key = token_create(acting_user=world.admin, name="t")
    response = client.get(reverse("api:member_detail", args=[world.member_a.pk]), **auth(key))
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_other_methods_are_refused(world, client):
    _token, key = token_create(acting_user=world.admin, name="t")
    assert client.delete(reverse("api:member_detail", args=[world.member_a.pk]), **auth(key)).status_code == 405
    assert client.post(reverse("api:member_list"), {}, **auth(key)).status_code == 405
