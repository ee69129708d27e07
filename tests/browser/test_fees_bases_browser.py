"""A branch secretary on a phone (390 px): the bases list as cards, a member's fee page (the approval fields shown for
an exemption only), and the yearly 核定 — download, a bad row refused with its number, a good sheet written."""

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from dangjian.fees import check, ledger
from dangjian.fees.tests.test_check import xlsx
from tests.browser.test_records_browser import PHONE, fits, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bases_on_a_phone(page: Page, live_server, world, violations):
    ledger.seed_roster_bases()
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/fees/bases/")
    expect(page.get_by_test_id("bases")).to_contain_text("王小明")
    fits(page)
    page.get_by_role("link", name="王小明").click()
    expect(page.get_by_test_id("base-history")).to_contain_text("待核定")
    expect(page.locator("#id_approved_on")).to_be_hidden()
    page.get_by_label("经批准免交").check()
    expect(page.locator("#id_approved_on")).to_be_visible()
    fits(page)
    page.goto(f"{live_server.url}/fees/check/?org={world.branch_a.pk}")
    fits(page)
    assert violations == []


def test_check_on_a_phone(page: Page, live_server, world, violations, tmp_path):
    ledger.seed_roster_bases()
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/fees/check/?org={world.branch_a.pk}")
    with page.expect_download() as info:
        page.get_by_test_id("check-download").click()
    rows = CalamineWorkbook.from_path(info.value.path()).get_sheet_by_index(0).to_python()
    rows[1][check.N_BASE] = "7000"
    rows[2][check.N_KIND] = ""
    rows[2][check.N_BASE] = "7000"
    path = tmp_path / "filled.xlsx"
    path.write_bytes(xlsx(rows))
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("check-problems")).to_contain_text("第 3 行")
    fits(page)
    rows[2][check.N_KIND] = "离退休"
    path.write_bytes(xlsx(rows))
    page.goto(f"{live_server.url}/fees/check/?org={world.branch_a.pk}")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("check-changes")).to_contain_text("离退休 7000.00 元")
    fits(page)
    page.get_by_role("button", name="确认写入").click()
    expect(page.get_by_text("已更新 2 人的党费基数")).to_be_visible()
    assert violations == []
