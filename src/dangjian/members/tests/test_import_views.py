"""The import pages: upload checks, the background preview, confirm only for a clean preview, scope."""

from datetime import date

import pytest
import xlsxwriter
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core import audit_log
from dangjian.core.lib import idcard
from dangjian.core.models import Job
from dangjian.core.tests.factories import UserFactory
from dangjian.members.importer.jobs import IMPORT_KIND
from dangjian.members.importer.reading import ERR_FILE_TYPE, READABLE_SUFFIXES
from dangjian.members.importer.services import import_members
from dangjian.members.models import Member
from dangjian.members.roster import ROSTER_COLUMNS

pytestmark = pytest.mark.django_db


def xlsx_upload(tmp_path, rows, name="花名册.xlsx") -> SimpleUploadedFile:
    path = tmp_path / name
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.header for c in ROSTER_COLUMNS[:14]])
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return SimpleUploadedFile(name, path.read_bytes())


def row(name: str, *, branch: str, id_number: str | None = None) -> list:
    birth = date(1988, 5, 20)
    number = id_number or idcard.make("110101", birth, len(name) * 7, male=True)
    return [
        name,
        "男",
        "汉族",
        "1988-05-20",
        number,
        "大学本科",
        "正式党员",
        "2012-07-01",
        "2013-07-01",
        branch,
        "",
        "科员",
        "13912345678",
        "5000",
    ]


def upload(client, tmp_path, rows, **extra):
    with_commit = {"file": xlsx_upload(tmp_path, rows), **extra}
    return client.post(reverse("members:import"), with_commit)


def test_upload_previews_without_writing(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, tmp_path, [row("赵海燕", branch="办公室党支部")])
    job = Job.objects.get(kind=IMPORT_KIND)
    assert response["Location"] == reverse("members:import_job", args=[job.pk])
    assert job.params == {"org_id": None, "update": False, "dry_run": True, "filename": "花名册.xlsx"}
    page = client.get(response["Location"]).content.decode()
    assert "赵海燕" in page and "确认导入 1 行" in page
    assert not Member.objects.filter(name="赵海燕").exists()


def test_confirm_imports_the_previewed_file(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="办公室党支部")])
    preview = Job.objects.get(kind=IMPORT_KIND)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    run = Job.objects.exclude(pk=preview.pk).get(kind=IMPORT_KIND)
    assert response["Location"] == reverse("members:import_job", args=[run.pk])
    assert run.params["dry_run"] is False and run.input_file.name == preview.input_file.name
    assert Member.objects.get(name="赵海燕").org == world.branch_a
    assert run.result["created"] == 1


def test_preview_with_errors_cannot_be_confirmed(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    good = idcard.make("110101", date(1988, 5, 20), 3, male=True)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check character
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="办公室党支部", id_number=bad)])
    preview = Job.objects.get(kind=IMPORT_KIND)
    page = client.get(reverse("members:import_job", args=[preview.pk])).content.decode()
    assert "公民身份号码校验位不正确" in page
    assert "确认导入" not in page and "下载错误报告" in page
    assert client.post(reverse("members:import_confirm", args=[preview.pk])).status_code == 404
    assert Job.objects.filter(kind=IMPORT_KIND).count() == 1


def test_another_branch_in_the_file_is_refused(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="财务处党支部")])
    preview = Job.objects.get(kind=IMPORT_KIND)
    assert preview.result["ok"] is False
    assert client.post(reverse("members:import_confirm", args=[preview.pk])).status_code == 404
    assert not Member.objects.filter(name="赵海燕").exists()


def test_wrong_file_type_is_refused_with_a_chinese_message(world, client_for):
    response = client_for(world.secretary_a).post(
        reverse("members:import"), {"file": SimpleUploadedFile("花名册.pdf", b"%PDF")}
    )
    assert response.status_code == 400
    assert ERR_FILE_TYPE.format(suffix=".pdf") in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("suffix", sorted(READABLE_SUFFIXES))
def test_the_form_takes_every_type_the_reader_reads(world, client_for, suffix, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    assert suffix in client.get(reverse("members:import")).content.decode()  # in the help text and `accept`
    assert suffix in ERR_FILE_TYPE
    with django_capture_on_commit_callbacks(execute=False):  # the preview itself is not the point here
        response = client.post(reverse("members:import"), {"file": SimpleUploadedFile(f"花名册{suffix}", b"x")})
    assert response.status_code == 302
    assert Job.objects.get(kind=IMPORT_KIND).params["filename"] == f"花名册{suffix}"


def test_default_branch_choices_are_the_users_scope(world, client_for):
    form = client_for(world.secretary_a).get(reverse("members:import")).context["form"]
    assert list(form.fields["org"].queryset) == [world.branch_a]


def test_a_hostile_upload_shows_its_failed_preview_with_the_reason(
    world, client_for, tmp_path, django_capture_on_commit_callbacks
):
    from dangjian.core.lib.filecheck import ERR_DECLARED_RANGE

    from .hostile_files import dimension_bomb

    client = client_for(world.secretary_a)
    bomb = dimension_bomb(tmp_path / "bomb.xlsx", "XFD1048576")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:import"), {"file": SimpleUploadedFile("花名册.xlsx", bomb.read_bytes())}
        )
    job = Job.objects.get(kind=IMPORT_KIND, created_by=world.secretary_a)
    assert job.status == Job.Status.FAILED
    page = client.get(response.url).content.decode()
    message = ERR_DECLARED_RANGE.format(
        rows=1_048_576, columns=16_384, name="sheet1", max_rows=200_000, max_columns=200
    )
    assert 'data-status="failed"' in page and message in page
    assert "确认导入" not in page
    assert client.post(reverse("members:import_confirm", args=[job.pk])).status_code == 404


# ---- issue 11: optional columns, one message, the way back, file-level errors, the finished page ----------------


def headed_upload(tmp_path, headers: list[str], rows: list[list], name="花名册.xlsx") -> SimpleUploadedFile:
    path = tmp_path / name
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for r, cells in enumerate(rows, start=1):
        sheet.write_row(r, 0, cells)
    book.close()
    return SimpleUploadedFile(name, path.read_bytes())


def finished_page(client, django_capture_on_commit_callbacks, data) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import"), data)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def test_a_file_without_optional_columns_previews_and_names_them_once(
    world, client_for, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(world.secretary_a)
    number = idcard.make("110101", date(1988, 5, 20), 5, male=True)
    headers = ["姓名", "公民身份号码", "人员类别", "入党日期", "转正日期"]
    upload = headed_upload(tmp_path, headers, [["赵海燕", number, "正式党员", "2012-07-01", "2013-07-01"]])
    page = finished_page(client, django_capture_on_commit_callbacks, {"file": upload, "org": world.branch_a.pk})
    assert "确认导入 1 行" in page
    assert page.count("文件未提供：性别、民族、出生日期、学历、所在党小组、工作岗位/职务") == 1  # in the note only
    assert 'data-testid="import-absent-note"' in page
    assert "缺少必填列" not in page and "所在党支部、" not in page.split("文件未提供：")[1].split("<")[0]


def test_missing_required_columns_are_said_once_and_the_form_comes_back_with_its_options(
    world, client_for, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(world.secretary_a)
    headers = [c.header for c in ROSTER_COLUMNS[:14] if c.header not in {"公民身份号码", "入党日期"}]
    cells = ["赵海燕", "男", "汉族", "1988-05-20", "大学本科", "正式党员", "2013-07-01", "办公室党支部", "", "科员"]
    upload = headed_upload(tmp_path, headers, [cells])
    data = {"file": upload, "org": world.branch_a.pk, "update": "on"}
    page = finished_page(client, django_capture_on_commit_callbacks, data)
    assert page.count("缺少必填列") == 1 and page.count("公民身份号码、入党日期") == 1
    assert "确认导入" not in page
    # The upload form again, posting to the upload page, with the options chosen the first time.
    form = page.split('data-testid="import-reupload"')[1].split("</form>")[0]
    assert (
        f'action="{reverse("members:import")}"' in page.split('data-testid="import-reupload"')[0].rsplit("<form", 1)[1]
    )
    assert 'type="file" name="file"' in form
    assert f'<option value="{world.branch_a.pk}" selected>' in form
    assert 'name="update"' in form and "checked" in form.split('name="update"')[1].split(">")[0]


def test_a_file_level_error_is_a_message_not_row_0(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    from dangjian.members.importer.services import ERR_NO_ROWS

    client = client_for(world.secretary_a)
    upload = headed_upload(tmp_path, [c.header for c in ROSTER_COLUMNS], [])
    page = finished_page(client, django_capture_on_commit_callbacks, {"file": upload})
    assert page.count(ERR_NO_ROWS) == 1
    assert 'data-testid="import-errors"' not in page and "<td>0</td>" not in page
    assert 'data-testid="import-reupload"' in page


def test_a_refused_file_offers_the_upload_form_again(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    upload = SimpleUploadedFile("花名册.xlsx", b"not a zip at all")
    page = finished_page(client, django_capture_on_commit_callbacks, {"file": upload})
    assert 'data-status="failed"' in page
    assert 'data-testid="import-reupload"' in page and "<td>0</td>" not in page


def test_the_finished_import_has_no_stale_banner_and_one_import_crumb(
    world, client_for, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="办公室党支部")])
    preview = Job.objects.get(kind=IMPORT_KIND)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "请勿重复提交" not in page
    crumbs = page.split('<ol class="breadcrumb')[1].split("</ol>")[0]
    assert crumbs.count("导入") == 2 and "导入结果" in crumbs  # 导入 (the upload page), 导入结果 (this page)
    assert 'data-testid="import-reupload"' not in page


def test_a_running_import_says_not_to_submit_again(world, client_for, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="办公室党支部")])
    preview = Job.objects.get(kind=IMPORT_KIND)
    with django_capture_on_commit_callbacks(execute=False):  # the job is queued, not run
        response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    page = client.get(response["Location"]).content.decode()
    assert page.count("请勿重复提交") == 1 and 'data-testid="job-running-note"' in page


def test_the_imports_audit_entry_and_result_page_link_to_the_members_it_wrote(
    world, client_for, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(world.secretary_a)
    existing = world.member_a
    rows = [
        row("赵海燕", branch="办公室党支部"),
        row(existing.name, branch="办公室党支部", id_number=existing.id_number),
    ]
    rows[1][3], rows[1][7], rows[1][8] = existing.birth_date.isoformat(), existing.joined_on.isoformat(), ""
    rows[1][6] = "预备党员"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, rows, update="on")
    preview = Job.objects.get(kind=IMPORT_KIND)
    assert preview.result["ok"], preview.result["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    run = Job.objects.exclude(pk=preview.pk).get(kind=IMPORT_KIND)
    assert run.result["created"] == 1 and run.result["updated"] == 1
    listed = f"{reverse('members:list')}?import_job={run.pk}&amp;status=all"
    assert listed in client.get(response["Location"]).content.decode()

    audit = client_for(world.inspector).get(reverse("core:audit")).content.decode()
    assert 'data-testid="audit-objects"' in audit and listed in audit
    roster = client.get(listed.replace("&amp;", "&")).content.decode()
    assert f"导入任务 #{run.pk}" in roster and "共 2 人" in roster
    assert "赵海燕" in roster and existing.name in roster
    # The roster is still the reader's: the outsider sees none of them through the same link.
    outsider = client_for(world.secretary_b).get(listed.replace("&amp;", "&")).content.decode()
    assert "共 0 人" in outsider


def test_the_audit_page_links_to_an_imports_members_only_for_a_reader_of_the_roster(world, client_for, tmp_path):
    job = Job.objects.create(kind=IMPORT_KIND, title="导入", created_by=world.admin)
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_upload(tmp_path, [row("赵海燕", branch="办公室党支部")]).read())
    assert import_members(acting_user=world.admin, path=path, job=job).created == 1
    assert Member.objects.get(name="赵海燕").import_job == job
    entry = LogEntry.objects.latest("timestamp")
    [shown] = audit_log.present([entry], world.inspector)
    assert shown.objects_url == f"{reverse('members:list')}?import_job={job.pk}&status=all"
    nobody = UserFactory(username="no_grants")
    [hidden] = audit_log.present([entry], nobody)  # no roster to read: no link that ends in 403
    assert hidden.objects_url == ""
