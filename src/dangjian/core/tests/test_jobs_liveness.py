"""Jobs that never end: a running job's heartbeat, a dead worker's job failed (by the periodic task and by the page's
poll), a pending job's page saying the worker seems down, and the health report with its exit code."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.core import health as health_module
from dangjian.core import jobs, tasks, workers
from dangjian.core.health import health_checks
from dangjian.core.jobs import ERR_WORKER_STOPPED, MSG_NO_WORKER, job_handler, jobs_fail_stopped
from dangjian.core.models import Job
from dangjian.members.exports import ERR_EXPORT_STOPPED, EXPORT_KIND
from dangjian.members.importer.jobs import ERR_IMPORT_STOPPED, IMPORT_KIND

pytestmark = pytest.mark.django_db

DEAD = "old-host:4242"


@pytest.fixture(autouse=True)
def no_worker_beats():
    """Each test starts with no worker heartbeat in Huey's (in-memory, per process) store."""
    HUEY.storage.flush_results()
    yield
    HUEY.storage.flush_results()


def running(user, *, kind=IMPORT_KIND, beat_ago: int, worker: str = DEAD) -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind=kind,
        title="花名册导入：a.xlsx",
        created_by=user,
        status=Job.Status.RUNNING,
        started_at=now - timedelta(seconds=beat_ago + 10),
        heartbeat_at=now - timedelta(seconds=beat_ago),
        worker=worker,
        phase="正在检查并写入第 2000 / 5000 行",
    )


@pytest.fixture
def frozen(time_machine):
    """Time stands still at now (on the moved day, when the suite runs on one) until the test shifts it."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


# ---- a worker that died half-way ---------------------------------------------------------------------------------


def test_the_periodic_task_fails_jobs_whose_worker_died_with_each_kinds_message(world):
    imported = running(world.secretary_a, beat_ago=61)
    exported = running(world.secretary_a, kind=EXPORT_KIND, beat_ago=300)
    other = running(world.secretary_a, kind="test.other", beat_ago=61)
    fresh = running(world.secretary_a, beat_ago=5)

    tasks.fail_stopped_jobs.call_local()

    for job in (imported, exported, other, fresh):
        job.refresh_from_db()
    assert (imported.status, imported.message) == (Job.Status.FAILED, ERR_IMPORT_STOPPED)
    assert "本次导入未写入任何数据" in imported.message and imported.finished_at and imported.phase == ""
    assert (exported.status, exported.message) == (Job.Status.FAILED, ERR_EXPORT_STOPPED)
    assert (other.status, other.message) == (Job.Status.FAILED, ERR_WORKER_STOPPED)
    assert fresh.status == Job.Status.RUNNING


def test_a_job_whose_worker_still_beats_is_not_failed(world):
    """On SQLite a big import holds the write lock, so its row's heartbeat cannot be written; its worker's can."""
    job = running(world.secretary_a, beat_ago=120, worker="busy-host:7")
    workers.worker_beat("busy-host:7")
    assert jobs_fail_stopped() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_the_page_poll_reports_a_dead_workers_job_without_any_worker(world, client_for):
    job = running(world.secretary_a, beat_ago=90)
    client = client_for(world.secretary_a)
    partial = client.get(reverse("members:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="failed"' in partial and ERR_IMPORT_STOPPED in partial
    assert "hx-trigger" not in partial  # finished: the page stops polling
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_core_job_page_marks_it_too_and_leaves_a_live_job_alone(world, client_for):
    dead = running(world.secretary_a, kind=EXPORT_KIND, beat_ago=90)
    live = running(world.secretary_a, kind=EXPORT_KIND, beat_ago=2)
    client = client_for(world.secretary_a)
    page = client.get(reverse("core:job_detail", args=[dead.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="failed"' in page and ERR_EXPORT_STOPPED in page
    page = client.get(reverse("core:job_detail", args=[live.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="running"' in page and "正在检查并写入第 2000 / 5000 行" in page


def test_a_late_task_does_not_run_a_job_already_failed(world, monkeypatch):
    ran = []
    monkeypatch.setattr(jobs, "_handlers", {})
    job_handler("test.late")(lambda job, progress: ran.append(job.pk))
    job = Job.objects.create(kind="test.late", title="x", created_by=world.admin, status=Job.Status.FAILED)
    jobs.run_job.call_local(job.pk)
    assert ran == []


# ---- the heartbeat of a running job ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_and_shows_its_progress_while_the_handler_works(settings, monkeypatch):
    """The heartbeat thread writes on its own connection, outside the handler's transaction: the row shows the
    heartbeat and the latest progress while the handler works, on PostgreSQL even inside its own transaction (an
    import's). SQLite has one writer: while a handler's transaction is open nobody writes, the heartbeat thread
    included, which is why a job is failed only once its worker's own beat stopped too (the test above)."""
    from contextlib import nullcontext

    from django.db import connection, transaction

    from dangjian.core.tests.factories import UserFactory

    settings.JOB_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL_SECONDS", 0.02)
    monkeypatch.setattr(jobs, "_handlers", {})
    seen = {}

    @job_handler("test.slow")
    def slow(job, progress):
        with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
            progress(3, 10, "正在写入 3 / 10 行")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                # A separate read of the row, as the polling page does (the thread's writes are committed).
                row = Job.objects.filter(pk=job.pk).values("heartbeat_at", "phase", "progress").get()
                if row["phase"]:
                    seen.update(row)
                    break
                time.sleep(0.02)

    user = UserFactory()
    job = Job.objects.create(kind="test.slow", title="慢", created_by=user)
    jobs.run_job.call_local(job.pk)
    job.refresh_from_db()
    assert seen["phase"] == "正在写入 3 / 10 行" and seen["progress"] == 3
    assert seen["heartbeat_at"] >= job.started_at
    assert job.status == Job.Status.SUCCEEDED and job.phase == "" and job.worker == workers.worker_name()
    assert (job.progress, job.total) == (3, 10)


def test_the_worker_heartbeat_thread_beats_and_stops(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    tasks.start_worker_heartbeat()
    tasks.start_worker_heartbeat()  # the second worker thread: still one heartbeat thread
    deadline = time.monotonic() + 5
    while workers.last_seen(workers.worker_name()) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers.any_alive() and workers.seen_within(1, workers.worker_name())
    tasks.stop_worker_heartbeat()
    assert workers.last_seen(workers.worker_name()) is None


# ---- a job nobody picks up ---------------------------------------------------------------------------------------


def pending(user) -> Job:
    return Job.objects.create(kind=IMPORT_KIND, title="花名册导入预检：a.xlsx", created_by=user)


def test_a_pending_job_says_after_15_seconds_that_no_worker_runs(world, client_for, frozen):
    job = pending(world.secretary_a)
    client = client_for(world.secretary_a)
    url = reverse("members:import_job", args=[job.pk])
    frozen.shift(timedelta(seconds=10))
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "job-notice" not in page and "排队等待后台任务进程" in page

    frozen.shift(timedelta(seconds=10))
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert MSG_NO_WORKER.format(seconds=20) in page
    assert "dangjian run_huey" in page and 'hx-trigger="every 1s"' in page  # still pending, still polling
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING


def test_a_pending_job_behind_others_says_the_worker_is_busy(world, client_for, frozen):
    Job.objects.create(kind=EXPORT_KIND, title="导出", created_by=world.admin, status=Job.Status.RUNNING,
                       heartbeat_at=timezone.now(), worker="w:1")  # fmt: skip
    frozen.shift(timedelta(seconds=1))
    job = pending(world.secretary_a)
    frozen.shift(timedelta(seconds=30))
    workers.worker_beat("w:1")
    page = client_for(world.secretary_a).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "后台任务进程正忙：任务已排队 30 秒，前面还有 1 个任务" in page
    assert "似乎没有运行" not in page


# ---- health ------------------------------------------------------------------------------------------------------


@pytest.fixture
def with_worker(monkeypatch):
    """As deployed: tasks go to a worker (the tests run them inline; Huey's store stays the in-memory one)."""
    monkeypatch.setattr(health_module, "tasks_run_inline", lambda: False)


def health() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("health", stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_health_is_ok_with_a_live_worker_and_an_empty_queue(with_worker):
    workers.worker_beat("w:1")
    code, text = health()
    assert code == 0, text
    assert "[正常] 数据库 · 连接：可用" in text and "[正常] 数据库 · 数据库迁移：已全部执行" in text
    assert "[正常] 任务进程 · 最近心跳：0 秒前" in text
    assert "[正常] 任务队列 · 排队中：0 个" in text and "[正常] 任务队列 · 心跳停止的任务：无" in text
    assert text.rstrip().endswith("系统状态：正常")


def test_health_fails_without_a_worker_and_with_a_stopped_job(with_worker, world, frozen):
    running(world.admin, beat_ago=600)
    Job.objects.create(kind=IMPORT_KIND, title="x", created_by=world.admin)
    frozen.shift(timedelta(seconds=40))
    code, text = health()
    assert code == 1
    assert "[异常] 任务进程 · 最近心跳：从未收到" in text
    assert "[异常] 任务队列 · 最早排队：40 秒前，没有任务进程在处理" in text
    assert "[异常] 任务队列 · 心跳停止的任务：1 个" in text
    assert "系统状态：异常（3 项）" in text


def test_health_reports_a_worker_that_stopped_beating(with_worker, frozen):
    workers.worker_beat("w:1")
    frozen.shift(timedelta(seconds=16))
    code, text = health()
    assert code == 1 and "[异常] 任务进程 · 最近心跳：16 秒前：任务进程似乎没有运行" in text


def test_health_page_for_admins_and_the_probe_for_anyone(world, client_for, client):
    page = client_for(world.admin).get(reverse("core:health"))
    assert page.status_code == 200 and "数据库迁移" in page.content.decode()
    assert client_for(world.secretary_a).get(reverse("core:health")).status_code == 404
    client.logout()
    probe = client.get(reverse("core:healthz"))
    assert probe.status_code == 200 and probe.json() == {"status": "ok"}  # the tests run tasks inline
    assert [c.label for c in health_checks() if not c.ok] == []


def test_the_probe_says_only_error_when_something_is_wrong(client, with_worker):
    probe = client.get(reverse("core:healthz"))
    assert probe.status_code == 503 and probe.json() == {"status": "error"}
