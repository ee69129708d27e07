"""A committee admin's first login on a phone: password, then enrol the authenticator app (typing the key shown
under the QR code, as an app that cannot scan would), a wrong code refused, the right one lets them in."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory


def app_code(secret: str) -> str:
    """What the authenticator app shows for the key typed into it."""
    key = secret.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_admin_enrols_an_authenticator_on_first_login(page: Page, live_server, world, settings):
    settings.SECOND_FACTOR_FOR_ADMINS = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below must not make the right one wait
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/members/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text()

    page.get_by_label("验证码").fill("000000" if app_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="完成绑定并登录").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("验证码不正确或已过期")

    page.get_by_label("验证码").fill(app_code(secret))
    page.get_by_role("button", name="完成绑定并登录").click()
    expect(page.get_by_text("已绑定身份验证器")).to_be_visible()
    expect(page.get_by_test_id("roster")).to_contain_text("张宏伟")  # back where the admin was going
