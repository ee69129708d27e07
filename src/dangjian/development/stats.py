"""The xlsx sheets of the overview: the due list and the yearly statistics per branch (small: written in memory)."""

import io

import xlsxwriter

from .selectors import STAT_COLUMNS, DueRow, StatRow


def _book():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    return buffer, workbook, workbook.add_format({"bold": True}), workbook.add_format({"num_format": "yyyy-mm-dd"})


def _done(buffer, workbook) -> io.BytesIO:
    workbook.close()
    buffer.seek(0)
    return buffer


def due_xlsx(rows: list[DueRow]) -> io.BytesIO:
    buffer, workbook, bold, day = _book()
    sheet = workbook.add_worksheet("待办步骤")
    header = [
        "姓名",
        "党支部",
        "所处阶段",
        "下一步骤",
        "下一步期限",
        "最早可办日期",
        "考察记录期限",
        "预备期满",
        "事项",
    ]
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [row.name, row.org_name, row.stage_label, row.next_label])
        for col, value in enumerate((row.due_on, row.ready_on, row.review_due_on, row.probation_end), start=4):
            if value is not None:
                sheet.write_string(i, col, f"{value:%Y-%m-%d}")
        sheet.write_string(i, 8, "、".join(row.reason_labels) + ("" if row.record else "（花名册，尚无发展档案）"))
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 8, 16)
    sheet.freeze_panes(1, 1)
    return _done(buffer, workbook)


def stats_xlsx(total: StatRow, rows: list[StatRow], year: int) -> io.BytesIO:
    buffer, workbook, bold, _day = _book()
    sheet = workbook.add_worksheet(f"{year}年发展党员情况")
    sheet.write_row(0, 0, ["序号", "党支部", *[label for _key, label in STAT_COLUMNS]], bold)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [i, row.org.name, *row.cells])
    sheet.write_row(len(rows) + 1, 0, ["", "合计", *total.cells], bold)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2 + len(STAT_COLUMNS), 14)
    return _done(buffer, workbook)
