"""Roster export and the blank import template, both in the roster's column order (roster.ROSTER_COLUMNS).

An export writes values as the importer reads them back: real Excel dates, choice labels (男, 大学本科 …), the
branch and group by name, ID numbers as text. A user holding the personal-data permission gets full ID numbers
and phones and birth dates (the file re-imports with --update and changes nothing); everyone else gets them
masked, row by row, exactly as the pages mask them (the last 4 characters; an age band for the birth date).
Every export is written to the audit log with its row count.
"""

import tempfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from auditlog.models import LogEntry
from django.core.files import File
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from dangjian.core import clock
from dangjian.core.audit import audit_event, top_path
from dangjian.core.jobs import Progress
from dangjian.core.lib import idcard
from dangjian.core.lib.dates import format_cn_date
from dangjian.core.models import Job
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import personal
from .choices import ETHNICITIES, Category, Education, Gender
from .filters import MemberFilter
from .models import Member
from .roster import DATE_FIELDS, ROSTER_COLUMNS
from .selectors import member_filterset, sees_personal_data_at

SHEET_ROSTER = "花名册"
SHEET_HELP = "填写说明"
TEMPLATE_FILENAME = "党员花名册导入模板.xlsx"
AUDIT_REPR = "花名册导出"
#: The job's message when its worker died half-way.
ERR_EXPORT_STOPPED = "后台任务进程在处理中途停止（可能已重启或崩溃），导出文件未生成，请重新导出。"
PROGRESS_EVERY = 1000
CHUNK_SIZE = 2000
DATE_FORMAT = "yyyy-mm-dd"

#: An export is a read of personal data: auditlog's ACCESS action.
AUDIT_ACTION = LogEntry.Action.ACCESS

#: What an export reads, one tuple per member: the roster columns in order (branch and group by name), then what
#: the personal-data decision needs. Plain tuples, not model instances: at 100,000 rows building Member, org
#: and group objects costs as much as writing the cells.
_DB_FIELD = {"org": "org__name", "group": "group__name"}
EXPORT_FIELDS = [*(_DB_FIELD.get(c.field, c.field) for c in ROSTER_COLUMNS), "org__path", "user_id"]
_N = len(ROSTER_COLUMNS)

_WIDTHS = {"id_number": 21, "org": 24, "group": 14, "position": 18, "phone": 14, "remark": 24, "native_place": 12}


def export_filters(data: Mapping[str, Any]) -> dict[str, str]:
    """The roster filters of a query string (page, sort and the like dropped): what an export job carries."""
    return {name: str(data[name]) for name in MemberFilter.base_filters if data.get(name) not in (None, "")}


def _cleaned(filterset: MemberFilter) -> dict[str, str]:
    """The filters as applied (after validation and the status default), for the audit log."""
    filterset.is_valid()
    cleaned = {}
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        cleaned[name] = str(value.pk if hasattr(value, "pk") else value)
    return cleaned


def _labels(field: str) -> dict[str, str] | None:
    choices = Member._meta.get_field(field).flatchoices
    return {str(value): str(label) for value, label in choices} if choices else None


def _column_formats(workbook) -> dict[str, Any]:
    text = workbook.add_format({"num_format": "@"})
    return {
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "money": workbook.add_format({"num_format": "0.00"}),
        "text": text,
    }


def _set_columns(sheet, formats: dict[str, Any]) -> None:
    for col, column in enumerate(ROSTER_COLUMNS):
        if column.field in DATE_FIELDS:
            sheet.set_column(col, col, 12, formats["date"])
        elif column.field == "fee_base":
            sheet.set_column(col, col, 12, formats["money"])
        elif column.field in {"id_number", "phone"}:
            # Text, so Excel neither rounds an ID number to 15 digits nor drops a leading zero from a phone.
            sheet.set_column(col, col, _WIDTHS[column.field], formats["text"])
        else:
            sheet.set_column(col, col, _WIDTHS.get(column.field, 10))


def _write_header(workbook, sheet) -> None:
    """The headers, required ones in red (the instructions sheet says so), frozen above the rows."""
    plain = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center"})
    required = workbook.add_format(
        {"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center", "font_color": "#C00000"}
    )
    for col, column in enumerate(ROSTER_COLUMNS):
        sheet.write_string(0, col, column.header, required if column.required else plain)
    sheet.freeze_panes(1, 0)


def export_members(
    *, fetched_by, filters: Mapping[str, Any], out: str | IO[bytes], progress: Progress | None = None
) -> int:
    """Write the user's visible members matching the roster filters to an xlsx file; return the rows written."""
    rows, _masked = _export(fetched_by=fetched_by, filters=filters, out=out, progress=progress)
    return rows


def _export(
    *, fetched_by, filters: Mapping[str, Any], out: str | IO[bytes], progress: Progress | None
) -> tuple[int, int]:
    """(rows written, rows masked).

    The same selector as the roster page (member_filterset: visible_to + MemberFilter), one query streamed in
    chunks, xlsxwriter in constant-memory mode: memory stays flat at 100,000 rows.
    """
    filterset = member_filterset(fetched_by=fetched_by, filters=export_filters(filters))
    members = filterset.qs.values_list(*EXPORT_FIELDS)
    total = members.count() if progress else 0

    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(SHEET_ROSTER)
    formats = _column_formats(workbook)
    _set_columns(sheet, formats)
    _write_header(workbook, sheet)
    writers = list(enumerate(_cell_writers(sheet, formats)))

    # Whether the user sees a row's personal data depends only on its org and on whether it is their own
    # record: ask the selector once per (org, own) pair.
    sees: dict[tuple[str, bool], bool] = {}
    masked = 0
    row = 0
    for values in members.iterator(chunk_size=CHUNK_SIZE):
        row += 1
        org_path, user_id = values[_N:]
        key = (org_path, user_id == fetched_by.pk)
        full = sees.get(key)
        if full is None:
            full = sees[key] = sees_personal_data_at(fetched_by, org_path=org_path, member_user_id=user_id)
        if not full:
            masked += 1
        for col, write in writers:
            write(row, col, values[col], full)
        if progress and row % PROGRESS_EVERY == 0:
            progress(row, total)
    workbook.close()
    if progress:
        progress(row, max(total, row))

    _audit(fetched_by, rows=row, filters=_cleaned(filterset), masked=masked > 0)
    return row, masked


CellWriter = Callable[[int, int, Any, bool], None]  # (row, col, value, full personal data)


def _cell_writers(sheet, formats) -> list[CellWriter]:
    """One writer per column, chosen once: typed xlsxwriter calls, empty cells left blank."""
    date_format, money_format = formats["date"], formats["money"]
    # xlsxwriter's "undecorated" write methods (its own write() dispatches to them): the public ones only add
    # A1-notation parsing around them, a large share of the export's own time at a million cells and more
    # (bench/RESULTS.md). The public ones serve if a release ever drops these.
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    write_number = getattr(sheet, "_write_number", sheet.write_number)

    def text(r: int, c: int, value, full: bool) -> None:
        if value:
            write_string(r, c, value)

    # A date is a number with a date format to Excel, and a roster repeats its dates: each is converted once, by
    # xlsxwriter's own conversion, which is costly when done per cell.
    to_serial = getattr(sheet, "_convert_date_time", None)
    serials: dict[date, float] = {}

    def day(r: int, c: int, value, full: bool) -> None:
        if value is not None:
            serial = serials.get(value)
            if serial is None:
                serial = serials[value] = to_serial(value)
            write_number(r, c, serial, date_format)

    def public_day(r: int, c: int, value, full: bool) -> None:
        if value is not None:
            sheet.write_datetime(r, c, value, date_format)

    if to_serial is None:
        day = public_day  # noqa: F811

    def money(r: int, c: int, value, full: bool) -> None:
        write_number(r, c, float(value or 0), money_format)

    def id_number(r: int, c: int, value, full: bool) -> None:
        write_string(r, c, value if full else personal.mask_id_number(value))

    def phone(r: int, c: int, value, full: bool) -> None:
        write_string(r, c, value if full else personal.mask_phone(value))

    today = clock.today()

    def birth(r: int, c: int, value, full: bool) -> None:
        # Masked: the age band as text in place of the date (the date is the ID number's hidden middle).
        if full:
            day(r, c, value, full)
        else:
            write_string(r, c, personal.age_band(value, today))

    def label(labels: dict[str, str]) -> CellWriter:
        def write(r: int, c: int, value, full: bool) -> None:
            if value:
                write_string(r, c, labels.get(value, value))

        return write

    writers: list[CellWriter] = []
    for column in ROSTER_COLUMNS:
        field = column.field
        if field == "birth_date":
            writers.append(birth)
        elif field in DATE_FIELDS:
            writers.append(day)
        elif field == "fee_base":
            writers.append(money)
        elif field == "id_number":
            writers.append(id_number)
        elif field == "phone":
            writers.append(phone)
        elif field not in _DB_FIELD and (labels := _labels(field)) is not None:
            writers.append(label(labels))
        else:
            writers.append(text)
    return writers


def _audit(user, *, rows: int, filters: dict, masked: bool) -> LogEntry:
    """One log entry per export: who exported how many rows, with which filters, masked or not."""
    return audit_event(
        actor=user,
        target=Member,
        object_repr=AUDIT_REPR,
        action=AUDIT_ACTION,
        org_path=top_path(user),
        data={"rows": rows, "filters": filters, "masked": masked},
    )


# ---- the blank import template -------------------------------------------------------------------------------

#: One valid example row (grey in the template): every value is what the importer accepts.
EXAMPLE_ROW: dict[str, Any] = {
    "name": "张三",
    "gender": Gender.MALE.label,
    "ethnicity": "汉族",
    "birth_date": date(1985, 6, 15),
    "id_number": idcard.make("110101", date(1985, 6, 15), 1, male=True),
    "education": Education.BACHELOR.label,
    "category": Category.FULL.label,
    "joined_on": date(2010, 7, 1),
    "full_member_on": date(2011, 7, 1),
    "org": "办公室党支部",
    "group": "第一党小组",
    "position": "科员",
    "phone": "13800000000",
    "fee_base": 6000,
    "native_place": "北京市",
    "work_started_on": date(2008, 7, 1),
    "professional_title": "",
    "remark": "示例行，导入前请删除",
}

RULES = (
    "第1行为表头，请勿修改表头文字；红色表头为必填列，黑色表头为选填列。鼠标移到表头上可看到该列的填写说明。",
    "选填列可以留空，也可以整列删除：导入结果会列出文件未提供的列；新增党员的这些项留空（性别、出生日期按公民身份号码"
    "填写），按公民身份号码更新已有党员时，文件未提供的列保持原值。",
    "所在党支部：在导入页面选定党支部时可以不填（或删除该列）。正式党员须填写转正日期，预备党员不填。",
    "灰色的第2行是填写示例，导入前请删除（未删除时导入会跳过它）。",
    "整个文件作为一个整体导入：只要有一行有错误，就不会导入任何一行；请按错误报告逐行修改后重新导入。",
    "日期列请填写 Excel 日期，或按“年-月-日”填写文本，如 1985-06-15。",
    "公民身份号码请按文本填写（本模板该列已设为文本格式），以免 Excel 把18位号码变成科学计数法或把末三位变成0。",
    "性别、民族、学历、人员类别、所在党支部可在单元格的下拉列表中选择；也可填写下表“可填写的值”中的文字。",
    "所在党支部填写党支部全称（与系统中的名称一致）或组织编码；所在党小组填写该支部下的党小组名称。",
    "按公民身份号码更新已登记党员时，请在导入页面勾选“按公民身份号码更新已有党员”。",
)
#: The hidden sheet holding the longer drop-down lists (Excel caps a list typed into the rule at 255 characters).
SHEET_LISTS = "选项"
#: Rows under the header that get the drop-down lists (a branch's roster is a few dozen; an organ's, thousands).
TEMPLATE_LIST_ROWS = 10000
ERR_LIST_TITLE = "请从下拉列表中选择"
ERR_LIST_CHOICE = "请选择下拉列表中的值：{options}"
ERR_LIST_BRANCH = "该值不在您可导入的党支部列表中；填写组织编码也可以。仍要使用该值吗？"


def _allowed_values(field: str) -> str:
    labels = _labels(field)
    if labels is None or field == "ethnicity":
        return ""
    return "、".join(labels.values())


def template_branches(user) -> list[str]:
    """What the template's 所在党支部 list offers the user: the branches they may import into, by name, or by code
    where two of them share a name (the importer asks for the code then)."""
    rows = list(
        Organization.objects.changeable_by(user)
        .active()
        .filter(kind=OrgKind.BRANCH)
        .order_by("path")
        .values_list("name", "code")
    )
    names = [name for name, _ in rows]
    return [name if names.count(name) == 1 else code for name, code in rows]


def _column_comment(column) -> str:
    """The header's comment: required or not, and how to fill the column in."""
    note = column.note
    if column.field in DATE_FIELDS:
        note = "；".join(filter(None, [note, "日期，如 1985-06-15"]))
    return f"{'必填' if column.required else '选填'}。{note}" if note else ("必填" if column.required else "选填")


def _add_lists(workbook, sheet, branches: list[str]) -> None:
    """Drop-down lists (data validation) under the headers: 性别, 学历, 人员类别 typed into the rule; 民族 (56, longer
    than Excel's 255 characters) and the user's branches on a hidden sheet, referred to by range."""
    lists = workbook.add_worksheet(SHEET_LISTS)
    lists.write_string(0, 0, "民族")
    lists.write_column(1, 0, ETHNICITIES)
    if branches:
        lists.write_string(0, 1, "所在党支部")
        lists.write_column(1, 1, branches)
    lists.hide()
    inline = {
        "gender": list(Gender.labels),
        "education": list(Education.labels),
        "category": list(Category.labels),
    }
    ranges = {"ethnicity": f"='{SHEET_LISTS}'!$A$2:$A${len(ETHNICITIES) + 1}"}
    if branches:
        ranges["org"] = f"='{SHEET_LISTS}'!$B$2:$B${len(branches) + 1}"
    for col, column in enumerate(ROSTER_COLUMNS):
        field = column.field
        if field in inline:
            options = {"validate": "list", "source": inline[field]}
            message = ERR_LIST_CHOICE.format(options="、".join(inline[field]))
        elif field in ranges:
            options = {"validate": "list", "source": ranges[field]}
            message = ERR_LIST_CHOICE.format(options=f"见“{SHEET_LISTS}”中的{column.header}")
        else:
            continue
        options |= {"error_title": ERR_LIST_TITLE, "error_message": message}
        if field == "org":  # a branch's code is accepted too: warn, do not refuse
            options |= {"error_type": "warning", "error_message": ERR_LIST_BRANCH}
        sheet.data_validation(1, col, TEMPLATE_LIST_ROWS, col, options)


def roster_template(out: str | IO[bytes], *, branches: list[str] | None = None) -> None:
    """The blank import template: sheet 花名册 (headers with a comment each, one grey example row, drop-down lists
    under the headers), sheet 填写说明, and the hidden sheet of the longer lists. `branches`: what the 所在党支部
    list offers (template_branches(user)); none, no list."""
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False})
    sheet = workbook.add_worksheet(SHEET_ROSTER)
    formats = _column_formats(workbook)
    _set_columns(sheet, formats)
    _write_header(workbook, sheet)
    for col, column in enumerate(ROSTER_COLUMNS):
        sheet.write_comment(0, col, _column_comment(column), {"x_scale": 1.6, "y_scale": 1.2})
    grey = {"font_color": "#808080", "italic": True}
    grey_text = workbook.add_format({**grey, "num_format": "@"})
    grey_date = workbook.add_format({**grey, "num_format": DATE_FORMAT})
    grey_money = workbook.add_format({**grey, "num_format": "0.00"})
    for col, column in enumerate(ROSTER_COLUMNS):
        value = EXAMPLE_ROW.get(column.field, "")
        if column.field in DATE_FIELDS:
            sheet.write_datetime(1, col, value, grey_date)
        elif column.field == "fee_base":
            sheet.write_number(1, col, value, grey_money)
        elif value:
            sheet.write_string(1, col, value, grey_text)

    help_sheet = workbook.add_worksheet(SHEET_HELP)
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    red = workbook.add_format({"font_color": "#C00000", "valign": "top"})
    help_sheet.set_column(0, 0, 16)
    help_sheet.set_column(1, 1, 10)
    help_sheet.set_column(2, 2, 40)
    help_sheet.set_column(3, 3, 60)
    help_sheet.write_string(0, 0, "党员花名册导入模板 填写说明", title)
    row = 2
    help_sheet.write_string(row, 0, "导入规则", bold)
    for number, rule in enumerate(RULES, start=1):
        row += 1
        help_sheet.write_string(row, 0, f"{number}. {rule}")
    row += 2
    for col, text in enumerate(("列名", "是否必填", "说明", "可填写的值")):
        help_sheet.write_string(row, col, text, header)
    for column in ROSTER_COLUMNS:
        row += 1
        help_sheet.write_string(row, 0, column.header, red if column.required else wrap)
        help_sheet.write_string(row, 1, "必填" if column.required else "选填", red if column.required else wrap)
        note = column.note
        if column.field in DATE_FIELDS:
            note = "；".join(filter(None, [note, "日期，如 1985-06-15"]))
        help_sheet.write_string(row, 2, note, wrap)
        help_sheet.write_string(row, 3, _allowed_values(column.field), wrap)
    help_sheet.freeze_panes(1, 0)
    _add_lists(workbook, sheet, branches or [])
    workbook.close()


# ---- the background export (the roster page starts it; core's job page shows progress and the download) ---------

EXPORT_KIND = "members.export"
EXPORT_TITLE = "导出党员花名册"
MSG_EXPORTED = "共导出 {rows} 名党员"
MSG_MASKED = "；其中 {masked} 人的公民身份号码、联系电话和出生日期已按权限脱敏"


def export_filename(day: date | None = None) -> str:
    return f"党员花名册_{(day or clock.today()):%Y%m%d}.xlsx"


def export_job(job: Job, progress: Progress) -> None:
    """Export for whoever started the job, with the filters the roster page had when they clicked."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.xlsx"
        rows, masked = _export(
            fetched_by=job.created_by, filters=job.params.get("filters", {}), out=str(path), progress=progress
        )
        with path.open("rb") as data:
            job.output_file.save(f"roster_{clock.today():%Y%m%d}.xlsx", File(data), save=False)
    roster = reverse("members:list")
    back = f"{roster}?{urlencode(job.params['filters'])}" if job.params.get("filters") else roster
    job.result = {"filename": export_filename(), "rows": rows, "next_url": back, "next_label": "返回花名册"}
    job.message = MSG_EXPORTED.format(rows=rows) + (MSG_MASKED.format(masked=masked) if masked else "")


# ---- statistics tables (small: written in memory and sent at once) --------------------------------------------


def stats_filename(stats, table=None) -> str:
    """One table's file, or (no table) the file of them all."""
    what = f"_{table.title}" if table is not None else ""
    return f"党员统计_{stats.scope_name}{what}_{stats.today:%Y%m%d}.xlsx"


def stats_tables_xlsx(stats, tables, out: str | IO[bytes]) -> None:
    """Statistics tables as shown on the page, a sheet each under a title saying whose members and as of when:
    one table, or all of them in the page's order (导出全部统计表)."""
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "header": workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center"}),
        "cell": workbook.add_format({"border": 1}),
        "percent": workbook.add_format({"border": 1, "num_format": "0.0%"}),
        "bold": workbook.add_format({"border": 1, "bold": True}),
    }
    as_of = f"，{timezone.localtime(stats.computed_at):%H:%M} 预先计算" if stats.computed_at else ""
    for table in tables:
        sheet = workbook.add_worksheet(table.title[:31])
        headers, rows = table.sheet()
        sheet.write_string(0, 0, f"{stats.scope_name} 党员{table.title}", formats["title"])
        sheet.write_string(1, 0, f"统计日期：{format_cn_date(stats.today)}{as_of}（在册党员；党籍状态表含非在册）")
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(headers) - 1, 12)
        for col, text in enumerate(headers):
            sheet.write_string(3, col, text, formats["header"])
        for offset, values in enumerate(rows, start=4):
            plain = formats["bold"] if offset == 3 + len(rows) else formats["cell"]
            for col, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(offset, col, value, plain)
                else:
                    sheet.write_number(offset, col, value, formats["percent"] if headers[col] == "占比" else plain)
        sheet.freeze_panes(4, 0)
    workbook.close()
