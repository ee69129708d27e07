"""The audit log on a phone: cards that wrap (no horizontal scrolling even with a 2,000-character value), the long
value opened with <details> (no script), under the CSP."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.core.audit import audit_event
from dangjian.members.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory


def test_the_audit_log_at_phone_width(page: Page, live_server, world, violations):
    long_value = "很长的备注" * 400  # 2,000 characters without a space
    audit_event(
        actor=world.admin,
        target=world.member_a,
        object_repr="王小明",
        action=1,
        org_path=world.branch_a.path,
        changes={"remark": ["", long_value]},
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("inspector")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    expect(page.locator("body")).to_contain_text("备注")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    summary = page.locator("details summary").first
    expect(page.locator("details span").first).to_be_hidden()
    summary.click()
    expect(page.locator("details span").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert Member.objects.filter(pk=world.member_a.pk).exists()
    assert violations == []
