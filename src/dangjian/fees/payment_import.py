"""The payments sheet: the xlsx export of a payments list, and the import of a branch's month of payments from an
xlsx (姓名 or 党员编号, 月份, 金额, 交纳方式, 收据编号, 交纳日期).

An import is bounded (IMPORT_MAX_BYTES, IMPORT_MAX_ROWS), checked by its first bytes (a zip) and parsed in a child
process with memory and time limits (core.lib.workbooks). Every row is checked by running the very service that
writes, inside a transaction that is rolled back (the preview: every error by row number and reason); the confirm
runs it again for real, all or nothing. Each row's submission key derives from the preview's, so a confirm sent
twice writes nothing twice."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core.lib import workbooks
from dangjian.core.lib.filecheck import MB, ZIP_MAGIC, FileRefused, Limits
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .choices import PayMethod
from .payments import record_payment, submission_key_for
from .rules import yuan_to_fen

# ── Export ──────────────────────────────────────────────────────────────────────────────────────────────────────

EXPORT_MAX = 20_000
EXPORT_HEADERS = ["交纳日期", "党员", "收缴党支部", "所交月份", "金额（元）", "自愿多交（元）", "交纳方式", "收据编号",
                  "流水号", "冲正", "冲正原因", "登记人"]  # fmt: skip


def export_filename(org: Organization | None, month: date) -> str:
    return f"党费缴纳_{org.name + '_' if org else ''}{month:%Y%m}.xlsx"


def payments_xlsx(payments, out) -> None:
    """The list as one sheet, in the list's order (payment_list's rows: their months prefetched)."""
    workbook = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("党费缴纳")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, EXPORT_HEADERS, bold)
    sheet.set_column(0, 0, 12)
    sheet.set_column(2, 3, 24)
    for number, p in enumerate(payments, start=1):
        months = "、".join(f"{pm.line.month:%Y-%m}" for pm in p.months.all())
        sheet.write_row(
            number,
            0,
            [
                p.paid_on.isoformat(),
                p.member.name,
                p.org.name,
                months,
                rules.yuan(p.amount_fen),
                rules.yuan(p.extra_fen),
                p.get_method_display(),
                p.receipt_no,
                p.reference,
                "冲正记录" if p.reverses_id else ("已冲正" if p.is_reversed else ""),
                p.reason,
                p.recorded_by.get_full_name() if p.recorded_by else "",
            ],
        )
    workbook.close()


# ── Import ──────────────────────────────────────────────────────────────────────────────────────────────────────

IMPORT_MAX_BYTES = 5 * MB
IMPORT_MAX_ROWS = 5_000
HEADER_SCAN_ROWS = 10
IMPORT_LIMITS = Limits(
    max_file_bytes=IMPORT_MAX_BYTES,
    max_rows=IMPORT_MAX_ROWS + HEADER_SCAN_ROWS,
    max_columns=50,
    max_uncompressed_bytes=100 * MB,
    parse_memory_mb=512,
    parse_seconds=30.0,
)
#: Header → field, with the names organs use.
COLUMNS = {
    "name": ("姓名", "党员姓名", "党员"),
    "member_id": ("党员编号", "党员ID", "党员id", "编号", "member id", "member_id"),
    "month": ("月份", "所属月份", "交纳月份", "缴纳月份"),
    "amount": ("金额", "金额（元）", "金额(元)", "交纳金额", "缴纳金额"),
    "method": ("交纳方式", "缴纳方式", "方式"),
    "receipt_no": ("收据编号", "收据号", "票据编号"),
    "paid_on": ("交纳日期", "缴纳日期", "日期"),
}
REQUIRED = ("month", "amount", "method", "paid_on")
METHODS = (
    {label: value for value, label in PayMethod.choices}
    | {v: v for v in PayMethod.values}
    | {
        "现金": PayMethod.CASH,
        "转账": PayMethod.TRANSFER,
        "银行转账": PayMethod.TRANSFER,
        "线上": PayMethod.ONLINE,
        "线上缴纳": PayMethod.ONLINE,
        "网上缴纳": PayMethod.ONLINE,
        "微信": PayMethod.ONLINE,
        "支付宝": PayMethod.ONLINE,
    }
)

ERR_SUFFIX = "请上传 Excel 文件（.xlsx）"
ERR_NOT_XLSX = "文件内容不是 Excel（.xlsx）表格，请在 Excel 中另存为 .xlsx 后重新导入"
ERR_TOO_BIG = f"文件超过 {IMPORT_MAX_BYTES // MB} MB，请拆分后分批导入"
ERR_TOO_MANY_ROWS = f"数据超过 {IMPORT_MAX_ROWS:,} 行，请拆分后分批导入"
ERR_NO_HEADER = "未找到表头：第一行应为 姓名（或党员编号）、月份、金额、交纳方式、收据编号、交纳日期"
ERR_NO_ROWS = "表格中没有数据行"
ERR_NO_MEMBER_COLUMN = "缺少“姓名”或“党员编号”列"
ERR_MISSING_COLUMNS = "缺少列：{names}"
ERR_NO_MEMBER = "本党支部没有名为“{name}”的党员"
ERR_NO_MEMBER_ID = "本党支部没有编号为 {pk} 的党员"
ERR_SAME_NAME = "本党支部有 {count} 名党员叫“{name}”，请填写党员编号"
ERR_NAME_ID = "党员编号 {pk} 与姓名“{name}”不符"
ERR_MEMBER_EMPTY = "请填写姓名或党员编号"
ERR_MONTH = "月份应为 2026-03 或 2026年3月"
ERR_METHOD = "交纳方式应为 现金、银行转账 或 线上缴纳"
ERR_DATE = "交纳日期应为 2026-03-05"
ERR_RECEIPT = "收据编号最多 50 个字"
ERR_STALE = "预览已过期或无效，请重新上传文件"


class ImportRefused(Exception):
    """The whole file is refused (not one row): the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportRow:
    """One row of the sheet, parsed: what record_payment takes, or why it cannot."""

    number: int  # the row number Excel shows
    name: str = ""
    member_id: int | None = None
    month: date | None = None
    amount_fen: int | None = None
    method: str = ""
    receipt_no: str = ""
    paid_on: date | None = None
    errors: list[str] = field(default_factory=list)

    def as_list(self) -> list:
        return [
            self.number,
            self.name,
            self.member_id,
            self.month.isoformat() if self.month else None,
            self.amount_fen,
            self.method,
            self.receipt_no,
            self.paid_on.isoformat() if self.paid_on else None,
        ]

    @classmethod
    def from_list(cls, values: list) -> "ImportRow":
        number, name, member_id, month, amount, method, receipt, paid_on = values
        return cls(
            number=int(number),
            name=str(name),
            member_id=member_id if member_id is None else int(member_id),
            month=date.fromisoformat(month) if month else None,
            amount_fen=amount if amount is None else int(amount),
            method=str(method),
            receipt_no=str(receipt)[:50],
            paid_on=date.fromisoformat(paid_on) if paid_on else None,
        )


def check_upload(upload) -> None:
    """The upload's suffix, size and first bytes (an xlsx is a zip): ImportRefused otherwise."""
    if Path(upload.name or "").suffix.lower() != ".xlsx":
        raise ImportRefused(ERR_SUFFIX)
    if upload.size > IMPORT_MAX_BYTES:
        raise ImportRefused(ERR_TOO_BIG)
    upload.seek(0)
    magic = upload.read(len(ZIP_MAGIC))
    upload.seek(0)
    if magic != ZIP_MAGIC:
        raise ImportRefused(ERR_NOT_XLSX)


def read_rows(path: str | Path) -> list[ImportRow]:
    """The sheet's data rows, parsed (each row's own errors in it); ImportRefused for the file as a whole."""
    try:
        with workbooks.SheetProcess(path, IMPORT_LIMITS, head=HEADER_SCAN_ROWS) as child:
            child.open()
            _tag, _start, end, head = child.first_sheet()
            cells = list(head)
            if end is not None and len(head) == HEADER_SCAN_ROWS:
                for row in child.rest():
                    cells.append(row)
                    if len(cells) > IMPORT_MAX_ROWS + HEADER_SCAN_ROWS:
                        raise ImportRefused(ERR_TOO_MANY_ROWS)
    except FileRefused as refused:
        raise ImportRefused(refused.message) from None
    header_at, columns = _header(cells)
    rows = []
    for index in range(header_at + 1, len(cells)):
        values = cells[index]
        if all(_text(v) == "" for v in values):
            continue
        rows.append(_row(index + 1, values, columns))
        if len(rows) > IMPORT_MAX_ROWS:
            raise ImportRefused(ERR_TOO_MANY_ROWS)
    if not rows:
        raise ImportRefused(ERR_NO_ROWS)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(cells: list[list]) -> tuple[int, dict[str, int]]:
    wanted = {synonym.lower(): key for key, names in COLUMNS.items() for synonym in names}
    for index, row in enumerate(cells[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, value in enumerate(row):
            key = wanted.get(_text(value).replace(" ", "").lower()) or wanted.get(_text(value).lower())
            if key and key not in found:
                found[key] = position
        if "month" in found and "amount" in found:
            if "name" not in found and "member_id" not in found:
                raise ImportRefused(ERR_NO_MEMBER_COLUMN)
            missing = [COLUMNS[key][0] for key in REQUIRED if key not in found]
            if missing:
                raise ImportRefused(ERR_MISSING_COLUMNS.format(names="、".join(missing)))
            return index, found
    raise ImportRefused(ERR_NO_HEADER)


def _month(value) -> date:
    if isinstance(value, datetime | date):
        return rules.month_first(value if isinstance(value, date) else value.date())
    text = _text(value).replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    parts = text.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        first = date(year, month, 1)
    except (ValueError, IndexError):
        raise ValueError(ERR_MONTH) from None
    if len(parts) > 3 or not 2000 <= year <= 2100:
        raise ValueError(ERR_MONTH)
    return first


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(ERR_DATE) from None


def _row(number: int, values: list, columns: dict[str, int]) -> ImportRow:
    def cell(key):
        position = columns.get(key)
        return values[position] if position is not None and position < len(values) else None

    row = ImportRow(number=number, name=_text(cell("name"))[:50])
    member_id = _text(cell("member_id"))
    if member_id:
        if member_id.isascii() and member_id.isdigit() and len(member_id) <= 18:
            row.member_id = int(member_id)
        else:
            row.errors.append(ERR_NO_MEMBER_ID.format(pk=member_id[:20]))
    elif not row.name:
        row.errors.append(ERR_MEMBER_EMPTY)
    for key, parse in (("month", _month), ("paid_on", _date), ("amount_fen", yuan_to_fen)):
        try:
            setattr(row, key, parse(cell("amount" if key == "amount_fen" else key)))
        except ValueError as error:
            row.errors.append(str(error))
    method = _text(cell("method"))
    row.method = METHODS.get(method, "")
    if not row.method:
        row.errors.append(ERR_METHOD)
    row.receipt_no = _text(cell("receipt_no"))
    if len(row.receipt_no) > 50:
        row.errors.append(ERR_RECEIPT)
        row.receipt_no = row.receipt_no[:50]
    return row


def _members(by, org: Organization, rows: list[ImportRow]) -> dict[int, Member]:
    """Each row's member among the branch's members the user may change (by id, or by a name no one else bears)."""
    people = list(Member.objects.changeable_by(by).filter(org=org).select_related("org"))
    by_id = {m.pk: m for m in people}
    by_name: dict[str, list[Member]] = {}
    for m in people:
        by_name.setdefault(m.name, []).append(m)
    for row in rows:
        if row.member_id is not None:
            member = by_id.get(row.member_id)
            if member is None:
                row.errors.append(ERR_NO_MEMBER_ID.format(pk=row.member_id))
            elif row.name and row.name != member.name:
                row.errors.append(ERR_NAME_ID.format(pk=row.member_id, name=row.name))
            else:
                row.name = member.name
        elif row.name:
            named = by_name.get(row.name, [])
            if not named:
                row.errors.append(ERR_NO_MEMBER.format(name=row.name))
            elif len(named) > 1:
                row.errors.append(ERR_SAME_NAME.format(count=len(named), name=row.name))
            else:
                row.member_id = named[0].pk
    return by_id


@dataclass
class ImportResult:
    rows: list[ImportRow]
    written: int = 0

    @property
    def bad(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]


def import_payments(
    *, by, org: Organization, rows: list[ImportRow], batch_key: uuid.UUID, dry_run: bool
) -> ImportResult:
    """Every row through record_payment in one transaction, each row's refusal beside its row number: rolled back
    when a row is refused or for a dry run (the preview), committed otherwise (all or nothing)."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied
    _members(by, org, rows)
    result = ImportResult(rows=rows)
    # Members fetched in the user's scope above; the service locks and checks them again.
    members = {
        m.pk: m
        for m in Member.objects.changeable_by(by).filter(pk__in={r.member_id for r in rows}).select_related("org")
    }
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: (r.member_id or 0, r.month or date.min, r.number)):
            if row.errors:
                continue
            try:
                record_payment(
                    by=by,
                    member=members[row.member_id],
                    months=[row.month],
                    amount_fen=row.amount_fen,
                    paid_on=row.paid_on,
                    method=row.method,
                    receipt_no=row.receipt_no,
                    submission_key=submission_key_for(batch_key, f"row-{row.number}"),
                )
                result.written += 1
            except (ValidationError, PermissionDenied) as refused:
                row.errors += getattr(refused, "messages", [str(refused)])
        if dry_run or result.bad:
            transaction.set_rollback(True)
            result.written = 0
    return result


SALT = "fees.payment_import"
MAX_AGE = 3600


def sign_preview(*, by, org: Organization, rows: list[ImportRow], batch_key: uuid.UUID) -> str:
    """The checked rows, signed for the confirm (no file kept on the server)."""
    payload = {"user": by.pk, "org": org.pk, "key": str(batch_key), "rows": [row.as_list() for row in rows]}
    return signing.dumps(payload, salt=SALT, compress=True)


def unsign_preview(token: str, *, by, org: Organization) -> tuple[list[ImportRow], uuid.UUID]:
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise ImportRefused(ERR_STALE) from None
    if payload.get("user") != by.pk or payload.get("org") != org.pk:
        raise ImportRefused(ERR_STALE)
    return [ImportRow.from_list(values) for values in payload["rows"]], uuid.UUID(payload["key"])
