"""The members.import job: the web UI's upload runs import_members as the user who started it."""

from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.jobs import job_start
from dangjian.core.models import Job
from dangjian.members.importer import ERROR_COLUMN
from dangjian.members.importer.jobs import IMPORT_KIND
from dangjian.members.importer.report import ERROR_REPORT_FILENAME
from dangjian.members.importer.targets import ERR_BRANCH_FORBIDDEN, ERR_BRANCH_UNKNOWN
from dangjian.members.models import Member
from dangjian.members.validators import ERR_PHONE

from .test_importer_support import good_row, write_xlsx

pytestmark = pytest.mark.django_db


def start(user, path: Path, capture, **params) -> Job:
    with capture(execute=True), path.open("rb") as upload:
        job = job_start(
            acting_user=user,
            kind=IMPORT_KIND,
            title="导入党员花名册",
            params={"org_id": None, "update": False, "dry_run": False, "filename": "花名册.xlsx", **params},
            input_file=File(upload, name=path.name),
        )
    job.refresh_from_db()
    return job


def test_the_job_imports_as_its_user_and_reports(world, tmp_path, django_capture_on_commit_callbacks):
    rows = [good_row(所在党支部=""), good_row()]
    job = start(
        world.secretary_a, write_xlsx(tmp_path / "in.xlsx", rows), django_capture_on_commit_callbacks,
        org_id=world.branch_a.pk,
    )  # fmt: skip
    assert job.status == Job.Status.SUCCEEDED
    assert job.message == "导入完成：共2行，新增2名党员，更新0名党员"
    assert job.result["ok"] is True and job.result["created"] == 2 and job.result["filename"] == "花名册.xlsx"
    assert job.result["errors"] == [] and job.result["error_count"] == 0
    assert job.result["mapping"][0] == ["姓名", "姓名"]
    assert (job.progress, job.total) == (2, 2)
    assert not job.output_file
    assert Member.objects.filter(org=world.branch_a, id_number__in=[r["公民身份号码"] for r in rows]).count() == 2


def test_a_dry_run_job_is_the_preview(world, tmp_path, django_capture_on_commit_callbacks):
    before = Member.objects.count()
    job = start(world.secretary_a, write_xlsx(tmp_path / "in.xlsx", [good_row()]), django_capture_on_commit_callbacks,
                dry_run=True)  # fmt: skip
    assert job.result["ok"] and job.result["dry_run"] and job.result["preview"][0]["姓名"] == "赵海燕"
    assert Member.objects.count() == before


def test_bad_rows_give_an_error_report_to_download(world, tmp_path, django_capture_on_commit_callbacks, client_for):
    rows = [good_row(联系电话="1"), good_row(所在党支部="财务处党支部")]
    before = Member.objects.count()
    job = start(world.secretary_a, write_xlsx(tmp_path / "in.xlsx", rows), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED  # the job ran; the import refused the file
    assert job.message == "未导入任何数据：2行有错误（共2行），请按错误原因修改后重新导入"
    assert job.result["ok"] is False and job.result["filename"] == ERROR_REPORT_FILENAME
    assert job.result["errors"] == [
        {"row": 2, "column": "联系电话", "message": ERR_PHONE},
        {"row": 3, "column": "所在党支部", "message": ERR_BRANCH_UNKNOWN.format(value="财务处党支部")},
    ]
    assert Member.objects.count() == before

    response = client_for(world.secretary_a).get(reverse("core:job_download", args=[job.pk]))
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"".join(response.streaming_content))
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[0][-1] == ERROR_COLUMN and sheet[1][-1] == f"联系电话：{ERR_PHONE}"


def test_an_org_out_of_scope_is_reported_not_crashed(world, tmp_path, django_capture_on_commit_callbacks):
    job = start(world.secretary_a, write_xlsx(tmp_path / "in.xlsx", [good_row()]), django_capture_on_commit_callbacks,
                org_id=world.branch_b.pk)  # fmt: skip
    assert job.result["ok"] is False and job.message == f"未导入任何数据：{ERR_BRANCH_FORBIDDEN}"


def test_the_result_keeps_a_bounded_number_of_errors(world, tmp_path, django_capture_on_commit_callbacks, monkeypatch):
    from dangjian.members.importer import jobs

    monkeypatch.setattr(jobs, "MAX_RESULT_ERRORS", 2)
    rows = [good_row(联系电话="1") for _ in range(3)]
    job = start(world.admin, write_xlsx(tmp_path / "in.xlsx", rows), django_capture_on_commit_callbacks)
    assert len(job.result["errors"]) == 2 and job.result["error_count"] == 3


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_in_the_task_worker_leaves_the_process_as_it_was(
    world, tmp_path, monkeypatch, django_capture_on_commit_callbacks, dry_run
):
    """The collector and the switch interval are the process's: the worker (or web server) running the job keeps
    them, during the import (while rows are checked and batches written) and after it."""
    import gc
    import sys

    from dangjian.members.importer import services
    from dangjian.members.importer.rows import RowChecker

    monkeypatch.setattr(services, "BATCH_SIZE", 2)  # several batches: the writer thread runs while rows are checked
    seen = []
    check = RowChecker.check
    monkeypatch.setattr(
        RowChecker, "check", lambda *a: seen.append((gc.isenabled(), sys.getswitchinterval())) or check(*a)
    )
    before = (gc.isenabled(), sys.getswitchinterval())
    assert before[0]
    job = start(world.admin, write_xlsx(tmp_path / "in.xlsx", [good_row() for _ in range(5)]),
                django_capture_on_commit_callbacks, dry_run=dry_run)  # fmt: skip
    assert job.status == Job.Status.SUCCEEDED and job.result["ok"]
    assert len(seen) == 5 and set(seen) == {before}
    assert (gc.isenabled(), sys.getswitchinterval()) == before
