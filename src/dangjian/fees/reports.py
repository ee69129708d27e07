"""The xlsx sheets of the reconciliation and the collection report (small: written in memory at once). Amounts are
whole fen shown as yuan numbers with two decimals (xlsx keeps doubles; fen / 100 displays exactly)."""

import io
from datetime import date

import xlsxwriter

from .reconciliation import STATE_LABELS, Cell, Row, YearRow


def _book():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "money": workbook.add_format({"num_format": "0.00"}),
        "warn": workbook.add_format({"num_format": "0.00", "bg_color": "#FDECEA"}),
    }
    return buffer, workbook, formats


def _done(buffer, workbook) -> io.BytesIO:
    workbook.close()
    buffer.seek(0)
    return buffer


def _money(sheet, row: int, col: int, fen: int, fmt) -> None:
    sheet.write_number(row, col, fen / 100, fmt)


def reconciliation_xlsx(rows: list[Row], total: Row, months: list[date]) -> io.BytesIO:
    """One line per org and month: due, collected, remitted, the differences and what they mean; then totals."""
    buffer, workbook, f = _book()
    sheet = workbook.add_worksheet("党费对账")
    header = ["组织", "月份", "应交（元）", "已收缴（元）", "已上缴（元）"]
    header += ["未收缴（元）", "未上缴（元）", "多上缴（元）", "情况"]
    sheet.write_row(0, 0, header, f["bold"])
    line = 1

    def write(name: str, label: str, cell: Cell) -> None:
        nonlocal line
        sheet.write_row(line, 0, [name, label])
        for col, fen in enumerate((cell.due, cell.collected, cell.remitted), start=2):
            _money(sheet, line, col, fen, f["money"])
        for col, fen in enumerate((cell.unpaid, cell.not_remitted, cell.over), start=5):
            _money(sheet, line, col, fen, f["warn"] if fen else f["money"])
        sheet.write_string(line, 8, STATE_LABELS[cell.state])
        line += 1

    for row in rows:
        for month, cell in zip(months, row.cells, strict=True):
            write(row.org.name, f"{month:%Y-%m}", cell)
        write(row.org.name, "全年", row.total)
    name = total.org.name if total.org else "全部"
    for month, cell in zip(months, total.cells, strict=True):
        write(f"{name}（合计）", f"{month:%Y-%m}", cell)
    write(f"{name}（合计）", "全年", total.total)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 8, 13)
    sheet.freeze_panes(1, 2)
    return _done(buffer, workbook)


def report_xlsx(total: Row, months: list[date], year_rows: list[YearRow], year: int) -> io.BytesIO:
    """Sheet 1: the subtree's year by month and in all; sheet 2: the yearly 党费收缴情况 per branch."""
    buffer, workbook, f = _book()
    monthly = workbook.add_worksheet("按月收缴情况")
    monthly.write_row(0, 0, ["月份", "应交（元）", "已交（元）", "收缴率", "已上缴（元）"], f["bold"])
    cells = [(f"{m:%Y-%m}", c) for m, c in zip(months, total.cells, strict=True)] + [(f"{year}年合计", total.total)]
    for i, (label, cell) in enumerate(cells, start=1):
        monthly.write_string(i, 0, label)
        _money(monthly, i, 1, cell.due, f["money"])
        _money(monthly, i, 2, cell.collected, f["money"])
        monthly.write_string(i, 3, cell.rate)
        _money(monthly, i, 4, cell.remitted, f["money"])
    monthly.set_column(0, 4, 14)
    table = workbook.add_worksheet(f"{year}年党费收缴情况")
    header = ["序号", "党支部", "党员人数", "应交（元）", "实交（元）", "收缴率", "已上缴（元）", "欠交（元）"]
    table.write_row(0, 0, header, f["bold"])
    for i, row in enumerate(year_rows, start=1):
        table.write_row(i, 0, [i, row.org.name, row.members])
        _money(table, i, 3, row.due, f["money"])
        _money(table, i, 4, row.paid, f["money"])
        table.write_string(i, 5, row.rate)
        _money(table, i, 6, row.remitted, f["money"])
        _money(table, i, 7, row.arrears, f["warn"] if row.arrears else f["money"])
    table.set_column(1, 1, 28)
    table.set_column(2, 7, 13)
    return _done(buffer, workbook)
