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


# lane remit
@db_periodic_task(crontab(hour="2", minute="45"))
def refresh_arrears_flags() -> None:
    """Every night at 02:45 (after the ledger): members unpaid FLAG_UNPAID_MONTHS consecutive months, recomputed for
    the whole tree and stored (fees.arrears); never a status change."""
    from . import arrears

    arrears.refresh_arrears_flags()
