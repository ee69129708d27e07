"""Periodic work of the study app, found by core.extensions and by the task worker (run_huey) by its name."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="2", minute="45"))
def refresh_study_hours() -> None:
    """Every night at 02:45: every member's 学时 of this year and last recomputed (services.refresh_all), a safety
    net for anything a write did not recompute at once (rows loaded in bulk, a meeting changed outside the services)."""
    services.refresh_all()
