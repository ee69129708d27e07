"""Periodic work of core, found by core.extensions and by the task worker (run_huey) by its name."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .files import job_files_purge


@db_periodic_task(crontab(minute="23"))
def purge_job_files() -> None:
    """Every hour: the files of jobs past JOB_FILE_RETENTION_DAYS, and orphans as old (core/files.py)."""
    job_files_purge()
