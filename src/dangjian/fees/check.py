"""The yearly re-check of 党费基数 (核定) as a bulk operation: the branch's sheet (one row per member in register,
the current kind and base, columns for the new ones), read back bounded and parsed in a child process (the roster
importer's core.lib.workbooks), every row checked by the service's own rules (bases.check_base) into a plan of
changes and problems (row number and reason), and the plan written all or nothing through bases.set_base."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core import clock
from dangjian.core.lib.filecheck import MB, FileRefused, Limits, check_spreadsheet
from dangjian.core.lib.workbooks import SheetProcess
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from . import bases, rules
from .choices import BaseSource, FeeKind
from .selectors import parse_month

HEADERS = [
    "编号",
    "姓名",
    "党支部",
    "现交纳类别",
    "现基数（元）",
    "现农民定额（元）",
    "新交纳类别",
    "新基数（元）",
    "新农民定额（元）",
    "起始月份",
    "批准日期",
    "批准理由/说明",
]
(C_ID, C_NAME, C_ORG, C_KIND, C_BASE, C_FIXED, N_KIND, N_BASE, N_FIXED, N_MONTH, N_APPROVED, N_REASON) = range(12)
MAX_FILE_BYTES = 5 * MB
MAX_ROWS = 20_000
#: What an uploaded 核定 sheet may be: far below the roster import's limits (a branch's sheet is a few KB).
LIMITS = Limits(
    max_file_bytes=MAX_FILE_BYTES,
    max_rows=MAX_ROWS + 1,  # and the header
    max_columns=50,
    max_uncompressed_bytes=100 * MB,
    max_zip_members=200,
    parse_memory_mb=512,
    parse_seconds=30.0,
)
KIND_BY_LABEL = {label: value for value, label in FeeKind.choices} | {v: v for v in FeeKind.values}
KIND_BY_LABEL |= {"在职党员": FeeKind.EMPLOYED, "退休": FeeKind.RETIRED, "低保": FeeKind.DIBAO}
KIND_BY_LABEL |= {"免交": FeeKind.EXEMPT, "下岗": FeeKind.UNEMPLOYED, "失业": FeeKind.UNEMPLOYED}
LABELS = dict(FeeKind.choices)
FIELD_LABELS = {
    "kind": "新交纳类别",
    "base_fen": "新基数",
    "fixed_fen": "新农民定额",
    "effective_month": "起始月份",
    "approved_on": "批准日期",
    "reason": "批准理由/说明",
}

ERR_NOT_XLSX = "请上传本页下载的核定表（.xlsx 文件）"
ERR_HEADER = "第1行的表头与核定表不符（应为：{headers}）；请使用本页下载的核定表填写"
ERR_EMPTY = "核定表中没有党员行"
ERR_TOO_MANY = "核定表最多 {max:,} 行（现有 {count:,} 行），请按党支部分别核定"
ERR_MEMBER = "编号“{value}”不是本组织可维护的在册党员"
ERR_DUPLICATE = "与第 {row} 行是同一名党员"
ERR_NAME = "姓名“{value}”与编号不符（该编号为 {name}）"
ERR_NO_KIND = "填写了新的基数或定额，但未选择新交纳类别"
ERR_KIND = "新交纳类别“{value}”无法识别，请从下拉列表中选择"
ERR_DATE = "批准日期格式应为 2026-03-01"
ERR_STALE = "该党员的党费基数在预览之后已被修改，请重新下载核定表"


def default_month(today: dt.date | None = None) -> dt.date:
    """The effective month the sheet proposes: next January in December (the new year's bases), else this month."""
    today = today or clock.today()
    return dt.date(today.year + 1, 1, 1) if today.month == 12 else rules.month_first(today)


def sheet_members(*, by, org: Organization | None):
    """The members the user may re-check (CHANGE) in register of the org's subtree, with their base this month."""
    members = bases.members_in_register(fetched_by=by, org=org, capability=Capability.CHANGE)
    members = bases.with_current_base(members, rules.month_first(clock.today()))
    return members.order_by("org__path", "name_pinyin", "id")


def _yuan_or_blank(fen: int | None) -> str:
    return "" if fen is None else rules.yuan(fen)


def write_sheet(members, out, *, month: dt.date) -> int:
    """The 核定 sheet: a row per member with the current values and the new ones to fill (the new kind prefilled
    with the current one, a dropdown of the kinds). Returns the members written."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("党费基数核定")
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    fill = book.add_format({"bg_color": "#FFF2CC", "border": 1})
    text_fill = book.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "@"})
    sheet.write_row(0, 0, HEADERS, head)
    sheet.set_column(C_ID, C_ID, 9)
    sheet.set_column(C_ORG, C_ORG, 22)
    sheet.set_column(C_KIND, N_MONTH, 13)
    sheet.set_column(N_APPROVED, N_APPROVED, 12)
    sheet.set_column(N_REASON, N_REASON, 30)
    count = 0
    for count, m in enumerate(members.iterator(chunk_size=1000), start=1):
        sheet.write_number(count, C_ID, m.pk)
        sheet.write_string(count, C_NAME, m.name)
        sheet.write_string(count, C_ORG, m.org.name)
        sheet.write_string(count, C_KIND, LABELS.get(m.b_kind, "未登记"))
        sheet.write_string(count, C_BASE, _yuan_or_blank(m.b_base))
        sheet.write_string(count, C_FIXED, _yuan_or_blank(m.b_fixed))
        sheet.write_string(count, N_KIND, LABELS.get(m.b_kind, ""), fill)
        sheet.write_blank(count, N_BASE, None, fill)
        sheet.write_blank(count, N_FIXED, None, fill)
        sheet.write_string(count, N_MONTH, f"{month:%Y-%m}", text_fill)
        sheet.write_blank(count, N_APPROVED, None, fill)
        sheet.write_blank(count, N_REASON, None, fill)
    if count:
        sheet.data_validation(1, N_KIND, count, N_KIND, {"validate": "list", "source": list(LABELS.values())})
    sheet.freeze_panes(1, 2)
    notes = book.add_worksheet("填写说明")
    for i, line in enumerate(
        [
            "只填写黄色的列；编号、姓名请勿修改，也不要增删行的顺序以外的内容。",
            "新交纳类别：从下拉列表中选择（已预填为现类别）；类别和基数都不变的党员无需填写。",
            "新基数（元）：在职党员填每月工资收入扣除个人所得税和个人缴纳的社保、公积金后的金额；离退休党员填养老金；最多两位小数。",
            "新农民定额（元）：农民党员每月交纳 0.2 元至 1 元。",
            "学生、下岗失业、享受最低生活保障的党员每月 0.2 元，无需填写基数。",
            "经批准免交：须填写批准日期（如 2026-03-01）和批准理由。",
            f"起始月份：如 {month:%Y-%m}，最晚为下月；自该月起按新基数计算，已生成的台账随之重算。",
            "上传后先预览全部变更和错误，确认后一次性写入；有任何一行错误则全部不写入。",
        ]
    ):
        notes.write_string(i, 0, line)
    notes.set_column(0, 0, 120)
    book.close()
    return count


# ── Reading a filled sheet ────────────────────────────────────────────────────────────────────────────────────


def read_rows(path: str | Path) -> list[tuple[int, list]]:
    """(row number in the sheet, cells) of the first sheet, the header first. FileRefused (Chinese) for a file that
    is not an .xlsx, too big, declares too many rows, or breaks the parser (which runs bounded, in a child)."""
    check_spreadsheet(path, ".xlsx", LIMITS)  # magic bytes, size, the zip's directory, declared extent
    with SheetProcess(path, LIMITS) as parse:
        parse.open()
        _, start, _end, head = parse.first_sheet()
        cells = head + list(parse.rest())
    first = (start[0] if start else 0) + 1
    return [(first + i, row) for i, row in enumerate(cells)]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _month(value) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):  # Excel turned "2027-01" into a date
        return rules.month_first(value if not isinstance(value, dt.datetime) else value.date())
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    if len(text) == 10:
        text = text[:7]
    return parse_month(text)


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(ERR_DATE) from None


@dataclass(frozen=True)
class Problem:
    row: int
    message: str


@dataclass(frozen=True)
class Change:
    row: int
    member_id: int
    name: str
    org_name: str
    old: tuple  # (kind, base_fen, fixed_fen, source) in force this month
    new: bases.BaseValues

    def as_session(self) -> list:
        n = self.new
        return [
            self.row,
            self.member_id,
            self.name,
            self.org_name,
            list(self.old),
            [n.kind, n.base_fen, n.fixed_fen, n.effective_month.isoformat()],
            [n.approved_on.isoformat() if n.approved_on else None, n.reason],
        ]

    @classmethod
    def from_session(cls, data: list) -> "Change":
        row, member_id, name, org_name, old, (kind, base, fixed, month), (approved, reason) = data
        new = bases.BaseValues(
            kind=kind,
            base_fen=base,
            fixed_fen=fixed,
            effective_month=dt.date.fromisoformat(month),
            approved_on=dt.date.fromisoformat(approved) if approved else None,
            reason=reason,
        )
        return cls(row, member_id, name, org_name, tuple(old), new)

    @staticmethod
    def describe(kind, base_fen, fixed_fen) -> str:
        if not kind:
            return "未登记"
        amount = base_fen if base_fen is not None else fixed_fen
        return LABELS[kind] + (f" {rules.yuan(amount)} 元" if amount is not None else "")

    @property
    def old_text(self) -> str:
        text = self.describe(*self.old[:3])
        return text + ("（待核定）" if self.old[3] == BaseSource.ROSTER else "")

    @property
    def new_text(self) -> str:
        return self.describe(self.new.kind, self.new.base_fen, self.new.fixed_fen)


@dataclass
class Plan:
    changes: list[Change]
    problems: list[Problem]
    unchanged: int = 0


def _current(member) -> tuple:
    return (member.b_kind, member.b_base, member.b_fixed, member.b_source)


def plan_rows(*, by, org: Organization | None, rows: list[tuple[int, list]]) -> Plan:
    """Every row of the sheet checked: the changes (old → new) and the problems (row number and reason)."""
    plan = Plan([], [])
    if not rows or [_text(c) for c in rows[0][1][: len(HEADERS)]] != HEADERS:
        plan.problems.append(Problem(rows[0][0] if rows else 1, ERR_HEADER.format(headers="、".join(HEADERS))))
        return plan
    data = [(n, list(cells) + [""] * (len(HEADERS) - len(cells))) for n, cells in rows[1:]]
    data = [(n, cells) for n, cells in data if any(_text(c) for c in cells[: len(HEADERS)])]
    if not data:
        plan.problems.append(Problem(1, ERR_EMPTY))
        return plan
    if len(data) > MAX_ROWS:
        plan.problems.append(Problem(1, ERR_TOO_MANY.format(max=MAX_ROWS, count=len(data))))
        return plan
    members = {m.pk: m for m in sheet_members(by=by, org=org)}
    seen: dict[int, int] = {}
    for number, cells in data:
        problem = _check_row(number, cells, members, seen, plan)
        if problem is not None:
            plan.problems.append(Problem(number, problem))
    return plan


def _check_row(number: int, cells: list, members: dict, seen: dict, plan: Plan) -> str | None:
    raw_id = _text(cells[C_ID])
    member = members.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19 else None
    if member is None:
        return ERR_MEMBER.format(value=raw_id[:20])
    if member.pk in seen:
        return ERR_DUPLICATE.format(row=seen[member.pk])
    seen[member.pk] = number
    if _text(cells[C_NAME]) != member.name:
        return ERR_NAME.format(value=_text(cells[C_NAME])[:50], name=member.name)
    kind_text = _text(cells[N_KIND])
    errors = []
    try:
        base_fen = rules.parse_yuan(cells[N_BASE] if cells[N_BASE] != "" else None)
    except ValueError as refused:
        errors.append(f"新基数：{refused}")
    try:
        fixed_fen = rules.parse_yuan(cells[N_FIXED] if cells[N_FIXED] != "" else None)
    except ValueError as refused:
        errors.append(f"新农民定额：{refused}")
    try:
        month = _month(cells[N_MONTH])
    except ValueError as refused:
        errors.append(f"起始月份：{refused}")
    try:
        approved_on = _day(cells[N_APPROVED])
    except ValueError as refused:
        errors.append(f"批准日期：{refused}")
    reason = _text(cells[N_REASON])
    if errors:
        return "；".join(errors)
    if not kind_text:
        if base_fen is not None or fixed_fen is not None or approved_on is not None:
            return ERR_NO_KIND
        plan.unchanged += 1
        return None
    kind = KIND_BY_LABEL.get(kind_text)
    if kind is None:
        return ERR_KIND.format(value=kind_text[:20])
    filled = kind != member.b_kind or base_fen is not None or fixed_fen is not None or approved_on is not None
    if not filled:
        plan.unchanged += 1
        return None
    try:
        values = bases.check_base(
            member=member,
            kind=kind,
            base_fen=base_fen,
            fixed_fen=fixed_fen,
            effective_month=month,
            approved_on=approved_on,
            reason=reason,
        )
    except ValidationError as refused:
        return "；".join(
            message if message.startswith(FIELD_LABELS.get(field, message)) else f"{FIELD_LABELS[field]}：{message}"
            for field, messages in refused.message_dict.items()
            for message in messages
        )
    same = (values.kind, values.base_fen, values.fixed_fen) == (member.b_kind, member.b_base, member.b_fixed)
    if same and member.b_source != BaseSource.ROSTER:
        plan.unchanged += 1
        return None
    plan.changes.append(Change(number, member.pk, member.name, member.org.name, _current(member), values))
    return None


@transaction.atomic
def apply_plan(*, by, org: Organization | None, changes: list[Change]) -> int:
    """Write every change through set_base (source 核定), or none: any row refused (the member's base changed since
    the preview, out of scope now, a rule) rolls all back, with every row's reason. Returns the members updated."""
    members = {m.pk: m for m in sheet_members(by=by, org=org).filter(pk__in=[c.member_id for c in changes])}
    problems = []
    for change in changes:
        member = members.get(change.member_id)
        if member is None:
            problems.append(f"第 {change.row} 行（{change.name}）：{ERR_MEMBER.format(value=change.member_id)}")
            continue
        if _current(member) != change.old:
            problems.append(f"第 {change.row} 行（{change.name}）：{ERR_STALE}")
            continue
        try:
            bases.set_base(by=by, member=member, source=BaseSource.CHECK, **change.new.__dict__)
        except (ValidationError, PermissionDenied) as refused:
            problems.append(f"第 {change.row} 行（{change.name}）：{'；'.join(getattr(refused, 'messages', []))}")
    if problems:
        raise ValidationError(problems)
    return len(changes)


def refused_file(error: FileRefused) -> Plan:
    return Plan([], [Problem(0, error.message)])
