"""Is the system working? The database, the task worker and the job queue, as a list of checks.

Shown by `dangjian health` (exit code 1 when a check fails), by the 系统状态 page (administrators), and summed up
as ok / not ok, with no detail, by the unauthenticated /healthz (for a load balancer or a monitoring probe).
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from . import workers
from .jobs import jobs_stopped
from .models import Job

log = logging.getLogger(__name__)

DATABASE, WORKER, QUEUE = "数据库", "任务进程", "任务队列"


@dataclass(frozen=True)
class Check:
    section: str
    label: str
    value: str
    ok: bool = True

    def __str__(self) -> str:
        return f"[{'正常' if self.ok else '异常'}] {self.section} · {self.label}：{self.value}"


def _ago(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    if seconds < 120:
        return f"{seconds} 秒前"
    if seconds < 7200:
        return f"{seconds // 60} 分钟前"
    return f"{seconds // 3600} 小时前"


def _database() -> list[Check]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return [Check(DATABASE, "连接", f"无法连接（{error}）", ok=False)]
    checks = [Check(DATABASE, "连接", "可用")]
    if connection.vendor == "sqlite":
        import sqlite3

        checks.append(Check(DATABASE, "类型", f"SQLite {sqlite3.sqlite_version}"))
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0].lower()
        if connection.is_in_memory_db():
            checks.append(Check(DATABASE, "日志模式", f"{mode}（内存数据库，仅用于测试）"))
        else:
            checks.append(
                Check(
                    DATABASE,
                    "日志模式",
                    mode if mode == "wal" else f"{mode}（应为 WAL，否则导入期间其他用户无法访问）",
                    ok=mode == "wal",
                )
            )
    else:
        major, minor = divmod(connection.pg_version, 10000)
        checks.append(Check(DATABASE, "类型", f"PostgreSQL {major}.{minor}"))
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks.append(
        Check(
            DATABASE,
            "数据库迁移",
            f"有 {len(unapplied)} 项未执行（请运行 dangjian migrate）" if unapplied else "已全部执行",
            ok=not unapplied,
        )
    )
    return checks


def tasks_run_inline() -> bool:
    """Huey's immediate mode (HUEY_IMMEDIATE=1, the tests): tasks run in the web process, no worker is needed."""
    return HUEY.immediate


def _worker() -> list[Check]:
    backend = "Redis" if "Redis" in type(HUEY).__name__ else "SQLite 文件"
    if tasks_run_inline():
        return [Check(WORKER, "运行方式", "立即执行模式：任务在网站进程内执行，无需任务进程")]
    checks = []
    try:
        queued = HUEY.pending_count()
        seen = workers.last_seen()
    except Exception as error:  # the Huey store itself (Redis) is unreachable
        log.warning("health: the task store is unreachable", exc_info=True)
        return [Check(WORKER, "任务存储", f"{backend}，无法访问（{error}）", ok=False)]
    checks.append(Check(WORKER, "任务存储", f"{backend}，可用；其中待取任务 {queued} 个"))
    if seen is None:
        checks.append(Check(WORKER, "最近心跳", "从未收到：任务进程没有运行过（请启动 dangjian run_huey）", ok=False))
    else:
        age = time.time() - seen
        alive = age <= workers.alive_window()
        text = _ago(age) + ("" if alive else "：任务进程似乎没有运行（请启动 dangjian run_huey）")
        checks.append(Check(WORKER, "最近心跳", text, ok=alive))
    return checks


def _queue(*, worker_ok: bool) -> list[Check]:
    now = timezone.now()
    try:
        # Every job, whoever started it: this is the operator's view of the queue (no personal data in it).
        unfinished = Job.objects.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING])
        pending = unfinished.filter(status=Job.Status.PENDING)
        pending_count = pending.count()
        oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
        running = unfinished.filter(status=Job.Status.RUNNING).count()
        stale = len(jobs_stopped(now=now))
    except DatabaseError:
        return []  # the database check already says why
    checks = [Check(QUEUE, "排队中", f"{pending_count} 个")]
    if oldest is not None:
        waited = (now - oldest).total_seconds()
        stuck = waited > settings.JOB_PICKUP_WARN_SECONDS and not worker_ok
        checks.append(Check(QUEUE, "最早排队", _ago(waited) + ("，没有任务进程在处理" if stuck else ""), ok=not stuck))
    checks.append(Check(QUEUE, "进行中", f"{running} 个"))
    checks.append(
        Check(
            QUEUE,
            "心跳停止的任务",
            f"{stale} 个（超过 {settings.JOB_STALE_SECONDS} 秒没有心跳，任务进程也已停止；将被标记为失败）"
            if stale
            else "无",
            ok=not stale,
        )
    )
    return checks


def health_checks() -> list[Check]:
    database = _database()
    worker = _worker()
    checks = database + worker
    if all(check.ok for check in database[:1]):
        checks += _queue(worker_ok=all(check.ok for check in worker))
    return checks


def healthy(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)
