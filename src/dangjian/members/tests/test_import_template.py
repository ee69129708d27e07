"""The import template (issue 11): drop-down lists under the headers, a comment on each header, the user's branches on
a hidden sheet, and a template that imports back sensibly. Read as the xlsx's own XML (python-calamine reads no data
validations or comments)."""

import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from dangjian.members.choices import ETHNICITIES
from dangjian.members.exports import SHEET_LISTS, TEMPLATE_LIST_ROWS, roster_template, template_branches
from dangjian.members.importer import import_members
from dangjian.members.importer.services import ERR_NO_ROWS, ERR_ONLY_EXAMPLE
from dangjian.members.roster import ROSTER_COLUMNS
from dangjian.orgs.tests.factories import OrgFactory

from .test_importer_support import HEADERS, good_row, write_xlsx

pytestmark = pytest.mark.django_db

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def download(client) -> bytes:
    response = client.get(reverse("members:template"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def column_letter(field: str) -> str:
    return xl_col_to_name(next(i for i, c in enumerate(ROSTER_COLUMNS) if c.field == field))


def validations(data: bytes) -> dict[str, tuple[str, str, str]]:
    """{sqref: (type, formula1, errorStyle)} of the roster sheet's data validations."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        root = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    found = {}
    for rule in root.iterfind(".//m:dataValidations/m:dataValidation", NS):
        formula = rule.find("m:formula1", NS).text
        found[rule.get("sqref")] = (rule.get("type"), formula, rule.get("errorStyle", "stop"))
    return found


def comments(data: bytes) -> dict[str, str]:
    """{cell: text} of the roster sheet's comments."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        root = ElementTree.fromstring(book.read("xl/comments1.xml"))
    return {
        comment.get("ref"): "".join(t.text or "" for t in comment.iterfind(".//m:t", NS))
        for comment in root.iterfind(".//m:commentList/m:comment", NS)
    }


def test_the_template_has_drop_down_lists_on_the_right_columns(world, client_for):
    data = download(client_for(world.secretary_a))
    rules = validations(data)
    last = TEMPLATE_LIST_ROWS + 1

    def at(field: str) -> str:
        letter = column_letter(field)
        return f"{letter}2:{letter}{last}"

    assert rules == {
        at("gender"): ("list", '"男,女"', "stop"),
        at("ethnicity"): ("list", f"'{SHEET_LISTS}'!$A$2:$A${len(ETHNICITIES) + 1}", "stop"),
        at("education"): ("list", '"研究生,大学本科,大学专科,中专,高中,初中及以下"', "stop"),
        at("category"): ("list", '"正式党员,预备党员"', "stop"),
        at("org"): ("list", f"'{SHEET_LISTS}'!$B$2:$B$2", "warning"),  # a code may be typed instead
    }
    # The lists' sheet: hidden, the 56 ethnic groups and the secretary's one branch.
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook_xml = book.read("xl/workbook.xml").decode()
    assert re.search(rf'<sheet name="{SHEET_LISTS}" sheetId="\d+" state="hidden"', workbook_xml)
    lists = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(SHEET_LISTS).to_python()
    assert [row[0] for row in lists[1:]] == ETHNICITIES and len(ETHNICITIES) == 56
    assert [row[1] for row in lists[1:] if row[1]] == ["办公室党支部"]


def test_each_header_has_a_comment_saying_required_or_optional(world, client_for):
    notes = comments(download(client_for(world.secretary_a)))
    assert set(notes) == {f"{xl_col_to_name(i)}1" for i in range(len(ROSTER_COLUMNS))}
    for i, column in enumerate(ROSTER_COLUMNS):
        text = notes[f"{xl_col_to_name(i)}1"]
        assert text.startswith("必填" if column.required else "选填"), (column.header, text)
        assert column.note in text
    assert "不填时按公民身份号码" in notes[f"{column_letter('gender')}1"]
    assert "1985-06-15" in notes[f"{column_letter('joined_on')}1"]


def test_the_instructions_list_required_and_optional_columns(world, client_for):
    data = download(client_for(world.secretary_a))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("填写说明").to_python()
    marks = {row[0]: row[1] for row in rows if row and row[0] in HEADERS}
    assert [h for h, mark in marks.items() if mark == "必填"] == [
        "姓名",
        "公民身份号码",
        "人员类别",
        "入党日期",
        "所在党支部",
    ]
    text = "\n".join(" ".join(str(c) for c in row) for row in rows)
    assert "整列删除" in text and "下拉列表" in text


def test_the_branch_list_is_the_users_branches_with_codes_for_shared_names(world):
    twin = OrgFactory(name="办公室党支部", code="Z9", parent=world.general)
    assert template_branches(world.secretary_a) == ["办公室党支部"]
    admin_list = template_branches(world.admin)
    assert "A" in admin_list and "Z9" in admin_list and "办公室党支部" not in admin_list  # the name is ambiguous
    assert "财务处党支部" in admin_list
    assert twin.code in admin_list


def test_a_template_without_branches_has_no_branch_list(tmp_path):
    path = tmp_path / "t.xlsx"
    roster_template(str(path))
    assert column_letter("org") not in "".join(validations(path.read_bytes()))


def test_the_downloaded_template_imports_back_sensibly(world, client_for, tmp_path):
    data = download(client_for(world.secretary_a))
    path = tmp_path / "模板.xlsx"
    path.write_bytes(data)
    # As downloaded: only the grey example row, which is skipped and said so.
    report = import_members(acting_user=world.secretary_a, path=path, dry_run=True)
    assert [e.message for e in report.errors] == [ERR_ONLY_EXAMPLE] and report.missing_columns == []
    # The example row deleted: a file without rows.
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    empty = write_xlsx(tmp_path / "空.xlsx", [], headers=[str(h) for h in rows[0]])
    assert [e.message for e in import_members(acting_user=world.secretary_a, path=empty).errors] == [ERR_NO_ROWS]
    # Filled in below the example: imported, the example skipped.
    example = dict(zip(HEADERS, rows[1], strict=False))
    filled = write_xlsx(tmp_path / "填好.xlsx", [example, good_row()])
    report = import_members(acting_user=world.secretary_a, path=filled)
    assert report.ok and report.created == 1 and report.absent_columns == []
