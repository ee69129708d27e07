"""A branch secretary logs in, filters the roster, opens a member, and is refused another branch's member."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    expect(page.get_by_role("heading", name="机关党建工作管理系统")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("待办提醒")).to_be_visible()


def test_secretary_filters_roster_opens_member_and_is_refused_other_branch(page: Page, live_server, world):
    base = live_server.url
    login(page, base, "secretary_a")

    page.get_by_role("link", name="党员花名册").first.click()
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("王小明")
    expect(roster).to_contain_text("张宏伟")
    expect(roster).not_to_contain_text("李秀英")  # branch B

    # Type pinyin initials: the HTMX filter narrows the results without a page reload.
    page.get_by_label("搜索").fill("zhw")
    expect(roster).not_to_contain_text("王小明")
    expect(roster).to_contain_text("张宏伟")
    expect(page).to_have_url(re.compile(r"q=zhw"))

    roster.get_by_role("link", name="张宏伟").click()
    expect(page.get_by_test_id("member-name")).to_contain_text("张宏伟")
    # A secretary holds the personal-data permission: the full number is shown.
    expect(page.get_by_test_id("id-number")).to_have_text(world.member_a2.id_number)

    response = page.goto(f"{base}/members/{world.member_b.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("李秀英")


def test_roster_works_at_phone_width(page: Page, live_server, world):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "secretary_a")
    page.get_by_role("button", name="展开导航").click()
    page.get_by_role("link", name="党员花名册").click()
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("张宏伟")
    # No horizontal scrolling of the whole page: wide tables scroll inside their own container.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    # Only the search box is unfolded; the other filters open under one button, and filter as on a desktop.
    expect(page.get_by_label("搜索")).to_be_visible()
    expect(page.get_by_label("年龄≥")).to_be_hidden()
    page.get_by_test_id("more-filters-toggle").click()
    page.get_by_label("年龄≥").fill("45")
    page.get_by_label("年龄≥").press("Enter")
    expect(roster).not_to_contain_text("王小明")  # 41
    expect(roster).to_contain_text("张宏伟")  # 48
    page.reload()
    expect(page.get_by_test_id("more-filters-toggle")).to_have_text("筛选（1）")
