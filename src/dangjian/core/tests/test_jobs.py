"""Background jobs: handler registry, progress, output download for the owner only, failures recorded."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dangjian.core import jobs
from dangjian.core.jobs import ERR_JOB_FAILED, JobFailed, job_handler, job_start
from dangjian.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    monkeypatch.setattr(jobs, "_handlers", {})

    @job_handler("test.count")
    def count(job, progress):
        for done in range(1, job.params["n"] + 1):
            progress(done, job.params["n"])
        job.output_file.save("result.txt", ContentFile(b"42"), save=False)
        job.result = {"filename": "result.txt", "rows": job.params["n"]}
        job.message = f"共{job.params['n']}行"

    @job_handler("test.boom")
    def boom(job, progress):
        raise RuntimeError("disk full")

    @job_handler("test.refuse")
    def refuse(job, progress):
        job.result = {"ok": False}
        raise JobFailed("文件超过导入上限")


def test_job_runs_after_commit_and_records_progress(world, handlers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(acting_user=world.secretary_a, kind="test.count", title="计数", params={"n": 5})
        assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING  # not before the commit
    job.refresh_from_db()
    assert (job.status, job.progress, job.total, job.percent) == (Job.Status.SUCCEEDED, 5, 5, 100)
    assert job.result == {"filename": "result.txt", "rows": 5}
    assert job.message == "共5行" and job.finished_at is not None


def test_failed_job_is_marked_with_a_chinese_message(world, handlers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(acting_user=world.secretary_a, kind="test.boom", title="失败", params={})
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, ERR_JOB_FAILED)


def test_a_handler_fails_its_job_with_its_own_message(world, handlers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(acting_user=world.secretary_a, kind="test.refuse", title="拒绝", params={})
    job.refresh_from_db()
    assert (job.status, job.message, job.result) == (Job.Status.FAILED, "文件超过导入上限", {"ok": False})
    assert job.finished_at is not None


def test_unknown_kind_is_refused(world, handlers):
    with pytest.raises(ValueError):
        job_start(acting_user=world.admin, kind="nope", title="x", params={})


def test_owner_polls_progress_and_downloads(world, handlers, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(acting_user=world.secretary_a, kind="test.count", title="计数", params={"n": 3})
    client = client_for(world.secretary_a)
    partial = client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="succeeded"' in partial and "<html" not in partial
    assert "hx-trigger" not in partial  # finished: polling stops
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert b"".join(response.streaming_content) == b"42"
    assert 'filename="result.txt"' in response["Content-Disposition"]


def test_running_job_keeps_polling(world, client_for):
    job = Job.objects.create(
        kind="x", title="导出", created_by=world.admin, status=Job.Status.RUNNING, progress=3, total=10
    )
    page = client_for(world.admin).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "3/10" in page


def test_others_get_404(world, handlers, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(acting_user=world.secretary_a, kind="test.count", title="计数", params={"n": 1})
    for user in (world.admin, world.secretary_b):
        assert client_for(user).get(reverse("core:job_download", args=[job.pk])).status_code == 404
