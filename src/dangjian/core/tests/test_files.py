"""The jobs' files (uploaded rosters, exports): private on disk (0600 in 0700 folders) and deleted after the
retention period, the Job rows kept."""

import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from dangjian.core.files import MSG_FILES_DELETED, job_files_purge
from dangjian.core.models import Job
from dangjian.core.tasks import purge_job_files

pytestmark = pytest.mark.django_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(path: Path, root: Path) -> None:
    """The file 0600; every folder from it up to MEDIA_ROOT, MEDIA_ROOT included, 0700."""
    assert mode(path) == 0o600, oct(mode(path))
    folder = path.parent
    while True:
        assert mode(folder) == 0o700, (folder, oct(mode(folder)))
        if folder == root:
            break
        folder = folder.parent


@pytest.fixture
def media_root(settings) -> Path:
    """MEDIA_ROOT as an older release (or a hand) left it: world-readable."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True)
    root.chmod(0o755)
    return root


CSV = "姓名,性别,公民身份号码\n赵海燕,女,110101199003151228\n".encode()


@pytest.mark.parametrize("in_memory", [True, False], ids=["small upload", "large upload (temporary file)"])
def test_an_uploaded_roster_is_private(world, client_for, media_root, settings, in_memory):
    if not in_memory:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django streams it to a temporary file, then moves it
    client = client_for(world.secretary_a)
    response = client.post(reverse("members:import"), {"file": ContentFile(CSV, name="花名册.csv")})
    assert response.status_code == 302
    job = Job.objects.get(created_by=world.secretary_a)
    assert job.input_file.name.startswith("jobs/in/")
    assert_private(Path(job.input_file.path), media_root)


def test_an_export_is_private(world, client_for, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.secretary_a).post(reverse("members:export"))
    job = Job.objects.get(created_by=world.secretary_a, status=Job.Status.SUCCEEDED)
    assert job.output_file.name.startswith("jobs/out/")
    assert_private(Path(job.output_file.path), media_root)


# Retention


def finished_job(user, *, days_ago: float | None, files: dict[str, str], kind="members.import", **fields) -> Job:
    job = Job.objects.create(
        kind=kind,
        title="花名册导入预检：a.xlsx",
        created_by=user,
        status=Job.Status.SUCCEEDED if days_ago is not None else Job.Status.RUNNING,
        finished_at=timezone.now() - timedelta(days=days_ago) if days_ago is not None else None,
        result={"ok": True, "preview": [{"姓名": "赵海燕", "公民身份号码": "110101199003151228"}]},
        **fields,
    )
    for field, name in files.items():
        getattr(job, field).save(name, ContentFile(b"x"), save=False)
    job.save()
    return job


def on_disk(name: str) -> bool:
    return default_storage.exists(name)


def test_files_of_old_jobs_go_recent_ones_stay_rows_kept(world, clock, settings):
    clock.set(date(2027, 3, 1))
    assert settings.JOB_FILE_RETENTION_DAYS == 7
    user = world.secretary_a
    old = finished_job(user, days_ago=7.1, files={"input_file": "old.xlsx", "output_file": "old_errors.xlsx"})
    old_names = (old.input_file.name, old.output_file.name)
    recent = finished_job(user, days_ago=6.9, files={"input_file": "recent.xlsx"})
    running = finished_job(user, days_ago=None, files={"input_file": "running.xlsx"})
    running.created_at = timezone.now() - timedelta(days=30)  # started long ago, still running: kept
    running.save()

    purged = job_files_purge()

    assert (purged.jobs, purged.files) == (1, 2)
    assert not any(on_disk(name) for name in old_names)
    old.refresh_from_db()  # the row stays, its files named no more
    assert (old.input_file.name, old.output_file.name) == ("", "")
    assert old.result["files_deleted"] == MSG_FILES_DELETED.format(days=7) == "文件已按保留期限（7 天）删除"
    assert "preview" not in old.result and old.result["ok"] is True
    for job in (recent, running):
        job.refresh_from_db()
        assert on_disk(job.input_file.name) and "files_deleted" not in job.result
    assert job_files_purge() == type(purged)(jobs=0, files=0, orphans=0)  # nothing left to do

    clock.set(date(2027, 3, 2))  # a day later the recent one is old too
    assert job_files_purge().jobs == 1
    recent.refresh_from_db()
    assert not recent.input_file and not on_disk("jobs/in/recent.xlsx")


def test_the_retention_period_is_a_setting(world, clock, settings):
    clock.set(date(2027, 3, 1))
    settings.JOB_FILE_RETENTION_DAYS = 30
    job = finished_job(world.admin, days_ago=8, files={"output_file": "roster.xlsx"})
    assert job_files_purge().jobs == 0
    settings.JOB_FILE_RETENTION_DAYS = 2
    assert job_files_purge().jobs == 1
    job.refresh_from_db()
    assert job.result["files_deleted"] == "文件已按保留期限（2 天）删除"


def test_a_preview_upload_shared_with_a_recent_import_stays(world, clock):
    """The confirmed import reads its preview's file (core.jobs.job_start shares it): it goes with the later job."""
    clock.set(date(2027, 3, 1))
    preview = finished_job(world.secretary_a, days_ago=10, files={"input_file": "shared.xlsx"})
    finished_job(world.secretary_a, days_ago=1, files={}, input_file=preview.input_file.name)
    assert job_files_purge().files == 0
    assert on_disk(preview.input_file.name)
    preview.refresh_from_db()
    assert preview.input_file and "files_deleted" not in preview.result


def test_old_files_no_job_names_go(world, clock, settings):
    clock.set(date(2027, 3, 1))
    root = Path(settings.MEDIA_ROOT)
    now = timezone.now().timestamp()
    orphans = {}
    for name, days in (("jobs/in/2027/02/lost.xlsx", 8), ("jobs/out/2027/02/lost.xlsx", 8), ("jobs/in/new.xlsx", 1)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (now - days * 86400, now - days * 86400))
        orphans[name] = path
    named = finished_job(world.admin, days_ago=None, files={"input_file": "running.xlsx"})
    os.utime(named.input_file.path, (now - 30 * 86400, now - 30 * 86400))  # old, but a running job reads it
    elsewhere = root / "other" / "keep.txt"  # outside the jobs' folders: not ours to judge
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"x")
    os.utime(elsewhere, (now - 30 * 86400, now - 30 * 86400))

    assert job_files_purge().orphans == 2
    assert not orphans["jobs/in/2027/02/lost.xlsx"].exists() and not orphans["jobs/out/2027/02/lost.xlsx"].exists()
    assert orphans["jobs/in/new.xlsx"].exists() and Path(named.input_file.path).exists() and elsewhere.exists()


def test_the_periodic_task_purges(world, clock):
    clock.set(date(2027, 3, 1))
    job = finished_job(world.admin, days_ago=9, files={"output_file": "roster.xlsx"})
    purge_job_files.call_local()
    job.refresh_from_db()
    assert not job.output_file and "files_deleted" in job.result


def test_pages_say_the_files_were_deleted(world, client_for, clock):
    clock.set(date(2027, 3, 1))
    export = finished_job(world.secretary_a, days_ago=9, files={"output_file": "roster.xlsx"}, kind="members.export")
    preview = finished_job(world.secretary_a, days_ago=9, files={"input_file": "a.xlsx"}, params={"dry_run": True})
    job_files_purge()
    client = client_for(world.secretary_a)
    page = client.get(reverse("core:job_detail", args=[export.pk])).content.decode()
    assert "文件已按保留期限（7 天）删除" in page and "job-download" not in page
    assert client.get(reverse("core:job_download", args=[export.pk])).status_code == 404
    page = client.get(reverse("members:import_job", args=[preview.pk])).content.decode()
    assert "文件已按保留期限（7 天）删除" in page
    assert "import-confirm" not in page and "110101199003151228" not in page
    assert client.post(reverse("members:import_confirm", args=[preview.pk])).status_code == 404
