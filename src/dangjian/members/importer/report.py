"""What an import found (ImportReport) and the downloadable error report: the user's own rows with a 错误原因
column and the bad rows highlighted, so they fix the file where it stands and import it again."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO

import xlsxwriter

from .reading import open_sheet

ERROR_COLUMN = "错误原因"
ERROR_REPORT_FILENAME = "导入错误报告.xlsx"
DATE_FORMAT = "yyyy-mm-dd"
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}


@dataclass
class RowError:
    row: int  # 1-based row number as the user sees it in the spreadsheet; 0 for the file as a whole
    column: str  # the file's header text, or "" for the row (or file) as a whole
    message: str  # Chinese

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where} {self.column}：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class ImportReport:
    """Everything the page, the command line and the job show about one import (or dry run)."""

    filename: str
    total_rows: int = 0  # data rows in the file (blank rows and the template's example row not counted)
    created: int = 0  # members added (a dry run: the good rows that would be; a failed import: 0)
    updated: int = 0  # members updated (likewise)
    dry_run: bool = False
    mapping: list[tuple[str, str | None]] = field(default_factory=list)  # (file header, roster header or None)
    missing_columns: list[str] = field(default_factory=list)  # required roster headers not found
    absent_columns: list[str] = field(default_factory=list)  # optional roster headers not found (未提供)
    preview: list[dict[str, str]] = field(default_factory=list)  # the first data rows, keyed by roster header
    errors: list[RowError] = field(default_factory=list)
    header_row: int = 0  # the header's row number in the file (0: not found)
    refused: bool = False  # the file itself could not be read, or broke a limit (its error is errors[0])

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing_columns

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors if error.row})

    @property
    def file_errors(self) -> list[RowError]:
        """Errors of the file as a whole (row 0): shown as messages, not as a row of the error table."""
        return [error for error in self.errors if not error.row]


def _reasons(report: ImportReport) -> dict[int, str]:
    by_row: dict[int, list[str]] = {}
    for error in report.errors:
        if error.row:
            by_row.setdefault(error.row, []).append(
                f"{error.column}：{error.message}" if error.column else error.message
            )
    return {row: "；".join(messages) for row, messages in by_row.items()}


def write_error_report(*, path: str | Path, report: ImportReport, out: str | Path | IO[bytes]) -> None:
    """The imported file's rows as read (title and header included, at their row numbers) with the reasons in a
    last column 错误原因; bad rows highlighted. Written in xlsxwriter's constant-memory mode, row by row."""
    reasons = _reasons(report)
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    try:
        sheet = book.add_worksheet("导入错误报告")
        plain = {"date": book.add_format({"num_format": DATE_FORMAT}), "cell": None}
        bad = {"date": book.add_format({**_BAD, "num_format": DATE_FORMAT}), "cell": book.add_format(_BAD)}
        reason_format = book.add_format({**_BAD, "text_wrap": True, "bold": True})
        header_format = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        with open_sheet(path, report.filename) as source:
            offset = source.first_column
            width = max((len(cells) for _, cells in source.head), default=0)
            error_col = offset + max(width, max((m.index + 1 for m in source.header.columns), default=0))
            sheet.set_column(0, error_col - 1, 14)
            sheet.set_column(error_col, error_col, 60)
            sheet.freeze_panes(source.header.row_number, 0)
            for number, cells in source.head:
                is_header = number == source.header.row_number
                _write_cells(sheet, number - 1, offset, cells, plain, header_format if is_header else None)
                if is_header:
                    sheet.write_string(number - 1, error_col, ERROR_COLUMN, header_format)
            for number, cells in source.rows:
                reason = reasons.get(number)
                _write_cells(sheet, number - 1, offset, cells, bad if reason else plain, None)
                if reason:
                    sheet.write_string(number - 1, error_col, reason, reason_format)
    finally:
        book.close()


def _write_cells(sheet, row: int, offset: int, cells: list, formats: dict, override) -> None:
    for index, value in enumerate(cells):
        col = offset + index
        cell_format = override or formats["cell"]
        if value == "" or value is None:
            if cell_format is not None and override is None:
                sheet.write_blank(row, col, None, cell_format)
            continue
        if isinstance(value, str):
            sheet.write_string(row, col, value, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        elif isinstance(value, datetime | date):
            sheet.write_datetime(row, col, value, override or formats["date"])
        elif isinstance(value, time | timedelta):
            sheet.write_string(row, col, str(value), cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)


MSG_IMPORTED = "导入完成：共{total}行，新增{created}名党员，更新{updated}名党员"
MSG_CHECKED = "检查通过（未写入）：共{total}行，导入将新增{created}名党员，更新{updated}名党员"
MSG_BAD_ROWS = "未导入任何数据：{bad}行有错误（共{total}行），请按错误原因修改后重新导入"
MSG_MISSING = "未导入任何数据：缺少必填列 {columns}"
MSG_FILE = "未导入任何数据：{message}"
MSG_ABSENT = "文件未提供：{columns}（新增党员的这些项留空，性别、出生日期按公民身份号码；更新已有党员时保持原值）"


def summary(report: ImportReport) -> str:
    """One Chinese line for the command line and the job page."""
    if report.missing_columns:
        return MSG_MISSING.format(columns="、".join(report.missing_columns))
    if report.errors:
        if not report.bad_rows:
            return MSG_FILE.format(message=report.errors[0].message)
        return MSG_BAD_ROWS.format(bad=report.bad_rows, total=report.total_rows)
    template = MSG_CHECKED if report.dry_run else MSG_IMPORTED
    return template.format(total=report.total_rows, created=report.created, updated=report.updated)


def absent_note(*, absent: list[str], missing: list[str]) -> str:
    """The optional columns a file lacked and what that means ("" when it has them all, or lacks required ones):
    from a report's absent_columns and missing_columns (or those of its dict, job.result)."""
    if not absent or missing:
        return ""
    return MSG_ABSENT.format(columns="、".join(absent))
