"""import_members: a roster file in, every member in it written, or nothing written and every bad row reported.

One pass, bounded memory: the file is read row by row and checked a batch at a time (the batch's ID numbers looked
up in one query). While no row has been bad, each checked batch is inserted inside the import's one transaction,
on a worker thread, as the next batch is being checked; the first bad row stops the writing, the rest of the file is
still checked for the report, and the transaction is rolled back: nothing is committed unless every row is good.
Rows that update existing members (--update) are kept and written at the end. One audit entry for the import.
"""

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dangjian.core.audit import audit_event
from dangjian.core.models import Job, User
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from ..models import ERR_ID_DUPLICATE, Member
from ..personal import duplicate_id_message
from ..services import ERR_OUT_OF_SCOPE
from ..tasks import precompute_stats
from .pinyin import NamePinyin
from .reading import FileReadError, Row, open_sheet
from .report import ImportReport, RowError
from .rows import ATTNAMES, FIELDS, KEPT_WHEN_EMPTY, CheckedRow, RowChecker, is_template_example
from .targets import Targets
from .writing import RosterWriter

log = logging.getLogger(__name__)

ERR_NO_ROWS = "文件中没有党员数据（表头下面没有内容）"
ERR_ONLY_EXAMPLE = "文件中只有导入模板的灰色示例行（导入时跳过），没有党员数据：请在示例行下面填写党员后再导入"
ERR_MOVE_BY_IMPORT = "该党员现在“{org}”；调整所在党支部请办理组织关系转接，不能通过导入修改"
ERR_CHANGED_MEANWHILE = "导入期间花名册已被他人修改（有相同的公民身份号码），未写入任何数据，请重新导入"
ERR_SCOPE_CHANGED = "导入期间您的权限发生了变化，未写入任何数据"
AUDIT_REPR = "花名册导入：{filename}"
#: What the import is doing, for the job's page (progress's third argument).
PHASE_CHECKING = "正在检查第 {done} / {total} 行"
PHASE_WRITING = "正在检查并写入第 {done} / {total} 行"
PHASE_FLUSHING = "正在写入最后一批（共 {total} 行）"
PHASE_UPDATING = "正在更新已有党员 {done} / {total} 名"
PHASE_COMMITTING = "正在保存（共 {total} 行）"

#: Rows per database round trip (ID-number lookups and inserts).
BATCH_SIZE = 2000
PREVIEW_ROWS = 10
Progress = Callable[..., None]  # progress(done, total, phase): the phase in words, for the job's page

ID = FIELDS.index("id_number")
ORG = FIELDS.index("org")
GROUP = FIELDS.index("group")
NAME = FIELDS.index("name")


class _Rollback(Exception):
    """Leaves the import's transaction without committing (a bad row, or a refusal with its message)."""

    def __init__(self, message: str = "") -> None:
        self.message = message


class _Import:
    """The state of one import: what has been checked, what is waiting to be written."""

    def __init__(
        self,
        *,
        report: ImportReport,
        checker: RowChecker,
        pinyin: NamePinyin,
        acting_user,
        update: bool,
        progress,
        estimate: int,
        job_id: int | None = None,
    ) -> None:
        self.report = report
        self.job_id = job_id  # the job running the import: every member it writes is marked with it
        self.checker = checker
        self.acting_user = acting_user
        self.update = update
        self.progress = progress
        self.pinyin = pinyin
        self.updates: list[tuple[int, tuple, tuple[str, ...]]] = []  # (pk, values, fields kept as they are)
        self.org_ids: set[int] = set()
        self.done = 0
        self.examples = 0  # the template's example rows, skipped
        self.estimate = estimate  # data rows, judged from the sheet's size

    def run(self, rows: Iterator[Row], writer: RosterWriter, *, writing: bool) -> None:
        """Check every row. The worker looks a batch's ID numbers up while the next batch is checked; then, while no
        row has been bad, the batch's new members are queued for insertion (`writing`)."""
        pending: tuple[list, Future | None] | None = None
        for batch in _batches(rows, BATCH_SIZE):
            checked = self._check(batch, writing=writing)
            numbers = list({row.values[ID] for row, _ in checked if row.values[ID]})
            lookup = writer.lookup(numbers) if numbers else None
            if pending is not None:
                self._settle(*pending, writer=writer, writing=writing)
            pending = (checked, lookup)
            self.done += len(batch)
            self._notify(PHASE_WRITING if writing and not self.report.errors else PHASE_CHECKING)
        if pending is not None:
            self._settle(*pending, writer=writer, writing=writing)
        if writing and not self.report.errors:
            self._notify(PHASE_FLUSHING)
        writer.drain()

    def _settle(self, checked: list, lookup: Future | None, *, writer: RosterWriter, writing: bool) -> None:
        found = writer.result(lookup) if lookup is not None else []
        existing = {number: (pk, org_id) for number, pk, org_id in found}
        creates = self._against_roster(checked, existing)
        if writing and creates and not self.report.errors:
            writer.insert(creates)

    def _check(self, batch: list[Row], *, writing: bool) -> list[tuple[CheckedRow, tuple]]:
        """The batch's rows checked, each with its insert row (values + pinyin) when it is good and to be written."""
        checked = []
        preview, pinyin = self.report.preview, self.pinyin
        for number, cells in batch:
            row = self.checker.check(number, cells)
            if is_template_example(row):
                self.examples += 1
                continue
            if len(preview) < PREVIEW_ROWS:
                preview.append(self.checker.display(cells, row))
            insert = row.values + pinyin(row.values[NAME]) if writing and not row.errors else ()
            checked.append((row, insert))
        return checked

    def _against_roster(self, checked: list[tuple[CheckedRow, tuple]], existing: dict) -> list[tuple]:
        """Errors for ID numbers already on the roster; the batch's new members as insert rows."""
        report = self.report
        creates = []
        for row, insert in checked:
            report.total_rows += 1
            member = existing.get(row.values[ID]) if existing else None
            errors = row.errors
            if member is not None:
                errors = errors + self._existing_errors(member, row)
            if errors:
                report.errors.extend(RowError(row.number, column, message) for column, message in errors)
                continue
            values = row.values
            if member is not None:
                report.updated += 1
                if not report.errors:
                    self.updates.append((member[0], values, row.kept))
            else:
                report.created += 1
                if not report.errors:
                    creates.append(insert)
            self.org_ids.add(values[ORG])
            if values[GROUP]:
                self.org_ids.add(values[GROUP])
        if report.errors:
            self.updates = []
        return creates

    def _existing_errors(self, member, row: CheckedRow) -> list[tuple[str, str]]:
        """An ID number on the roster: an error, unless updating, in place, a member the user may change."""
        pk, org_id = member
        org = self.checker.targets.get(org_id)
        id_header = self.checker.headers["id_number"]
        # The number is unique system-wide, so its being taken is said; where, only inside the user's scope.
        taken = duplicate_id_message(self.acting_user, org_path=org.path, member_user_id=None)
        if not self.update or taken != ERR_ID_DUPLICATE:
            return [(id_header, taken)]
        if self.acting_user is not None and not self.acting_user.can(Capability.CHANGE, org.path):
            return [(id_header, ERR_OUT_OF_SCOPE)]
        if row.values[ORG] is not None and row.values[ORG] != org_id:
            # A move between branches is a transfer (组织关系转接) with its own record, not a silent edit.
            return [(self.checker.headers["org"], ERR_MOVE_BY_IMPORT.format(org=org.name))]
        return []

    def write_updates(self, *, columns: set[str], now) -> None:
        """bulk_update the members matched by ID number: the columns the file has (a column it lacks is left as it
        is), the pinyin, updated_at. An empty cell of a field the model requires keeps that member's value too
        (rows.KEPT_WHEN_EMPTY): those values are read back, a batch at a time, and written unchanged."""
        fields = [a for f, a in zip(FIELDS, ATTNAMES, strict=True) if f in columns]
        # The version too (core.concurrency): an edit form opened before the import must not save over it.
        fields += ["name_pinyin", "name_initials", "name_pinyin_alt", "updated_at", "version", "import_job"]
        kept_fields = sorted(KEPT_WHEN_EMPTY & columns)
        for start in range(0, len(self.updates), BATCH_SIZE):
            self.report_progress(start, len(self.updates), PHASE_UPDATING)
            batch = self.updates[start : start + BATCH_SIZE]
            keeping = [pk for pk, _, kept in batch if kept]
            current = {}
            if keeping and kept_fields:
                # Unrestricted: these members were checked, row by row, to be ones the user may change.
                rows = Member.objects.unrestricted().filter(pk__in=keeping).values_list("pk", *kept_fields)
                current = {pk: dict(zip(kept_fields, rest, strict=True)) for pk, *rest in rows}
            members = []
            for pk, values, kept in batch:
                given = dict(zip(ATTNAMES, values, strict=True))
                if kept:
                    given.update({field: current[pk][field] for field in kept})
                member = Member(pk=pk, updated_at=now, import_job_id=self.job_id, **given)
                member.name_pinyin, member.name_initials, member.name_pinyin_alt = self.pinyin(member.name)
                member.version = F("version") + 1
                members.append(member)
            Member.objects.bulk_update(members, fields)

    def _notify(self, phase: str) -> None:
        total = max(self.estimate, self.done, 1)
        self.report_progress(min(self.done, total), total, phase)

    def report_progress(self, done: int, total: int, phase: str) -> None:
        if self.progress is not None:
            self.progress(done, total, phase.format(done=done, total=total))


def import_members(
    *,
    acting_user: User | None,
    path: str | Path,
    filename: str | None = None,
    org: Organization | None = None,
    update: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    job: Job | None = None,
) -> ImportReport:
    """Import a roster file (.xlsx, .xls, .csv). acting_user None is the server operator (the whole tree); a user
    imports only into orgs they may change. `org` takes the rows with no 所在党支部 (when it is a branch) and bounds
    the branches rows may name. With `update`, rows whose ID number is on the roster update that member; without
    it they are errors. All or nothing: one bad row and nothing is written. A dry run checks everything and writes
    nothing (its created/updated say what the import would do). progress(done, total, phase) is called after each
    batch, as each step starts (phase says in words what is being done: checking, writing, saving) and once at the
    end. Raises PermissionDenied or ValidationError for an `org` the user may not import into; every problem with
    the file itself is in the report. The members written are marked with `job` (Member.import_job), the job that
    runs the import, so that its audit entry can list them."""
    path = Path(path)
    return _import(
        acting_user=acting_user,
        path=path,
        filename=filename or path.name,
        targets=Targets(acting_user=acting_user, org=org),
        update=update,
        dry_run=dry_run,
        progress=progress,
        job_id=job.pk if job is not None else None,
    )


def _import(
    *, acting_user, path: Path, filename: str, targets: Targets, update: bool, dry_run: bool, progress, job_id
) -> ImportReport:
    report = ImportReport(filename=filename, dry_run=dry_run)
    now = timezone.now()
    state = None
    pinyin = NamePinyin()
    try:
        with open_sheet(path, filename, meanwhile=pinyin.load_dictionaries) as sheet:
            header = sheet.header
            report.mapping, report.header_row = header.mapping, header.row_number
            report.missing_columns = header.missing(branch_chosen=targets.default is not None)
            report.absent_columns = header.absent_columns
            if report.missing_columns:  # every row would be bad: count them, check none
                report.total_rows = sum(1 for _ in _data_rows(sheet.rows))
            else:
                checker = RowChecker(header=header, targets=targets)
                state = _Import(
                    report=report,
                    checker=checker,
                    pinyin=pinyin,
                    acting_user=acting_user,
                    update=update,
                    progress=progress,
                    estimate=max(sheet.last_row - header.row_number, 0),
                    job_id=job_id,
                )
                if dry_run:
                    with RosterWriter(now=now) as writer:
                        state.run(sheet.rows, writer, writing=False)
                else:
                    _run_and_write(state, sheet.rows, targets=targets, columns=set(checker.mapped), now=now)
    except FileReadError as error:
        report.errors = [RowError(0, "", error.message)]  # rows checked before a limit was broken do not count
        report.created = report.updated = report.total_rows = 0
        report.refused = True
    if report.ok and report.total_rows == 0:
        report.errors.append(RowError(0, "", ERR_ONLY_EXAMPLE if state is not None and state.examples else ERR_NO_ROWS))
    if progress is not None:
        progress(max(report.total_rows, 1), max(report.total_rows, 1), "")
    return report


def _run_and_write(state: _Import, rows: Iterator[Row], *, targets: Targets, columns: set[str], now) -> None:
    report = state.report
    try:
        with transaction.atomic():
            _check_references_as_written(True)
            with RosterWriter(now=now, job_id=state.job_id) as writer:
                state.run(rows, writer, writing=True)
            _check_references_as_written(False)
            if not report.ok or report.total_rows == 0:
                raise _Rollback
            if not _still_allowed(state.acting_user, state.org_ids):
                raise _Rollback(ERR_SCOPE_CHANGED)
            state.write_updates(columns=columns, now=now)
            state.report_progress(report.total_rows, max(report.total_rows, 1), PHASE_COMMITTING)
            _audit(
                state.acting_user,
                report=report,
                update=state.update,
                org_path=targets.common_path(state.org_ids),
                job_id=state.job_id,
            )
            transaction.on_commit(precompute_stats)  # a big scope's statistics show the import at once
    except _Rollback as rollback:
        report.created = report.updated = 0  # nothing was written
        if rollback.message:
            _refuse(report, rollback.message)
    except IntegrityError:
        # Someone added one of the file's ID numbers after it was looked up.
        log.warning("roster import %s hit an integrity error; rolled back", report.filename, exc_info=True)
        _refuse(report, ERR_CHANGED_MEANWHILE)


def _check_references_as_written(on: bool) -> None:
    """PostgreSQL checks the member table's foreign keys (org, group) at commit, as Django declares them (DEFERRABLE
    INITIALLY DEFERRED): every row's checks at the serial end of the import. Checked as each batch is written
    instead, they run while the next batch is being checked. Off: Django's default again (were the transaction to
    roll back, PostgreSQL restores the mode with it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS ALL {'IMMEDIATE' if on else 'DEFERRED'}")


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
    """The rows with anything in them, `size` at a time."""
    batch: list[Row] = []
    for row in rows:
        if _blank(row[1]):
            continue
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _still_allowed(acting_user: User | None, org_ids: set[int]) -> bool:
    """Re-check the user's scope inside the writing transaction, with grants read afresh."""
    if acting_user is None:
        return True
    fresh = User.objects.get(pk=acting_user.pk)
    return Organization.objects.changeable_by(fresh).filter(pk__in=org_ids).count() == len(org_ids)


def _refuse(report: ImportReport, message: str) -> None:
    report.created = report.updated = 0
    report.errors.append(RowError(0, "", message))


def _audit(
    acting_user: User | None, *, report: ImportReport, update: bool, org_path: str, job_id: int | None
) -> LogEntry:
    """One entry for the whole import (bulk writes bypass auditlog's per-object signals)."""
    counts = {"文件": report.filename, "总行数": report.total_rows, "新增": report.created, "更新": report.updated}
    return audit_event(
        actor=acting_user,
        target=Member,
        object_repr=AUDIT_REPR.format(filename=report.filename),
        action=LogEntry.Action.UPDATE if update else LogEntry.Action.CREATE,
        org_path=org_path,
        changes={label: [None, str(value)] for label, value in counts.items()},
        data={
            "import": {
                "filename": report.filename,
                "total_rows": report.total_rows,
                "created": report.created,
                "updated": report.updated,
                "update": update,
            },
            # The members it wrote, for the audit page to link to (the roster, scoped to the reader).
            "objects_url": f"{reverse('members:list')}?import_job={job_id}&status=all" if job_id else "",
        },
    )
