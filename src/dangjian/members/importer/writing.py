"""The database side of an import, on one worker thread: ID-number lookups and inserts, overlapped with reading and
checking the file on the caller's thread.

The worker uses the caller's own database connection (so it works inside the import's transaction and sees what
the caller sees), one task at a time and in order; the caller never touches the connection while the worker has
tasks. While the worker looks up batch N+1 and inserts batch N, the caller reads and checks batch N+2: the database
maintains the table's indexes (the bulk of an import's cost) on the second core instead of after Python is done.

New members go in as plain value tuples: COPY on PostgreSQL (formatted by psycopg on the caller's thread), one
executemany on SQLite. bulk_create would build a model instance per row and prepare every value through its field,
which costs more than reading and checking the row; an import's values are already checked and typed (str, date,
Decimal, ids), and every column the roster does not carry gets its model default, prepared once as the ORM would.
Those are the same in every row: for COPY they are formatted once and appended to each formatted row (the
timestamps and the status enum are the costliest values to format).
"""

import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from django.db import DatabaseError, connection

from ..models import Member
from .rows import ATTNAMES

try:
    from psycopg.copy import Copy, FileWriter
except ImportError:  # a SQLite-only installation
    Copy = FileWriter = None

PINYIN = ("name_pinyin", "name_initials", "name_pinyin_alt")
TIMESTAMPS = ("created_at", "updated_at")
#: ID numbers per lookup on SQLite (its default limit of bound parameters is 999 on older builds).
SQLITE_LOOKUP_CHUNK = 900

Found = list[tuple[str, int, int]]  # (id_number, member pk, org_id)


class RosterWriter:
    """A worker thread on this thread's database connection. lookup() and insert() queue work and return at once;
    a failed insert (a unique violation) comes back, as a django.db error, from a later call or from drain()."""

    def __init__(self, *, now: datetime, job_id: int | None = None) -> None:
        fields = {f.attname: f for f in Member._meta.concrete_fields if not f.primary_key}
        unknown = set(ATTNAMES) - set(fields)
        if unknown:
            raise LookupError(f"roster fields not on Member: {sorted(unknown)}")
        rest = [name for name in fields if name not in ATTNAMES and name not in PINYIN]
        # Every column the roster does not carry: its model default (now for the timestamps, the import's job for
        # import_job), prepared once.
        given = dict.fromkeys(TIMESTAMPS, now) | {"import_job_id": job_id}
        self.constants = tuple(
            fields[name].get_db_prep_save(given[name] if name in given else fields[name].get_default(), connection)
            for name in rest
        )
        quote = connection.ops.quote_name
        table = quote(Member._meta.db_table)
        columns = ", ".join(quote(fields[name].column) for name in (*ATTNAMES, *PINYIN, *rest))
        # The org's path and name come from the caller's org table in memory: no join here.
        self.lookup_sql = (
            f"SELECT {quote('id_number')}, {quote(Member._meta.pk.column)}, {quote('org_id')} FROM {table} "
            f"WHERE {quote('id_number')} "
        )
        self.postgresql = connection.vendor == "postgresql"
        self.mark = "?" if connection.vendor == "sqlite" else "%s"  # the driver's placeholder
        if self.postgresql:
            self.insert_sql = f"COPY {table} ({columns}) FROM STDIN"
            self.lookup_sql += "= ANY(%s)"  # one array parameter: 2,000 separate ones cost more to send than to find
        else:
            width = len(ATTNAMES) + len(PINYIN) + len(rest)
            self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join([self.mark] * width)})"
            self.lookup_sql += "IN ({})"
        self.inserts: list[Future] = []

    def __enter__(self) -> "RosterWriter":
        connection.ensure_connection()
        self.driver = connection.connection
        if self.postgresql:
            # "\t<constants>\n" ends every row. A value's own newline is written as \n (backslash, n): each b"\n"
            # of the formatted data ends a row.
            self.row_end = b"\t" + self._format([self.constants])
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-import")
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        # Let queued work finish before the caller commits or rolls back the connection's transaction.
        self.pool.shutdown(wait=True)

    def _submit(self, task: Callable, *args) -> Future:
        return self.pool.submit(task, *args)

    def lookup(self, numbers: list[str]) -> Future:
        """Future of the members already on the roster with these ID numbers."""
        self._raise_failed()
        return self._submit(self._lookup, numbers)

    def insert(self, rows: list[tuple]) -> None:
        """Queue the insert of rows of (*roster values, pinyin, initials, other readings)."""
        self._raise_failed()
        if self.postgresql:
            self.inserts.append(self._submit(self._copy, self._copy_data(rows)))
        else:
            constants = self.constants
            self.inserts.append(self._submit(self._executemany, [row + constants for row in rows]))

    def drain(self) -> None:
        """Wait for everything queued; raise the first failure."""
        for future in self.inserts:
            self._result(future)
        self.inserts = []

    def result(self, future: Future):
        """A lookup's result. After a failed insert PostgreSQL refuses everything else: raise the insert's error."""
        try:
            return self._result(future)
        except DatabaseError:
            self.drain()
            raise

    def _result(self, future: Future):
        with connection.wrap_database_errors:  # the driver's errors as django.db's (IntegrityError …)
            return future.result()

    def _raise_failed(self) -> None:
        while self.inserts and self.inserts[0].done():
            self._result(self.inserts.pop(0))

    # ---- on the caller's thread, no database I/O ----

    def _copy_data(self, rows: list[tuple]) -> bytes:
        """The rows and the constant columns as COPY data."""
        return self._format(rows).replace(b"\n", self.row_end)

    def _format(self, rows: list[tuple]) -> bytes:
        """Rows as COPY text data, formatted by psycopg (in C) with the connection's adapters."""
        buffer = io.BytesIO()
        with self.driver.cursor() as cursor, Copy(cursor, writer=FileWriter(buffer)) as copy:
            for row in rows:
                copy.write_row(row)
        return buffer.getvalue()

    # ---- on the worker thread: only the driver connection (Django's connection object is per thread) ----

    def _copy(self, data: bytes) -> None:
        with self.driver.cursor() as cursor, cursor.copy(self.insert_sql) as copy:
            copy.write(data)

    def _executemany(self, rows: list[tuple]) -> None:
        cursor = self.driver.cursor()  # noqa: SIM115  (sqlite3 cursors are no context managers)
        try:
            cursor.executemany(self.insert_sql, rows)
        finally:
            cursor.close()

    def _lookup(self, numbers: list[str]) -> Found:
        if self.postgresql:
            with self.driver.cursor() as cursor:
                cursor.execute(self.lookup_sql, [numbers])
                return cursor.fetchall()
        found: Found = []
        cursor = self.driver.cursor()  # noqa: SIM115
        try:
            for start in range(0, len(numbers), SQLITE_LOOKUP_CHUNK):
                chunk = numbers[start : start + SQLITE_LOOKUP_CHUNK]
                marks = ", ".join([self.mark] * len(chunk))
                cursor.execute(self.lookup_sql.format(marks), chunk)
                found.extend(cursor.fetchall())
        finally:
            cursor.close()
        return found
