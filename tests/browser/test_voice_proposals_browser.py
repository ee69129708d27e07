"""党员提案 in Chromium (issue 16): a member submits a proposal on a phone (390 px) with an attachment, the committee
(admin) accepts it and assigns it to branch B with a deadline, branch B's secretary replies, and the member rates
the reply on the phone — under the CSP, with no horizontal overflow."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.voice.models import Proposal, ProposalEvent
from dangjian.voice.tests.proposals_world import PNG

from .test_roster_browser import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def phone_login(browser, base: str, username: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    phone = context.new_page()
    phone.goto(f"{base}/login/")
    phone.get_by_label("用户名").fill(username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_text("待办提醒")).to_be_visible()
    return context, phone


def test_submitted_on_a_phone_assigned_replied_and_rated(page: Page, browser, live_server, world, violations, tmp_path):
    base = live_server.url
    title = "关于优化机关食堂就餐时间的建议"

    # The member submits on the phone, from the home panel.
    context, phone = phone_login(browser, base, "member_a")
    phone.get_by_test_id("proposal-member-panel").get_by_role("link", name="提交提案、查看办理").click()
    phone.get_by_label("标题").fill(title)
    phone.get_by_label("类别").select_option(label="职工生活")
    phone.get_by_label("内容").fill("建议将午餐时间延长半小时，错峰就餐。")
    picture = tmp_path / "食堂排队.png"
    picture.write_bytes(PNG)
    phone.get_by_label("附件").set_input_files(str(picture))
    assert phone.evaluate(NO_OVERFLOW)
    phone.get_by_role("button", name="提交提案").click()
    expect(phone.get_by_test_id("proposal-state")).to_have_text("待审查")
    assert phone.evaluate(NO_OVERFLOW)
    proposal = Proposal.objects.unrestricted().get()
    assert proposal.org_id == world.branch_a.pk and proposal.files.unrestricted().count() == 1

    # The committee accepts it and assigns it to branch B.
    login(page, base, "admin")
    page.goto(f"{base}/voice/proposals/?state=submitted")
    page.get_by_role("link", name=title).click()
    page.get_by_test_id("submit-accept").click()
    expect(page.get_by_test_id("proposal-state")).to_have_text("已立案")
    assign = page.get_by_test_id("move-assign")
    assign.get_by_label("承办单位").select_option(label=world.branch_b.name)
    assign.get_by_label("办理时限").fill(str(timezone.localdate() + timedelta(days=15)))
    page.get_by_test_id("submit-assign").click()
    expect(page.get_by_test_id("proposal-state")).to_have_text("承办中")
    expect(page.get_by_test_id("proposal-handler")).to_have_text(world.branch_b.name)
    assert violations == [], "\n".join(violations)

    # Branch B's secretary (the handler) replies.
    page.context.clear_cookies()
    login(page, base, "secretary_b")
    page.goto(f"{base}/voice/proposals/")
    page.get_by_role("link", name=title).click()
    page.get_by_test_id("move-reply").get_by_label("答复内容").fill("已协调食堂自下月起延长供餐时间。")
    page.get_by_test_id("submit-reply").click()
    expect(page.get_by_test_id("proposal-state")).to_have_text("已答复")

    # The member rates the reply on the phone.
    phone.goto(f"{base}/voice/proposals/mine/")
    phone.get_by_role("link", name=title).click()
    expect(phone.get_by_test_id("proposal-reply")).to_contain_text("延长供餐时间")
    phone.get_by_test_id("move-rate").get_by_label("满意", exact=True).check()
    assert phone.evaluate(NO_OVERFLOW)
    phone.get_by_test_id("submit-rate").click()
    expect(phone.get_by_test_id("proposal-state")).to_have_text("已办结")
    expect(phone.get_by_test_id("proposal-rating")).to_contain_text("满意")
    assert phone.evaluate(NO_OVERFLOW)
    context.close()
    moves = list(ProposalEvent.objects.unrestricted().values_list("move", flat=True).order_by("id"))
    assert moves == ["submit", "accept", "assign", "reply", "rate"]
    assert violations == [], "\n".join(violations)
