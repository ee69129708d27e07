"""Every main page works under the Content-Security-Policy: Chromium reports no violation (a blocked script, style,
image or handler) on any of them, the statistics' charts draw, HTMX swaps, Swagger UI renders."""

import pytest
from playwright.sync_api import Page, expect

from .test_roster_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_main_page_works_under_the_policy(page: Page, live_server, world, violations):
    base = live_server.url
    page.goto(f"{base}/login/")
    login(page, base, "admin")  # the login page, then home

    page.goto(f"{base}/orgs/")
    expect(page.get_by_role("link", name="办公室党支部")).to_be_visible()
    # The tree's indentation survives the policy (classes in our style sheet, not style attributes).
    cell = page.get_by_role("link", name="第一党小组").locator("xpath=..")
    indent = cell.evaluate("e => getComputedStyle(e).paddingLeft")
    assert float(indent.removesuffix("px")) > 50

    page.goto(f"{base}/members/")
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("张宏伟")
    page.get_by_label("搜索").fill("zhw")  # an HTMX swap
    expect(roster).not_to_contain_text("王小明")

    page.goto(f"{base}/members/{world.member_a2.pk}/")
    expect(page.get_by_test_id("member-name")).to_contain_text("张宏伟")
    page.goto(f"{base}/members/{world.member_a2.pk}/edit/")
    expect(page.locator("form").filter(has=page.get_by_role("button", name="保存"))).to_be_visible()

    page.goto(f"{base}/members/stats/")
    charts = page.locator("[data-chart]")
    expect(charts.first).to_be_visible()
    count = charts.count()
    assert count >= 5
    # ECharts drew every chart (SVG renderer): each holder has an <svg> with shapes, at the height we asked for.
    expect(page.locator("[data-chart] svg")).to_have_count(count)
    for i in range(count):
        assert charts.nth(i).locator("svg path").count() > 0
        assert charts.nth(i).bounding_box()["height"] > 100
    charts.first.hover()  # the tooltip is HTML that ECharts writes with style attributes
    page.mouse.move(0, 0)

    page.goto(f"{base}/members/import/")
    expect(page.get_by_label("花名册文件")).to_be_visible()

    page.goto(f"{base}/members/")
    page.get_by_test_id("roster-export").get_by_role("button").click()
    expect(page.get_by_test_id("job-download")).to_be_visible()
    assert page.get_by_test_id("job-progress").locator(".progress-bar").evaluate("e => e.style.width") == "100%"

    page.goto(f"{base}/audit/")
    expect(page.locator("main")).to_contain_text("审计日志")

    page.goto(f"{base}/tokens/")
    page.get_by_label("名称").fill("同步")
    page.get_by_role("button", name="创建令牌").click()
    page.once("dialog", lambda dialog: dialog.dismiss())  # the confirmation, now from our script: say no
    page.get_by_role("button", name="撤销").click()
    expect(page.get_by_role("button", name="撤销")).to_be_visible()

    page.goto(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui .info")).to_contain_text("API")
    expect(page.locator(".opblock").first).to_be_visible()

    page.goto(f"{base}/login/")  # logged in: the login page still renders its form
    assert violations == [], "\n".join(v for v in violations if "sample" in v)
