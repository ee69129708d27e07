"""QR sign-in in Chromium: the secretary's projector page shows the QR code (under the CSP), and a member's phone
(390 px) opens the link it encodes, logs in on the way, taps once and reads 签到成功, with no horizontal overflow."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.meetings.choices import Activity, Presence
from dangjian.meetings.models import Attendance
from dangjian.meetings.services import create_meeting

from .test_roster_browser import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_member_signs_in_from_the_projectors_qr_link(page: Page, browser, live_server, world, violations):
    now = timezone.now()  # browser tests keep the real clock
    meeting = create_meeting(
        by=world.admin,
        org=world.branch_a,
        activities=[Activity.THEME_DAY],
        topic="学习贯彻主题党日",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        place="三楼会议室",
    )
    base = live_server.url
    login(page, base, "secretary_a")
    page.goto(f"{base}/meetings/{meeting.pk}/signin/qr/")
    qr = page.get_by_test_id("signin-qr")
    expect(qr.locator("svg")).to_be_visible()
    expect(page.get_by_test_id("signin-code")).to_have_text(re.compile(r"^\d{6}$"))
    link = qr.get_attribute("data-signin-url")
    assert link.startswith(f"{base}/meetings/{meeting.pk}/signin/?t=")
    assert violations == [], "\n".join(violations)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    member = phone.new_page()
    member.goto(link)  # logged out: the login page, which brings the phone back to the same link
    member.get_by_label("用户名").fill("member_a")
    member.get_by_label("密码").fill(PASSWORD)
    member.get_by_role("button", name="登录").click()
    expect(member.get_by_role("button", name="确认签到")).to_be_visible()
    assert member.url == link
    assert member.evaluate(NO_OVERFLOW)
    member.get_by_role("button", name="确认签到").click()
    expect(member.get_by_test_id("signin-result")).to_contain_text("签到成功")
    assert member.evaluate(NO_OVERFLOW)
    row = Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a)
    assert row.presence == Presence.PRESENT and row.signed_by == "self"

    member.goto(link)  # the same link again: calm, and nothing more written
    expect(member.get_by_test_id("signin-result")).to_contain_text("您已于")
    phone.close()

    page.reload()  # the projector counts the sign-in
    expect(page.get_by_test_id("signin-present")).to_have_text("1 人")
    assert violations == [], "\n".join(violations)
