"""Roster (花名册) import: read .xlsx/.xls/.csv, map the columns, check every row, write all rows or none.

report = import_members(acting_user=user, path=path, filename="花名册.xlsx", org=branch, dry_run=True)
if not report.ok:
    write_error_report(path=path, report=report, out=response)
"""

from .report import ERROR_COLUMN, ImportReport, RowError, absent_note, summary, write_error_report
from .services import import_members

__all__ = [
    "ERROR_COLUMN",
    "ImportReport",
    "RowError",
    "absent_note",
    "import_members",
    "summary",
    "write_error_report",
]
