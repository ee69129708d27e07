"""Periodic work of the meetings app, found by core.extensions and by the task worker (run_huey) by its name."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import cells, flags


@db_periodic_task(crontab(hour="2", minute="30"))
def refresh_flags() -> None:
    """Every night at 02:30: the reminders of organisational life, recomputed for the whole tree (meetings.flags)."""
    flags.refresh_flags()


@db_task()
def refresh_flags_now() -> None:
    """The same, once, on demand (`refresh_flags_now()` enqueues it; the flags page's button)."""
    flags.refresh_flags()


@db_periodic_task(crontab(hour="2", minute="15"))
def refresh_compliance_cells() -> None:
    """Every night at 02:15: the compliance cells (meetings.cells) of every branch recomputed, picking up what the
    meeting writes do not recompute at once (a committee's seats, a new party group, the months that ended)."""
    cells.refresh_all()
