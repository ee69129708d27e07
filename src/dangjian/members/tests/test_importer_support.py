"""Roster files for the importer tests, made the way organs make them (no tests in this module).

Rows are dicts keyed by roster header; a file is written with the headers the test chooses (synonyms, a title
row above, …). Dates are written as real Excel date cells unless given as text; numbers as numbers.
"""

import csv
import itertools
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
import xlwt

from dangjian.core.lib import idcard
from dangjian.members.roster import ROSTER_COLUMNS

HEADERS = [c.header for c in ROSTER_COLUMNS]
_sequence = itertools.count(100)


def new_id(birth: date, *, male: bool = True) -> str:
    """A valid ID number no other test row has (the factories use sequences from 0)."""
    return idcard.make("320102", birth, next(_sequence), male=male)


def good_row(**overrides) -> dict:
    """A valid 正式党员 row for 办公室党支部 (the `world` fixture's branch A), keyed by roster header."""
    birth = overrides.pop("birth", date(1988, 3, 15))
    male = overrides.get("性别", "男") == "男"
    row = {
        "姓名": "赵海燕",
        "性别": "男",
        "民族": "汉族",
        "出生日期": birth,
        "公民身份号码": new_id(birth, male=male),
        "学历": "大学本科",
        "人员类别": "正式党员",
        "入党日期": date(2012, 7, 1),
        "转正日期": date(2013, 7, 1),
        "所在党支部": "办公室党支部",
        "所在党小组": "",
        "工作岗位/职务": "科员",
        "联系电话": "13912340001",
        "党费基数(月)": 6000,
        "籍贯": "",
        "参加工作日期": "",
        "职称": "",
        "备注": "",
    }
    row.update(overrides)
    return row


def _cells(rows: list[dict], headers: list[str], keys: list[str] | None) -> list[list]:
    keys = keys or headers
    return [[row.get(key, "") for key in keys] for row in rows]


def write_xlsx(
    path: Path,
    rows: list[dict],
    *,
    headers: list[str] | None = None,
    keys: list[str] | None = None,
    title: str | None = None,
    blank_rows: int = 0,
    trailing_blank: int = 0,
) -> Path:
    """A title merged across the header (if any), `blank_rows` empty rows, the header, the rows. `keys` are the
    roster headers the file's `headers` stand for (when the file uses synonyms)."""
    headers = headers or HEADERS
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, len(headers) - 1, title)
        r = 1
    r += blank_rows
    sheet.write_row(r, 0, headers)
    for values in _cells(rows, headers, keys):
        r += 1
        for c, value in enumerate(values):
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)
    for _ in range(trailing_blank):  # rows with formatting but no values, as Excel leaves them
        r += 1
        sheet.write_blank(r, 0, None, dates)
    book.close()
    return path


def write_xls(path: Path, rows: list[dict], *, headers: list[str] | None = None, title: str | None = None) -> Path:
    """Legacy Excel 97-2003 (.xls), as older office software still saves it."""
    headers = headers or HEADERS
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    r = 0
    if title:
        sheet.write_merge(0, 0, 0, len(headers) - 1, title)
        r = 2
    for c, header in enumerate(headers):
        sheet.write(r, c, header)
    for values in _cells(rows, headers, None):
        r += 1
        for c, value in enumerate(values):
            if isinstance(value, date):
                sheet.write(r, c, value, dates)
            elif value != "":
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[dict], *, encoding: str, headers: list[str] | None = None, title=None) -> Path:
    """CSV as Excel saves it: GBK ("CSV (逗号分隔)") or UTF-8 with BOM ("CSV UTF-8"); dates as text."""
    headers = headers or HEADERS
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        if title:
            writer.writerow([title] + [""] * (len(headers) - 1))
        writer.writerow(headers)
        for values in _cells(rows, headers, None):
            writer.writerow([v.strftime("%Y/%-m/%-d") if isinstance(v, date) else v for v in values])
    return path
