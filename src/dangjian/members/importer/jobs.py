"""The roster import as a background job (the import page starts it; core's job page shows progress).

params: {"org_id": int | None, "update": bool, "dry_run": bool, "filename": str (the name as uploaded, optional)}.
result: the ImportReport as a dict (dataclasses.asdict) plus "ok" and "error_count"; errors are listed up to
MAX_RESULT_ERRORS. result["filename"] is the imported file's name, except when rows are bad: then job.output_file is
the error report (every row, with 错误原因) and result["filename"] its download name, 导入错误报告.xlsx.
job.message is the one-line Chinese summary (the command line prints the same). A file that cannot be read or breaks
a limit (a hostile one) fails the job (core.jobs.JobFailed) with that summary; the result is kept.
"""

import dataclasses
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File

from dangjian.core.jobs import JobFailed, Progress
from dangjian.core.models import Job
from dangjian.orgs.models import Organization

from .report import ERROR_REPORT_FILENAME, ImportReport, RowError, summary, write_error_report
from .services import import_members

IMPORT_KIND = "members.import"
#: The job's message when its worker died half-way: the import is one transaction, so nothing was written.
ERR_IMPORT_STOPPED = "后台任务进程在处理中途停止（可能已重启或崩溃），本次导入未写入任何数据，请重新导入。"
#: Errors kept in job.result (a file where every row is bad would put 100,000 of them in one database row).
MAX_RESULT_ERRORS = 1000


def report_dict(report: ImportReport) -> dict:
    data = dataclasses.asdict(report)
    data["ok"] = report.ok
    data["error_count"] = len(report.errors)
    data["errors"] = data["errors"][:MAX_RESULT_ERRORS]
    return data


def import_job(job: Job, progress: Progress) -> None:
    """Import (or, with dry_run, check) the uploaded file as the user who started the job."""
    params = job.params
    filename = params.get("filename") or Path(job.input_file.name).name
    org = Organization.objects.get(pk=params["org_id"]) if params.get("org_id") else None
    try:
        report = import_members(
            acting_user=job.created_by,
            path=job.input_file.path,
            filename=filename,
            org=org,
            update=bool(params.get("update")),
            dry_run=bool(params.get("dry_run")),
            progress=progress,
            job=job,
        )
    except (PermissionDenied, ValidationError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        report = ImportReport(filename=filename, dry_run=bool(params.get("dry_run")), errors=[RowError(0, "", message)])
    job.result = report_dict(report)
    if report.refused:  # the file could not be read, or broke a limit: a failed job, with the reason
        raise JobFailed(summary(report))
    if report.bad_rows:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "errors.xlsx"
            write_error_report(path=job.input_file.path, report=report, out=out)
            with out.open("rb") as data:
                job.output_file.save("import_errors.xlsx", File(data), save=False)
        job.result["filename"] = ERROR_REPORT_FILENAME
    job.message = summary(report)
