"""Safe login: Chinese login page, lockout after repeated failures, password rules, idle session expiry, CSRF,
and no page open to anonymous users.

Lockout state (axes AccessAttempt rows) lives in the database, so each test's rollback resets it; axes' database
handler does not use the cache.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dangjian.core.models import User
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member

PASSWORD = "Dangjian#2026"  # UserFactory's password
WRONG_LOGIN = "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
LOCKED = "登录失败次数过多，账号已暂时锁定"


@pytest.fixture
def user(db) -> User:
    return UserFactory(username="secretary_a")


def login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    """Whether the client's session cookie names a signed-in session (without creating one, unlike client.session)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    session = cookie and Session.objects.filter(session_key=cookie.value, expire_date__gt=timezone.now()).first()
    return bool(session) and "_auth_user_id" in session.get_decoded()


# --- login page -------------------------------------------------------------------------------------------------


def test_login_page_is_in_chinese(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = response.content.decode()
    for label in ("用户名", "密码", "登录", "机关党建工作管理系统"):
        assert label in text
    assert 'name="csrfmiddlewaretoken"' in text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"连续输错密码{settings.AXES_FAILURE_LIMIT}次，账号将锁定{minutes}分钟。" in text  # hint matches the rule


def test_a_fresh_database_has_no_accounts(db):
    """No migration creates a default account: the only known passwords are the demo data's."""
    assert not User.objects.exists()


def test_wrong_password_shows_chinese_error(user, client):
    response = login(client, "secretary_a", "wrong-password")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert not logged_in(client)


def test_unknown_user_gets_the_same_error(db, client):
    response = login(client, "nobody", PASSWORD)
    assert WRONG_LOGIN in response.content.decode()


def test_correct_login_redirects_home(user, client):
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_follows_next_but_not_offsite(user, client):
    response = client.post(
        reverse("login") + "?next=/members/", {"username": "secretary_a", "password": PASSWORD, "next": "/members/"}
    )
    assert response["Location"] == "/members/"
    client.logout()
    response = client.post(
        reverse("login"), {"username": "secretary_a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


# --- lockout ----------------------------------------------------------------------------------------------------


def fail_until_locked(client: Client, username: str = "secretary_a"):
    """Five wrong passwords: the first four show the login error, the fifth already answers with the lockout."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, username, "wrong-password")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()
    response = login(client, username, "wrong-password")
    assert response.status_code == 429
    return response


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    # Per account and address: one person's typos must not lock out colleagues behind the same office NAT.
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS


def test_sixth_attempt_with_right_password_is_locked_out(user, client):
    fail_until_locked(client)
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED in text
    assert "请 15 分钟后再试" in text
    assert "连续5次密码错误" in text
    assert Session.objects.count() == 0
    assert not logged_in(client)
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("login"))


def test_lockout_does_not_touch_other_accounts(user, client):
    UserFactory(username="secretary_b")
    fail_until_locked(client)
    assert login(client, "secretary_b", PASSWORD).status_code == 302


def test_login_works_again_after_the_cooloff(user, client):
    fail_until_locked(client)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert login(client, "secretary_a", PASSWORD).status_code == 429  # still inside the 15 minutes
    assert not logged_in(client)

    # The refused attempt restarted the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT); wait it out.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = login(client, "secretary_a", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert not AccessAttempt.objects.exists()


def test_success_resets_the_failure_count(user, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "secretary_a", "wrong-password")
    assert login(client, "secretary_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "secretary_a", "wrong-password").status_code == 200
    assert login(client, "secretary_a", PASSWORD).status_code == 302


# --- password rules ---------------------------------------------------------------------------------------------

TOO_SHORT = "密码长度太短。密码必须包含至少 10 个字符。"
TOO_COMMON = "这个密码太常见了。"
NUMERIC = "密码只包含数字。"
LIKE_USERNAME = "密码跟 用户名 太相似了。"


@pytest.mark.parametrize(
    ("new_password", "errors"),
    [
        ("12345678", [TOO_SHORT, TOO_COMMON, NUMERIC]),
        ("password1", [TOO_SHORT, TOO_COMMON]),
        ("2718281828459045", [NUMERIC]),
        ("secretary_a1", [LIKE_USERNAME]),
    ],
)
def test_password_change_rejects_weak_passwords(new_password, errors, user, client):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    text = response.content.decode()
    for error in errors:
        assert error in text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_the_old_password(user, client):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-the-old-one",
            "new_password1": "Hongqi-Piaopiao-88",
            "new_password2": "Hongqi-Piaopiao-88",
        },
    )
    assert "你的旧密码不正确。请重新输入。" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_accepts_a_strong_password_and_keeps_the_session(user, client):
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Hongqi-Piaopiao-88", "new_password2": "Hongqi-Piaopiao-88"},
    )
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Hongqi-Piaopiao-88")
    assert client.get(reverse("core:home")).status_code == 200


# --- idle session expiry ----------------------------------------------------------------------------------------


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_timeout_is_thirty_minutes_and_renewed_by_requests():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by a request at most once a minute (core/sessions.py), not written by every page view.
    assert settings.SESSION_ENGINE == "dangjian.core.sessions"
    assert settings.SESSION_RENEW_SECONDS == 60
    assert "dangjian.core.sessions.SessionMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE


def test_a_request_renews_the_session_expiry(user, client):
    assert login(client, "secretary_a", PASSWORD).status_code == 302
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=2))  # idle for 28 minutes

    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    remaining = session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_a_request_within_the_renewal_interval_does_not_write_the_session(user, client):
    assert login(client, "secretary_a", PASSWORD).status_code == 302
    recent = timezone.now() + timedelta(minutes=29, seconds=30)  # renewed 30 seconds ago
    Session.objects.update(expire_date=recent)

    assert client.get(reverse("core:home")).status_code == 200
    assert session_row(client).expire_date == recent


def test_an_expired_session_sends_the_user_to_login(user, client):
    assert login(client, "secretary_a", PASSWORD).status_code == 302
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 minutes without a request

    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('members:list')}"


# --- CSRF -------------------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_login_without_csrf_token_is_refused(user, csrf_client):
    response = login(csrf_client, "secretary_a", PASSWORD)
    assert response.status_code == 403
    assert "CSRF验证失败" in response.content.decode()
    assert not logged_in(csrf_client)


def test_login_with_csrf_token_works(user, csrf_client):
    csrf_client.get(reverse("login"))
    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = csrf_client.post(
        reverse("login"), {"username": "secretary_a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_state_changing_posts_without_csrf_token_are_refused(world, csrf_client):
    csrf_client.force_login(world.admin)
    members_before = Member.objects.count()
    response = csrf_client.post(reverse("members:create"), {"name": "赵某", "org": world.branch_a.pk})
    assert response.status_code == 403
    assert Member.objects.count() == members_before

    assert csrf_client.post(reverse("logout")).status_code == 403
    assert logged_in(csrf_client)


def test_htmx_header_token_is_accepted(world, csrf_client):
    csrf_client.force_login(world.admin)
    page = csrf_client.get(reverse("core:home"))
    token = page.context["csrf_token"]
    assert f'"X-CSRFToken": "{token}"' in page.content.decode()  # base.html hands it to htmx
    response = csrf_client.post(reverse("logout"), headers={"X-CSRFToken": str(token)})
    assert response.status_code == 302
    assert not logged_in(csrf_client)


def walk_patterns(resolver=None, namespace="", converters=()):
    """(name, URLPattern, names of the path's arguments) for every URL pattern of the project."""
    for pattern in (resolver or get_resolver()).url_patterns:
        found = converters + tuple(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk_patterns(pattern, inner, found)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern, found


def test_no_view_is_csrf_exempt():
    exempt = [
        name
        for name, p, _ in walk_patterns()
        if getattr(p.callback, "csrf_exempt", False)
        # django-ninja marks its views exempt and checks CSRF itself when auth is by session cookie.
        and not p.callback.__module__.startswith("ninja.")
    ]
    assert exempt == []


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


# --- nothing is open to anonymous users -------------------------------------------------------------------------

#: Pages an anonymous visitor may see (adding one here is a security decision); the Django admin has its own login.
#: core:healthz answers only {"status": "ok"|"error"} (core/health.py): for a monitoring probe, nothing else disclosed.
PUBLIC = {"login", "core:healthz"}
#: The REST API authenticates by bearer token, not session: without one its operations answer JSON 401 (never the
#: login redirect) and its index, schema and docs are public. test_api_scope_every_url.py checks every API URL.
TOKEN_NAMESPACE = "api:"


def project_urls() -> list[tuple[str, str]]:
    urls = []
    for name, _, kwargs in walk_patterns():
        if name in PUBLIC or name.startswith(("admin:", TOKEN_NAMESPACE)):
            continue
        urls.append((name, reverse(name, kwargs=dict.fromkeys(kwargs, 1))))
    return urls


def test_every_page_sits_behind_login_middleware():
    assert settings.MIDDLEWARE[-5:] == [
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "dangjian.core.middleware.SecondFactorMiddleware",  # after it: only signed-in users reach the second step
        "dangjian.core.middleware.PasswordChangeMiddleware",  # after both: the code first, then the new password
        "axes.middleware.AxesMiddleware",
        "dangjian.core.errors.FriendlyErrorsMiddleware",  # last: only shapes the error pages
    ]
    open_views = {name for name, p, _ in walk_patterns() if not getattr(p.callback, "login_required", True)}
    api_views = {name for name, _, _ in walk_patterns() if name.startswith(TOKEN_NAMESPACE)}
    assert api_views and api_views <= open_views, "API views must answer 401 themselves, not redirect to login"
    assert open_views - PUBLIC - api_views == {"admin:login"}


@pytest.mark.parametrize(("name", "url"), project_urls())
def test_anonymous_is_sent_to_login(name, url, db, client):
    expected = f"{reverse('login')}?next={url}"
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, expected), f"GET {name}"
    response = client.post(url, {})
    assert (response.status_code, response["Location"]) == (302, expected), f"POST {name}"


def test_anonymous_admin_is_sent_to_admin_login(db, client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
