"""Periodic work of the members app, found by core.extensions and by the task worker (run_huey) by its name."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import stats

_EVERY = max(1, min(settings.STATS_PRECOMPUTE_MINUTES, 60))


@db_periodic_task(crontab(minute=f"*/{_EVERY}"))
def precompute_stats() -> None:
    """The member statistics of big scopes, counted ahead (also enqueued after each import)."""
    stats.refresh_snapshots()
