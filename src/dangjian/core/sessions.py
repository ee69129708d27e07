"""Database sessions whose idle expiry is renewed at most once a SESSION_RENEW_SECONDS, not by every request.

Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every page view. On SQLite every write waits for the
one writer (a big import holds the write lock for its whole transaction): with it, a page that only reads waited
and then failed with "database is locked". Here a request writes the row only when the session changed (Django's
own rule) or when the row's expiry was last pushed out more than SESSION_RENEW_SECONDS ago; a session still dies
after SESSION_COOKIE_AGE without a request (give or take that interval). A renewal that finds the database busy is
skipped (the next request renews): the page is served either way.
"""

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger(__name__)

#: How long a renewal waits for SQLite's write lock before giving up (the page must not wait for an import).
RENEW_BUSY_TIMEOUT_MS = 200


class SessionStore(DbSessionStore):
    row_expiry: datetime | None = None  # the expiry the row had when this request loaded it

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.row_expiry = row.expire_date if row is not None else None
        return row

    def renewal_due(self) -> bool:
        """The row's expiry was last pushed out more than SESSION_RENEW_SECONDS ago."""
        if self.row_expiry is None:
            return False
        renewed_at = self.row_expiry - timedelta(seconds=self.get_session_cookie_age())
        return timezone.now() - renewed_at >= timedelta(seconds=settings.SESSION_RENEW_SECONDS)


@contextmanager
def _short_busy_wait():
    """On SQLite, wait only briefly for the write lock (restored to the configured timeout afterwards)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {RENEW_BUSY_TIMEOUT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(settings.SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, plus the throttled renewal of an unchanged session's expiry."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            isinstance(session, SessionStore)
            and session.accessed
            and not session.modified
            and not session.is_empty()
            and session.renewal_due()
            and response.status_code < 500
        ):
            try:
                with _short_busy_wait():
                    session.save()
            except (DatabaseError, UpdateError):  # Django's db backend turns the busy error into UpdateError
                log.info("session renewal skipped: the database is busy")
        return super().process_response(request, response)
