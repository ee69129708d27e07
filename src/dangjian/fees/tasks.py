"""Periodic work of the fees app, found by core.extensions and by the task worker (run_huey) by its name."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core import clock

from . import ledger


@db_periodic_task(crontab(hour="1", minute="40"))
def generate_ledger() -> None:
    """Every night at 01:40: first bases from the roster for new members, then this month's ledger lines of whoever
    owes it and has none yet (idempotent; on the 1st it writes the whole month)."""
    ledger.seed_roster_bases()
    ledger.generate_month(clock.today())
