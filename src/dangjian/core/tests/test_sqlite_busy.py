"""SQLite has one writer: while a big import holds the write lock, other users' pages must still be served.

Run against a real SQLite file in WAL mode (the test database is in memory, where locking differs): a child process
serves pages with the project's own settings while this process holds a write transaction on the same file."""

import json
import os
import select
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from dangjian.core.tests.test_settings import SETTINGS_ENV

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite's single write lock; PostgreSQL locks rows, not the database"
    ),
]

CHILD = """
import json, sys, time
from datetime import timedelta
import django
django.setup()
from django.contrib.sessions.models import Session
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone
from dangjian.core.models import Job, User

setup_test_environment()
user = User.objects.create(username="reader", full_name="读者", is_superuser=True)
job = Job.objects.create(kind="members.import", title="导入", created_by=user)
client = Client()
client.force_login(user)
# The session's expiry is due for renewal: a renewal that meets the lock must be skipped, not waited for.
Session.objects.update(expire_date=timezone.now() + timedelta(minutes=2))
print("ready", flush=True)
sys.stdin.readline()
results = []
for url in [reverse("core:home"), reverse("members:list"), reverse("core:job_detail", args=[job.pk])]:
    started = time.monotonic()
    status = client.get(url, HTTP_HX_REQUEST="true" if "jobs" in url else "").status_code
    results.append([url, status, round(time.monotonic() - started, 2)])
print(json.dumps(results), flush=True)
"""


def test_pages_are_served_while_another_connection_holds_the_write_lock(tmp_path):
    path = tmp_path / "db.sqlite3"
    with connection.cursor() as cursor:  # the migrated schema of the test database (tables, then their indexes)
        cursor.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
        schema = [sql for (sql,) in cursor.fetchall()]
    target = sqlite3.connect(path)
    for sql in schema:
        target.execute(sql)
    target.commit()
    target.close()

    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env |= {
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "DANGJIAN_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # what an import's transaction holds until it commits
        writer.execute("UPDATE core_job SET title = title")
        child.stdin.write("go\n")
        child.stdin.flush()
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the pages waited for the write lock"
        results = json.loads(child.stdout.readline())
        writer.execute("ROLLBACK")
        writer.close()
    finally:
        child.kill()
        child.wait()
    for url, status, seconds in results:
        assert status == 200, url
        assert seconds < 5, f"{url} took {seconds}s"
