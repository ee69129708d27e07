"""Core's periodic work and worker hooks, found by core.extensions and by the task worker (run_huey) by its name."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from . import workers
from .files import job_files_purge
from .jobs import jobs_fail_stopped


@db_periodic_task(crontab(minute="*"))
def fail_stopped_jobs() -> None:
    """Jobs whose worker died half-way (killed, restarted) are marked failed with a message saying so."""
    jobs_fail_stopped()


@db_periodic_task(crontab(minute="23"))
def purge_job_files() -> None:
    """Every hour: the files of jobs past JOB_FILE_RETENTION_DAYS, and orphans as old (core/files.py)."""
    job_files_purge()


@HUEY.on_startup()
def start_worker_heartbeat() -> None:
    """Each worker thread calls this as it starts; the process's one heartbeat thread starts with the first."""
    workers.start_heartbeat()


@HUEY.on_shutdown()
def stop_worker_heartbeat() -> None:
    workers.stop_heartbeat()
