"""A secretary imports a roster file through the browser: preview with errors, fix the file, import, find the new
member by pinyin initials."""

from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from playwright.sync_api import Page, expect

from dangjian.core.lib import idcard
from dangjian.members.models import Member
from dangjian.members.roster import ROSTER_COLUMNS

from .test_roster_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD_ID = idcard.make("110101", date(1990, 3, 15), 12, male=False)
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")  # wrong check character


def roster_file(path: Path, *, id_number: str) -> Path:
    """A roster as organs keep it: a title line and a blank line above the header."""
    rows = [
        [
            "赵海燕",
            "女",
            "汉族",
            date(1990, 3, 15),
            id_number,
            "大学本科",
            "正式党员",
            date(2015, 6, 1),
            date(2016, 6, 1),
            "办公室党支部",
            "",
            "科员",
            "13912340001",
            6000,
        ],
        [
            "孙立平",
            "男",
            "汉族",
            date(1985, 8, 8),
            idcard.make("320102", date(1985, 8, 8), 7, male=True),
            "研究生",
            "预备党员",
            date(2026, 7, 1),
            "",
            "办公室党支部",
            "",
            "副主任科员",
            "13912340002",
            8000,
        ],
    ]
    headers = [c.header for c in ROSTER_COLUMNS[:14]]
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("花名册")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(headers) - 1, "办公室党支部党员花名册")
    sheet.write_row(2, 0, headers)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            else:
                sheet.write(r, c, value)
    book.close()
    return path


def test_import_preview_errors_fix_and_find_by_initials(page: Page, live_server, world, tmp_path):
    base = live_server.url
    login(page, base, "secretary_a")
    page.goto(f"{base}/members/")
    page.get_by_test_id("roster-import").click()

    page.get_by_label("花名册文件").set_input_files(roster_file(tmp_path / "bad.xlsx", id_number=BAD_ID))
    page.get_by_role("button", name="上传并预检").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("公民身份号码校验位不正确")
    expect(errors).to_contain_text("4")  # the spreadsheet row of 赵海燕 (title, blank, header above)
    expect(page.get_by_test_id("import-mapping")).to_contain_text("公民身份号码")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert not Member.objects.filter(name__in=["赵海燕", "孙立平"]).exists()

    # The upload form again, on the error page itself.
    expect(page.get_by_role("heading", name="改正后重新上传")).to_be_visible()
    page.get_by_label("花名册文件").set_input_files(roster_file(tmp_path / "good.xlsx", id_number=GOOD_ID))
    page.get_by_role("button", name="上传并预检").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("赵海燕")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("2")
    assert Member.objects.filter(name__in=["赵海燕", "孙立平"], org=world.branch_a).count() == 2

    page.goto(f"{base}/members/")
    page.get_by_label("搜索").fill("zhy")
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("赵海燕")
    expect(roster).not_to_contain_text("张宏伟")


def test_an_import_error_page_fits_a_phone(page: Page, live_server, world, tmp_path, violations):
    """390 px wide: long error messages and values wrap, the page never scrolls sideways; the form is there again."""
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/members/import/")
    long_branch = "机关后勤服务中心第三联合党支部（含离退休干部党员及流动党员）" * 2
    path = roster_file(tmp_path / ("一份文件名很长的党员花名册" * 4 + ".xlsx"), id_number=BAD_ID)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    headers = [str(h) for h in rows[2]]
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows[3:], start=1):
        cells = [c.isoformat() if isinstance(c, date) else c for c in row]
        cells[headers.index("所在党支部")] = long_branch
        sheet.write_row(r, 0, cells)
    book.close()
    page.get_by_label("花名册文件").set_input_files(path)
    page.get_by_role("button", name="上传并预检").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text(long_branch)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    box = errors.bounding_box()
    assert box is not None and box["width"] <= 390  # the table itself fits: its cells wrap
    expect(page.get_by_test_id("import-reupload")).to_be_visible()
    assert violations == []
