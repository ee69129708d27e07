"""Is a task worker (`dangjian run_huey`) alive? Each worker process says so every JOB_HEARTBEAT_SECONDS.

Where the heartbeat lives: in Huey's own key-value storage (`HUEY.put`), not in the application's database. It is the
same store the worker already depends on with either backend (the SQLite file var/huey.sqlite3, or Redis when
REDIS_URL is set), every web process reaches it to enqueue jobs, and on SQLite it is a different file: the
application database's single write lock, held by a big import for its whole transaction, cannot stop the worker
from saying it is alive (a heartbeat row in the application database would then look dead exactly while the worker
is busiest). The local-memory cache is per process, so it could not carry it either.

Keys: one per worker process, `dangjian:worker:<host>:<pid>` → the time it last beat (removed when it stops
cleanly), and `dangjian:worker:last` → {"name", "seen"} of the last beat of any worker (the health report).
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from huey.contrib.djhuey import HUEY

log = logging.getLogger(__name__)

KEY_PREFIX = "dangjian:worker:"
LAST_KEY = "dangjian:worker:last"

_started = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alive_window() -> float:
    """A worker that has not beaten for this long is taken as not running (three missed beats)."""
    return 3 * settings.JOB_HEARTBEAT_SECONDS


def worker_beat(name: str | None = None) -> None:
    name = name or worker_name()
    now = time.time()
    HUEY.put(KEY_PREFIX + name, now)
    HUEY.put(LAST_KEY, {"name": name, "seen": now})


def worker_gone(name: str | None = None) -> None:
    HUEY.delete(KEY_PREFIX + (name or worker_name()))


def last_seen(name: str | None = None) -> float | None:
    """When the named worker (or, without a name, any worker) last beat, as a POSIX time; None if never."""
    if name is None:
        last = HUEY.get(LAST_KEY, peek=True)
        return last["seen"] if last else None
    return HUEY.get(KEY_PREFIX + name, peek=True)


def seen_within(seconds: float, name: str | None = None) -> bool:
    """Whether the worker beat within `seconds`; an unreachable store counts as no (it is the worker's own)."""
    try:
        seen = last_seen(name)
    except Exception:  # the Huey store itself is down (Redis unreachable): the worker cannot be working either
        log.warning("cannot read the task worker's heartbeat", exc_info=True)
        return False
    return seen is not None and time.time() - seen <= seconds


def any_alive() -> bool:
    return seen_within(alive_window())


def start_heartbeat() -> None:
    """Start this process's heartbeat thread (once, whichever worker thread asks first)."""
    global _thread
    with _started:
        if _thread is not None and _thread.is_alive():
            return
        _stop.clear()
        _thread = threading.Thread(target=_beat_forever, name="worker-heartbeat", daemon=True)
        _thread.start()


def stop_heartbeat() -> None:
    _stop.set()
    try:
        worker_gone()
    except Exception:
        log.warning("cannot remove the task worker's heartbeat", exc_info=True)


def _beat_forever() -> None:
    name = worker_name()
    while True:
        try:
            worker_beat(name)
        except Exception:  # the store is busy or away for a moment: the next beat tries again
            log.warning("task worker heartbeat failed", exc_info=True)
        if _stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            return
