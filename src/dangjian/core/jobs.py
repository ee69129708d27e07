"""Background jobs: one mechanism for every long import, export or archive.

A module registers a handler for its job kind; `job_start` saves a Job and enqueues it on Huey; the handler
reports progress through the callback it is given (throttled writes); the job page polls the Job row.

    @job_handler("members.export")
    def export_handler(job: Job, progress: Progress) -> None: ...
"""

import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from huey.contrib.djhuey import db_task

from .models import Job, User

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
Handler = Callable[[Job, Progress], None]
_handlers: dict[str, Handler] = {}

ERR_JOB_FAILED = "任务执行失败，请联系系统管理员查看日志"
PROGRESS_INTERVAL_SECONDS = 0.5


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        return func

    return register


def job_start(
    *, acting_user: User, kind: str, title: str, params: dict, input_file: File | FieldFile | None = None
) -> Job:
    """Save the job and enqueue it once the transaction commits (the worker must see the row)."""
    if kind not in _handlers:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, title=title, created_by=acting_user, params=params)
    if isinstance(input_file, FieldFile):
        job.input_file.name = input_file.name  # already stored (a previewed upload): share it, do not copy
    elif input_file is not None:
        job.input_file.save(Path(input_file.name).name, input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job(job.pk))
    return job


def _progress_writer(job: Job) -> Progress:
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL_SECONDS or done >= total:
            last = now
            Job.objects.filter(pk=job.pk).update(progress=done, total=total, updated_at=timezone.now())
            job.progress, job.total = done, total

    return report


@db_task()
def run_job(job_id: int) -> None:
    job = Job.objects.select_related("created_by").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, updated_at=timezone.now())
    try:
        _handlers[job.kind](job, _progress_writer(job))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.message = Job.Status.FAILED, ERR_JOB_FAILED
    else:
        job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.save()
