"""A branch secretary creates logins for the branch and downloads the one-time password sheet; a member signs in
with the initial password, is made to change it, and then sees only their own record. Under the strict CSP."""

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory
NEW_PASSWORD = "Hongqi#Piaopiao9"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_secretary_creates_logins_and_a_member_changes_the_password(page: Page, live_server, world, violations):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    sign_in(page, base, "secretary_a", PASSWORD)
    expect(page.get_by_text("待办提醒")).to_be_visible()

    page.get_by_role("link", name="账号与权限").first.click()
    expect(page.get_by_test_id("accounts")).to_contain_text("member_a")
    expect(page.get_by_test_id("accounts")).not_to_contain_text("secretary_b")
    page.get_by_role("link", name="为整个支部批量创建").click()
    page.get_by_label("党组织").select_option(str(world.branch_a.pk))
    page.get_by_role("button", name="查看尚无账号的党员").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(page.get_by_test_id("pending")).to_contain_text("张宏伟")
    page.get_by_test_id("create-logins").click()

    credentials = page.get_by_test_id("credentials")
    expect(credentials).to_contain_text("张宏伟")
    username = credentials.get_by_test_id("username").inner_text()
    password = credentials.get_by_test_id("password").inner_text()
    assert username == "zhanghongwei" and len(password) == 12

    with page.expect_download() as download_info:
        page.get_by_test_id("download-credentials").click()
    path = download_info.value.path()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[1] == ["张宏伟", "办公室党支部", username, password]
    # The second time, the sheet is gone.
    page.get_by_test_id("download-credentials").click()
    expect(page.get_by_text("初始密码表已下载过或已过期")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base, username, password)
    expect(page.get_by_text("请先设置自己的新密码")).to_be_visible()
    page.goto(f"{base}/members/")  # anything else leads back to the change page
    expect(page.get_by_text("请先设置自己的新密码")).to_be_visible()
    page.locator("[name=old_password]").fill(password)
    page.locator("[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("[name=new_password2]").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()

    page.goto(f"{base}/")
    page.get_by_role("link", name="我的党员信息").click()
    expect(page.get_by_test_id("member-name")).to_contain_text("张宏伟")
    response = page.goto(f"{base}/members/")  # no roster: a member sees their own record only
    assert response.status == 404
    response = page.goto(f"{base}/members/{world.member_a.pk}/")
    assert response.status == 404
    assert violations == []
