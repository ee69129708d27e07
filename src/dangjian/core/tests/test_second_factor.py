"""Two-step login: committee admins and superusers enrol an authenticator app and type its code after the password;
no page but the code page and logout is reachable before; wrong, replayed and hurried codes are refused in Chinese;
a manager resets a lost device within their scope only; enrolment and reset are audit-logged.

Codes are computed from the device's key with django-otp's own TOTP, as the phone app would.
"""

import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core import second_factor
from dangjian.core.roles import Role
from dangjian.core.services import token_create
from dangjian.core.tests.factories import GrantFactory, UserFactory

CODE_PAGE = reverse("core:second_factor")
ROSTER = reverse("members:list")
PASSWORD = "Dangjian#2026"  # UserFactory's


@pytest.fixture(autouse=True)
def required(settings):
    settings.SECOND_FACTOR_FOR_ADMINS = True


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` periods of 30 s later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong(device: TOTPDevice) -> str:
    """A six-digit code that is none of those the device accepts around now."""
    accepted = {code(device, steps_ahead=s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def code_page(next_url: str) -> str:
    return f"{CODE_PAGE}?next={quote(next_url, safe='')}"


def enrol(client, user) -> TOTPDevice:
    """Sign in with the password's session and enrol, as the admin would on their first login."""
    client.force_login(user)
    client.get(CODE_PAGE)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(CODE_PAGE, {"code": code(device), "next": ROSTER})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_when_off_admins_are_never_asked(world, client_for, settings):
    settings.SECOND_FACTOR_FOR_ADMINS = False
    assert client_for(world.admin).get(ROSTER).status_code == 200


def test_an_admin_is_sent_from_every_page_to_enrol(world, client_for):
    client = client_for(world.admin)
    for url in (ROSTER, reverse("core:home"), reverse("core:grants"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == code_page(url)


def test_the_enrolment_page_shows_qr_and_key_and_keeps_them_until_confirmed(world, client_for):
    client = client_for(world.admin)
    first = client.get(CODE_PAGE)
    text = first.content.decode()
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    assert "<svg" in text and "绑定身份验证器" in text and "扫描二维码" in text
    device = TOTPDevice.objects.get(user=world.admin)
    assert not device.confirmed
    secret = second_factor.secret_for_typing(device)
    assert secret in text and len(secret.replace(" ", "")) == 32  # 20-byte key, base32
    assert "花名册" not in text  # no way into the system from here
    # Visiting again shows the same key: the app the admin already scanned stays valid.
    assert secret in client.get(CODE_PAGE).content.decode()
    assert TOTPDevice.objects.filter(user=world.admin).count() == 1


def test_a_wrong_code_is_refused_in_chinese_and_enrols_nothing(world, client_for):
    client = client_for(world.admin)
    client.get(CODE_PAGE)
    device = TOTPDevice.objects.get(user=world.admin)
    response = client.post(CODE_PAGE, {"code": wrong(device), "next": ROSTER})
    assert response.status_code == 200
    assert second_factor.ERR_WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(ROSTER).status_code == 302


@pytest.mark.parametrize(
    ("typed", "error"), [("", "请输入6位验证码。"), ("12345", "验证码是6位数字。"), ("12a456", "验证码是6位数字。")]
)
def test_a_malformed_code_is_refused_before_it_is_tried(world, client_for, typed, error):
    client = client_for(world.admin)
    client.get(CODE_PAGE)
    response = client.post(CODE_PAGE, {"code": typed})
    assert error in response.content.decode()
    assert TOTPDevice.objects.get(user=world.admin).throttling_failure_count == 0  # not counted as a try


def test_the_right_code_enrols_lets_the_admin_in_and_is_audited(world, client):
    client.force_login(world.admin)
    client.get(CODE_PAGE)
    device = TOTPDevice.objects.get(user=world.admin)
    response = client.post(CODE_PAGE, {"code": code(device), "next": ROSTER}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == ROSTER
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ROSTER).status_code == 200
    entry = LogEntry.objects.get(additional_data__event=second_factor.AUDIT_ENROLLED)
    assert entry.actor == world.admin and entry.object_pk == str(world.admin.pk)
    assert entry.remote_addr == "10.1.2.3"
    assert entry.additional_data["org_path"] == world.committee.path
    assert device.key not in str(LogEntry.objects.values_list("changes", "additional_data", "object_repr"))


def test_the_next_login_asks_for_the_code_and_refuses_a_used_one(world, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # this test is about replay, not about waiting
    device = enrol(client, world.admin)
    used = code(device)
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": world.admin.username, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    text = page.content.decode()
    assert page.request["PATH_INFO"] == CODE_PAGE
    assert "请打开手机上的身份验证器" in text and "<svg" not in text  # the key is never shown again
    refused = client.post(CODE_PAGE, {"code": used, "next": ROSTER})
    assert second_factor.ERR_WRONG_CODE in refused.content.decode()
    accepted = client.post(CODE_PAGE, {"code": code(device, steps_ahead=1), "next": ROSTER})
    assert accepted["Location"] == ROSTER
    assert client.get(ROSTER).status_code == 200


def test_each_wrong_code_makes_the_next_try_wait(world, client):
    device = enrol(client, world.admin)
    client.logout()
    client.force_login(world.admin)
    client.post(CODE_PAGE, {"code": wrong(device)})
    hurried = client.post(CODE_PAGE, {"code": code(device, steps_ahead=1)})
    assert "验证码错误次数过多，请在 1 秒后再试。" in hurried.content.decode()
    assert client.get(ROSTER).status_code == 302
    # Once the wait is over the right code is taken.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert client.post(CODE_PAGE, {"code": code(device, steps_ahead=1)})["Location"] == reverse("core:home")


@pytest.mark.parametrize("persona", ["secretary_a", "committee_member_a", "member_user_a", "inspector"])
def test_other_roles_are_not_asked(world, client_for, persona):
    client = client_for(world.personas()[persona])
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(CODE_PAGE)["Location"] == reverse("core:home")
    assert not TOTPDevice.objects.exists()


def test_a_superuser_is_asked(db, client_for):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(root)
    assert client.get(ROSTER)["Location"] == code_page(ROSTER)
    admin_index = reverse("admin:index")
    assert client.get(admin_index)["Location"] == code_page(admin_index)  # Django's admin is no way round it


def test_logout_works_before_the_code(world, client_for):
    client = client_for(world.admin)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(ROSTER)["Location"].startswith(reverse("login"))


def test_an_htmx_request_is_sent_to_the_code_page_as_a_whole_page(world, client_for):
    response = client_for(world.admin).get(
        ROSTER, {"q": "zhw"}, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/members/?q=zhw"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == code_page("/members/?q=zhw")


def test_after_the_code_it_goes_only_to_a_page_of_this_site(world, client):
    client.force_login(world.admin)
    client.get(CODE_PAGE)
    device = TOTPDevice.objects.get(user=world.admin)
    response = client.post(CODE_PAGE, {"code": code(device), "next": "https://evil.example/members/"})
    assert response["Location"] == reverse("core:home")


def test_api_tokens_are_not_asked_for_a_code(world, client):
    _, key = token_create(acting_user=world.admin, name="人事系统同步")
    response = client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


# --- reset by a manager ------------------------------------------------------------------------------------------


@pytest.fixture
def general_admin(world):
    """Committee admin of the 党总支 only: below the root admin."""
    return GrantFactory(user=UserFactory(username="general_admin"), role=Role.COMMITTEE_ADMIN, org=world.general).user


def test_the_grants_page_shows_who_has_enrolled(world, client, general_admin):
    GrantFactory(user=UserFactory(username="branch_admin"), role=Role.COMMITTEE_ADMIN, org=world.branch_a)
    enrol(client, general_admin)
    client.logout()
    enrol(client, world.admin)
    client.get(reverse("core:grants"))  # shows (and so spends) the enrolment's "已绑定身份验证器" message
    text = client.get(reverse("core:grants")).content.decode()
    assert text.count("已绑定") == 2
    assert text.count("未绑定（首次登录时绑定）") == 1  # branch_admin
    assert "该角色登录时不需要验证码" in text  # the secretaries, members and inspector
    assert reverse("core:second_factor_reset", args=[general_admin.pk]) in text
    assert reverse("core:second_factor_reset", args=[world.admin.pk]) not in text  # not one's own


def test_the_grants_page_has_no_two_step_column_when_off(world, client_for, settings):
    settings.SECOND_FACTOR_FOR_ADMINS = False
    text = client_for(world.admin).get(reverse("core:grants")).content.decode()
    assert "两步验证" not in text and "未绑定" not in text


def test_a_manager_resets_a_lost_device_below_them_and_it_is_audited(world, client, general_admin):
    enrol(client, general_admin)
    client.logout()
    enrol(client, world.admin)
    response = client.post(reverse("core:second_factor_reset", args=[general_admin.pk]))
    assert response["Location"] == reverse("core:grants")
    assert not TOTPDevice.objects.filter(user=general_admin).exists()
    entry = LogEntry.objects.get(additional_data__event=second_factor.AUDIT_RESET)
    assert entry.actor == world.admin and entry.object_pk == str(general_admin.pk)
    assert entry.additional_data["org_path"] == world.general.path
    # Their next login enrols a new app.
    client.logout()
    client.force_login(general_admin)
    assert "扫描二维码" in client.get(CODE_PAGE).content.decode()


def test_a_manager_cannot_reset_someone_above_them_or_themselves(world, client, general_admin):
    enrol(client, world.admin)
    client.logout()
    # Also an admin of branch B (outside the 党总支) and of branch A (inside): not wholly in general_admin's scope.
    both = GrantFactory(user=UserFactory(username="both"), role=Role.COMMITTEE_ADMIN, org=world.branch_b).user
    GrantFactory(user=both, role=Role.COMMITTEE_ADMIN, org=world.branch_a)
    TOTPDevice.objects.create(user=both, name="x", confirmed=True)
    enrol(client, general_admin)
    above = client.post(reverse("core:second_factor_reset", args=[world.admin.pk]))
    assert above.status_code == 404  # not among the grants general_admin manages: not even its existence
    partly = client.post(reverse("core:second_factor_reset", args=[both.pk]), follow=True)
    assert second_factor.ERR_RESET_OUT_OF_SCOPE in [str(m) for m in get_messages(partly.wsgi_request)]
    self_reset = client.post(reverse("core:second_factor_reset", args=[general_admin.pk]), follow=True)
    assert second_factor.ERR_RESET_SELF in [str(m) for m in get_messages(self_reset.wsgi_request)]
    assert TOTPDevice.objects.filter(confirmed=True).count() == 3
    assert not LogEntry.objects.filter(additional_data__event=second_factor.AUDIT_RESET).exists()


def test_a_user_without_the_grants_page_cannot_reset(world, client_for, general_admin):
    TOTPDevice.objects.create(user=general_admin, name="x", confirmed=True)
    response = client_for(world.secretary_a).post(reverse("core:second_factor_reset", args=[general_admin.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=general_admin).exists()


def test_a_user_without_any_grant_cannot_be_reset_by_a_manager(world):
    nobody = UserFactory(username="nobody")
    TOTPDevice.objects.create(user=nobody, name="x", confirmed=True)
    with pytest.raises(PermissionDenied, match=second_factor.ERR_RESET_OUT_OF_SCOPE):
        second_factor.reset(acting_user=world.admin, user=nobody)
