"""学习培训 in Chromium (issue 15): the secretary plans a study session, two members sign in on their phones (390 px)
from the projector's QR link, one reports an external course with a certificate, the secretary approves it, and
both members read their 学时 on their phones — under the CSP, with no horizontal overflow."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.study.choices import ReportState
from dangjian.study.models import Report, Session
from dangjian.study.tests.study_world import PNG

from .test_roster_browser import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def local_input(moment) -> str:
    """A datetime-local input's value, in the server's (and the browser's) time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def phone_login(browser, link: str, username: str):
    """A phone that opens `link` logged out, logs in on the way and lands on it."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = context.new_page()
    phone.goto(link)
    phone.get_by_label("用户名").fill(username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    return context, phone


def test_a_session_signed_in_on_phones_and_an_approved_report_give_hours(
    page: Page, browser, live_server, world, violations, tmp_path
):
    # The second member gets a login of her own (the world gives member_a2 none).
    second = UserFactory(username="member_a2", full_name=world.member_a2.name)
    Member.objects.unrestricted().filter(pk=world.member_a2.pk).update(user=second)
    RoleGrant.objects.create(user=second, role=Role.MEMBER, org=world.branch_a)
    base = live_server.url
    now = timezone.now()  # browser tests keep the real clock

    # The secretary plans a session starting now, for the branch's members.
    login(page, base, "secretary_a")
    page.goto(f"{base}/study/sessions/new/?org={world.branch_a.pk}")
    page.get_by_label("学习形式").select_option(label="专家辅导")
    page.locator("#id_hours").fill("2")
    page.get_by_label("学习主题").fill("党的二十届四中全会精神专家辅导")
    page.get_by_label("开始时间").fill(local_input(now - timedelta(minutes=5)))
    page.get_by_label("结束时间").fill(local_input(now + timedelta(hours=1)))
    page.get_by_label("主讲人").fill("市委党校 王教授")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("session-hours")).to_have_text("2.0")
    session = Session.objects.unrestricted().get()
    assert session.kind == "expert" and session.meeting.org_id == world.branch_a.pk

    # The projector shows the meeting's QR code: the same sign-in as any meeting.
    page.goto(f"{base}/meetings/{session.meeting_id}/signin/qr/")
    link = page.get_by_test_id("signin-qr").get_attribute("data-signin-url")
    assert violations == [], "\n".join(violations)

    phones = {}
    for username in ("member_a", "member_a2"):
        context, phone = phone_login(browser, link, username)
        phone.get_by_role("button", name="确认签到").click()
        expect(phone.get_by_test_id("signin-result")).to_contain_text("签到成功")
        assert phone.evaluate(NO_OVERFLOW)
        phones[username] = (context, phone)

    # One of them reports an online course with its certificate.
    _, phone = phones["member_a"]
    phone.goto(f"{base}/study/mine/")
    phone.get_by_test_id("mine-report").click()
    phone.get_by_label("课程/培训名称").fill("学习贯彻党的二十届四中全会精神网络专题班")
    phone.get_by_label("举办单位/平台").fill("中国干部网络学院")
    phone.get_by_label("学习形式").select_option(label="网络学习")
    phone.get_by_label("学习日期").fill(str(timezone.localdate() - timedelta(days=2)))
    phone.locator("#id_hours").fill("3")
    certificate = tmp_path / "结业证书.png"
    certificate.write_bytes(PNG)
    phone.get_by_label("证书/证明").set_input_files(str(certificate))
    assert phone.evaluate(NO_OVERFLOW)
    phone.get_by_role("button", name="提交申报").click()
    expect(phone.get_by_test_id("mine-hours")).to_have_text("2")  # pending: it counts nothing yet
    report = Report.objects.unrestricted().get()
    assert report.state == ReportState.PENDING

    # The secretary approves it.
    page.goto(f"{base}/study/reports/")
    page.get_by_role("link", name=world.member_a.name).click()
    page.get_by_label("认定", exact=True).check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert").filter(has_text="认定")).to_contain_text(world.member_a.name)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert violations == [], "\n".join(violations)

    # Both members read their hours on their phones.
    for username, hours in (("member_a", "5"), ("member_a2", "2")):
        context, phone = phones[username]
        phone.goto(f"{base}/study/mine/")
        expect(phone.get_by_test_id("mine-hours")).to_have_text(hours)
        expect(phone.get_by_test_id("mine-attended")).to_contain_text("党的二十届四中全会精神专家辅导")
        assert phone.evaluate(NO_OVERFLOW)
        context.close()
    assert violations == [], "\n".join(violations)
