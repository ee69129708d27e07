"""import_members: a roster file in, every member in it written, or nothing written and every bad row reported.

Two passes over bounded data: the file is read once, row by row, validated, checked against the database a batch
of ID numbers at a time, and the good rows are kept as plain tuples (a few hundred bytes each, never model
instances); only when no row is bad are they written, in batches, inside one transaction, with one audit entry.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.models import User
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from ..models import ERR_ID_DUPLICATE, Member
from ..services import ERR_OUT_OF_SCOPE, fill_pinyin
from .reading import FileReadError, Row, open_sheet
from .report import ImportReport, RowError
from .rows import ATTNAMES, FIELDS, CheckedRow, RowChecker, is_template_example
from .targets import Targets

log = logging.getLogger(__name__)

ERR_NO_ROWS = "文件中没有党员数据（表头下面没有内容）"
ERR_MOVE_BY_IMPORT = "该党员现在“{org}”；调整所在党支部请办理组织关系转接，不能通过导入修改"
ERR_CHANGED_MEANWHILE = "导入期间花名册已被他人修改（有相同的公民身份号码），未写入任何数据，请重新导入"
ERR_SCOPE_CHANGED = "导入期间您的权限发生了变化，未写入任何数据"
AUDIT_REPR = "花名册导入：{filename}"

#: Rows per database round trip (ID-number lookups and writes).
BATCH_SIZE = 2000
PREVIEW_ROWS = 10
Progress = Callable[[int, int], None]


ID = FIELDS.index("id_number")
ORG = FIELDS.index("org")
GROUP = FIELDS.index("group")


@dataclass
class _Staged:
    """The good rows waiting to be written, as (id of the member to update or None, values) tuples."""

    rows: list[tuple[int | None, tuple]] = field(default_factory=list)
    org_ids: set[int] = field(default_factory=set)


class _Progress:
    """Rows read, then rows written, against an estimate made from the sheet's size (rows read only in a dry run)."""

    def __init__(self, callback: Progress | None, rows: int, *, writing: bool) -> None:
        self.callback = callback
        self.total = rows * (2 if writing else 1)
        self.done = 0

    def advance(self, rows: int) -> None:
        self.done = min(self.done + rows, self.total)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def finish(self) -> None:
        if self.callback is not None:
            self.total = max(self.total, 1)
            self.callback(self.total, self.total)


def import_members(
    *,
    acting_user: User | None,
    path: str | Path,
    filename: str | None = None,
    org: Organization | None = None,
    update: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a roster file (.xlsx, .xls, .csv). acting_user None is the server operator (the whole tree); a user
    imports only into orgs they may change. `org` takes the rows with no 所在党支部 (when it is a branch) and bounds
    the branches rows may name. With `update`, rows whose ID number is on the roster update that member; without
    it they are errors. All or nothing: one bad row and nothing is written. A dry run checks everything and writes
    nothing (its created/updated say what an import would do). Raises PermissionDenied or ValidationError for an
    `org` the user may not import into; every problem with the file itself is in the report."""
    path = Path(path)
    report = ImportReport(filename=filename or path.name, dry_run=dry_run)
    targets = Targets(acting_user=acting_user, org=org)
    try:
        with open_sheet(path, report.filename) as sheet:
            header = sheet.header
            report.mapping, report.header_row = header.mapping, header.row_number
            report.missing_columns = header.missing_columns
            meter = _Progress(progress, max(sheet.last_row - header.row_number, 0), writing=not dry_run)
            if report.missing_columns:
                report.total_rows = sum(1 for _ in _data_rows(sheet.rows))
            else:
                checker = RowChecker(header=header, targets=targets)
                staged = _check_all(
                    sheet.rows, checker=checker, acting_user=acting_user, update=update, report=report, meter=meter
                )
    except FileReadError as error:
        report.errors.append(RowError(0, "", error.message))
        return report
    if report.ok and report.total_rows == 0:
        report.errors.append(RowError(0, "", ERR_NO_ROWS))
    if report.ok and not dry_run:
        _write(
            staged,
            acting_user=acting_user,
            update=update,
            columns=set(checker.mapped),
            report=report,
            targets=targets,
            meter=meter,
        )
    meter.finish()
    return report


def _blank(cells: list) -> bool:
    for value in cells:
        if value == "" or value is None or (value.__class__ is str and not value.strip()):
            continue
        return False
    return True


def _data_rows(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows with anything in them: blank rows between and after the data are ignored."""
    return (row for row in rows if not _blank(row[1]))


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in _data_rows(rows):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_all(rows, *, checker: RowChecker, acting_user, update: bool, report: ImportReport, meter) -> _Staged:
    """Check every row, a batch at a time; stage the good rows while no row has been bad."""
    staged = _Staged()
    for batch in _batches(rows, BATCH_SIZE):
        checked = []
        for number, cells in batch:
            row = checker.check(number, cells)
            if is_template_example(row):
                continue
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(checker.display(cells, row))
            checked.append(row)
        existing = _existing(checked)
        for row in checked:
            member = existing.get(row.values[ID])
            errors = row.errors
            if member is not None:
                errors = errors + _existing_errors(member, row, checker=checker, acting_user=acting_user, update=update)
            report.total_rows += 1
            if errors:
                report.errors.extend(RowError(row.number, column, message) for column, message in errors)
                staged = _Staged()  # nothing will be written: keep no rows
                continue
            if member is not None:
                report.updated += 1
            else:
                report.created += 1
            if not report.errors:
                staged.rows.append((member[0] if member else None, row.values))
                staged.org_ids.add(row.values[ORG])
                if row.values[GROUP]:
                    staged.org_ids.add(row.values[GROUP])
        meter.advance(len(batch))
    return staged


def _existing(rows: list[CheckedRow]) -> dict[str, tuple[int, int, str, str]]:
    """Members already on the roster with the batch's ID numbers: one query per batch, never one per row."""
    numbers = {row.values[ID] for row in rows if row.values[ID]}
    if not numbers:
        return {}
    found = Member.objects.filter(id_number__in=numbers).values_list(
        "id_number", "pk", "org_id", "org__path", "org__name"
    )
    return {number: (pk, org_id, path, name) for number, pk, org_id, path, name in found}


def _existing_errors(
    member, row: CheckedRow, *, checker: RowChecker, acting_user, update: bool
) -> list[tuple[str, str]]:
    """A row whose ID number is on the roster: an error, unless updating a member the user may change, in place."""
    pk, org_id, org_path, org_name = member
    id_header = checker.headers["id_number"]
    if not update:
        return [(id_header, ERR_ID_DUPLICATE)]
    if acting_user is not None and not acting_user.can(Capability.CHANGE, org_path):
        return [(id_header, ERR_OUT_OF_SCOPE)]
    if row.values[ORG] is not None and row.values[ORG] != org_id:
        # A move between branches is a transfer (组织关系转接) with its own record, not a silent edit.
        return [(checker.headers["org"], ERR_MOVE_BY_IMPORT.format(org=org_name))]
    return []


class _Pinyin:
    """members.services.fill_pinyin, once per distinct name: names repeat, and pypinyin is the slow part."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        found = self.cache.get(name)
        if found is None:
            holder = SimpleNamespace(name=name)
            fill_pinyin(holder)
            found = self.cache[name] = (holder.name_pinyin, holder.name_initials)
        return found


def _still_allowed(acting_user: User | None, org_ids: set[int]) -> bool:
    """Re-check the user's scope inside the writing transaction, with grants read afresh."""
    if acting_user is None:
        return True
    fresh = User.objects.get(pk=acting_user.pk)
    return Organization.objects.changeable_by(fresh).filter(pk__in=org_ids).count() == len(org_ids)


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _write(
    staged: _Staged, *, acting_user, update: bool, columns: set[str], report: ImportReport, targets: Targets, meter
) -> None:
    """Write the staged rows in batches inside one transaction, with one audit entry; nothing if anything fails."""
    pinyin = _Pinyin()
    # An update writes the columns the file has (and the pinyin of the name); absent optional columns stay as they are.
    update_fields = [a for f, a in zip(FIELDS, ATTNAMES, strict=True) if f in columns]
    update_fields += ["name_pinyin", "name_initials", "updated_at"]
    now = timezone.now()
    try:
        with transaction.atomic():
            if not _still_allowed(acting_user, staged.org_ids):
                raise _Refused(ERR_SCOPE_CHANGED)
            for start in range(0, len(staged.rows), BATCH_SIZE):
                creates: list[Member] = []
                updates: list[Member] = []
                for pk, values in staged.rows[start : start + BATCH_SIZE]:
                    member = Member(**dict(zip(ATTNAMES, values, strict=True)))
                    member.name_pinyin, member.name_initials = pinyin(member.name)
                    if pk is None:
                        creates.append(member)
                    else:
                        member.pk, member.updated_at = pk, now
                        updates.append(member)
                if creates:
                    Member.objects.bulk_create(creates)
                if updates:
                    Member.objects.bulk_update(updates, update_fields)
                meter.advance(len(creates) + len(updates))
            _audit(acting_user, report=report, update=update, org_path=targets.common_path(staged.org_ids))
    except IntegrityError:
        log.warning("roster import %s hit an integrity error; rolled back", report.filename, exc_info=True)
        _refuse(report, ERR_CHANGED_MEANWHILE)
    except _Refused as refused:
        _refuse(report, refused.message)


def _refuse(report: ImportReport, message: str) -> None:
    report.created = report.updated = 0
    report.errors.append(RowError(0, "", message))


def _audit(acting_user: User | None, *, report: ImportReport, update: bool, org_path: str) -> LogEntry:
    """One entry for the whole import (bulk writes bypass auditlog's per-object signals)."""
    counts = {"文件": report.filename, "总行数": report.total_rows, "新增": report.created, "更新": report.updated}
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Member),
        object_pk="",
        object_repr=AUDIT_REPR.format(filename=report.filename),
        action=LogEntry.Action.UPDATE if update else LogEntry.Action.CREATE,
        changes={label: [None, str(value)] for label, value in counts.items()},
        actor=acting_user,
        additional_data={
            "import": {
                "filename": report.filename,
                "total_rows": report.total_rows,
                "created": report.created,
                "updated": report.updated,
                "update": update,
            },
            "org_path": org_path,
        },
    )
