"""Background jobs: one mechanism for every long import, export or archive.

A module registers a handler for its job kind; `job_start` saves a Job and enqueues it on Huey; the handler
reports progress through the callback it is given; the job page polls the Job row.

    @job_handler("members.export", stopped_message="……导出文件未生成，请重新导出。")
    def export_handler(job: Job, progress: Progress) -> None: ...

While the handler runs, a thread of the worker writes the job's heartbeat (`heartbeat_at`) and its latest progress
(done, total, phase) every JOB_HEARTBEAT_SECONDS (progress as often as once a second), on its own database connection:
never inside the handler's transaction (an import's whole write is one transaction; writes in it would show nobody
anything until it commits, and on PostgreSQL would lock the job's row against the heartbeat). A running job whose
heartbeat stopped (older than JOB_STALE_SECONDS) and whose worker no longer beats either (core/workers.py) is marked
failed by `jobs_fail_stopped`, from the worker's periodic task and from the job's page when it polls.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from huey.contrib.djhuey import db_task

from . import workers
from .audit import job_context, request_ip
from .models import Job, User

log = logging.getLogger(__name__)

Progress = Callable[..., None]  # progress(done, total, phase="") — phase: what is being done, "正在写入 200 / 500 行"
Handler = Callable[[Job, Progress], None]
_handlers: dict[str, Handler] = {}
_stopped_messages: dict[str, str] = {}

ERR_JOB_FAILED = "任务执行失败，请联系系统管理员查看日志"
ERR_WORKER_STOPPED = "后台任务进程在处理中途停止（可能已重启或崩溃），任务未完成，请重新发起。"
MSG_NO_WORKER = (
    "后台任务进程似乎没有运行：任务已排队 {seconds} 秒仍未开始。请联系系统管理员启动任务进程（dangjian run_huey）；"
    "任务进程启动后会自动开始，无需重新提交。"
)
MSG_QUEUED_BEHIND = "后台任务进程正忙：任务已排队 {seconds} 秒，前面还有 {ahead} 个任务，完成后会自动开始。"
PROGRESS_INTERVAL_SECONDS = 1.0
#: How long the heartbeat thread waits for SQLite's write lock before trying again at its next tick.
HEARTBEAT_BUSY_TIMEOUT_MS = 1000
PHASE_MAX = Job._meta.get_field("phase").max_length


class JobFailed(Exception):
    """Raised by a handler to end its job as failed with a message for the user (Chinese), e.g. an import whose file
    is refused; what the handler put in job.result is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def job_handler(kind: str, *, stopped_message: str = ERR_WORKER_STOPPED) -> Callable[[Handler], Handler]:
    """Register the handler of `kind`; `stopped_message` is the job's message if its worker dies half-way
    (say what the user has, e.g. that an all-or-nothing import wrote nothing)."""

    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        _stopped_messages[kind] = stopped_message
        return func

    return register


def job_start(
    *, acting_user: User, kind: str, title: str, params: dict, input_file: File | FieldFile | None = None
) -> Job:
    """Save the job and enqueue it once the transaction commits (the worker must see the row)."""
    if kind not in _handlers:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, title=title, created_by=acting_user, params=params, remote_addr=request_ip())
    if isinstance(input_file, FieldFile):
        job.input_file.name = input_file.name  # already stored (a previewed upload): share it, do not copy
    elif input_file is not None:
        job.input_file.save(Path(input_file.name).name, input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job(job.pk))
    return job


class _Heartbeat(threading.Thread):
    """Writes the running job's heartbeat and latest progress on this thread's own database connection."""

    def __init__(self, job_id: int) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.state: tuple[int, int, str] | None = None  # the handler's latest (done, total, phase)
        self._written: tuple[int, int, str] | None = None
        self._done = threading.Event()

    def report(self, done: int, total: int, phase: str = "") -> None:
        """The handler's progress callback: only remembered here (one tuple assignment, atomic); the thread writes."""
        self.state = (done, total, phase[:PHASE_MAX])

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        try:
            last_beat = time.monotonic()
            while not self._done.wait(PROGRESS_INTERVAL_SECONDS):
                state = self.state
                beat_due = time.monotonic() - last_beat >= settings.JOB_HEARTBEAT_SECONDS
                if (state == self._written or state is None) and not beat_due:
                    continue
                if self._write(state):
                    last_beat, self._written = time.monotonic(), state
        finally:
            connections.close_all()  # this thread's own connection, never the handler's

    def _write(self, state: tuple[int, int, str] | None) -> bool:
        now = timezone.now()
        fields: dict = {"heartbeat_at": now, "updated_at": now}
        if state is not None:
            fields |= dict(zip(("progress", "total", "phase"), state, strict=True))
        try:
            if connection.vendor == "sqlite" and connection.connection is None:
                connection.ensure_connection()
                with connection.cursor() as cursor:  # a busy database: give up quickly, try again next tick
                    cursor.execute(f"PRAGMA busy_timeout = {HEARTBEAT_BUSY_TIMEOUT_MS}")
            # Only while it runs: a job already marked failed (or finished) is not brought back.
            Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
        except DatabaseError:
            log.info("job %s: heartbeat not written (database busy), trying again", self.job_id, exc_info=True)
            return False
        return True


@db_task()
def run_job(job_id: int) -> None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=workers.worker_name(), updated_at=now
    )
    if not claimed:  # already run, or marked failed meanwhile: never run twice
        log.warning("job %s is no longer pending; not run", job_id)
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    try:
        with job_context(actor=job.created_by, remote_addr=job.remote_addr, job_id=job.pk):
            _handlers[job.kind](job, heartbeat.report)
    except JobFailed as failed:
        log.info("job %s (%s) failed: %s", job.pk, job.kind, failed.message)
        job.status, job.message = Job.Status.FAILED, failed.message
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.message = Job.Status.FAILED, ERR_JOB_FAILED
    else:
        job.status = Job.Status.SUCCEEDED
    finally:
        heartbeat.stop()
    if heartbeat.state is not None:
        job.progress, job.total = heartbeat.state[:2]
    job.phase = ""
    job.finished_at = timezone.now()
    job.save()


def _stale_q(cutoff: datetime) -> Q:
    return Q(status=Job.Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    )


def jobs_stopped(*, now: datetime) -> list[int]:
    """The running jobs whose heartbeat is older than JOB_STALE_SECONDS and whose worker has not beaten as long."""
    window = settings.JOB_STALE_SECONDS
    candidates = Job.objects.filter(_stale_q(now - timedelta(seconds=window))).values_list("pk", "worker")
    return [pk for pk, worker in candidates if not (worker and workers.seen_within(window, worker))]


def jobs_fail_stopped(*, now: datetime | None = None) -> int:
    """Mark failed every running job whose heartbeat stopped and whose worker no longer beats; returns how many.

    The job's heartbeat alone is not enough on SQLite: while an import holds the database's write lock nobody else
    writes, its heartbeat thread included. Its worker's own heartbeat (in Huey's store) goes on, so a job is failed
    only when both stopped. Reads first and writes only when there is something to mark (a poll must not wait for the
    write lock for nothing); the marking itself is one UPDATE, with each kind's own message.
    """
    now = now or timezone.now()
    stopped = jobs_stopped(now=now)
    if not stopped:
        return 0
    message = Case(
        *(When(kind=kind, then=Value(text)) for kind, text in _stopped_messages.items()),
        default=Value(ERR_WORKER_STOPPED),
    )
    marked = (
        Job.objects.filter(pk__in=stopped)
        .filter(_stale_q(now - timedelta(seconds=settings.JOB_STALE_SECONDS)))
        .update(status=Job.Status.FAILED, message=message, phase="", finished_at=now, updated_at=now)
    )
    if marked:
        log.warning("marked %s background job(s) failed: their worker stopped", marked)
    return marked


def job_poll(job: Job) -> str:
    """What the job's page adds while it waits: a job whose worker died is marked failed now (`job` refreshed), and
    a job nobody has started for JOB_PICKUP_WARN_SECONDS says why (the worker is down, or busy)."""
    now = timezone.now()
    if job.status == Job.Status.RUNNING:
        beat = job.heartbeat_at or job.updated_at
        if now - beat > timedelta(seconds=settings.JOB_STALE_SECONDS):
            try:
                jobs_fail_stopped(now=now)
            except DatabaseError:  # the database is busy (SQLite's writer): the next poll tries again
                log.info("job %s: stale check skipped, database busy", job.pk, exc_info=True)
            job.refresh_from_db()
        return ""
    if job.status != Job.Status.PENDING:
        return ""
    waited = int((now - job.created_at).total_seconds())
    if waited < settings.JOB_PICKUP_WARN_SECONDS:
        return ""
    if not workers.any_alive():
        return MSG_NO_WORKER.format(seconds=waited)
    # Jobs are not org-scoped: counting everyone's unfinished jobs ahead of this one discloses only a number.
    ahead = Job.objects.filter(
        status__in=[Job.Status.PENDING, Job.Status.RUNNING], created_at__lt=job.created_at
    ).count()
    return MSG_QUEUED_BEHIND.format(seconds=waited, ahead=ahead)
