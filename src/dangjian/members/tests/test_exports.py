"""Roster export and the import template: content read back with python-calamine (order, Excel dates, labels,
masking by permission), scope, filters, the audit entry, the background job end to end, the template's sheets."""

import io
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.lib import idcard
from dangjian.core.models import Job
from dangjian.members import exports
from dangjian.members.choices import Category, Education, Status
from dangjian.members.exports import export_members, roster_template
from dangjian.members.models import Member
from dangjian.members.roster import ROSTER_COLUMNS
from dangjian.members.tests.factories import MemberFactory

HEADERS = [c.header for c in ROSTER_COLUMNS]
COL = {c.field: i for i, c in enumerate(ROSTER_COLUMNS)}


def read(data: bytes | io.BytesIO, sheet: str = "花名册") -> list[list]:
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    data.seek(0)
    return CalamineWorkbook.from_filelike(data).get_sheet_by_name(sheet).to_python()


def export(user, filters=None, **kwargs) -> tuple[int, list[list]]:
    out = io.BytesIO()
    rows = export_members(fetched_by=user, filters=filters or {}, out=out, **kwargs)
    return rows, read(out)


def by_name(rows: list[list]) -> dict[str, list]:
    return {row[COL["name"]]: row for row in rows[1:]}


def last_export_entry() -> LogEntry:
    return LogEntry.objects.filter(object_repr=exports.AUDIT_REPR).latest("pk")


def test_secretary_gets_branch_a_in_roster_order_with_values_as_the_importer_reads_them(world):
    world.member_a2.native_place = "山东济南"
    world.member_a2.remark = "借调"
    world.member_a2.save()
    rows, sheet = export(world.secretary_a)
    assert rows == 2
    assert sheet[0] == HEADERS
    # Roster order: branch path, then pinyin (wang before zhang).
    assert [r[COL["name"]] for r in sheet[1:]] == ["王小明", "张宏伟"]
    a, a2 = world.member_a, world.member_a2
    row = by_name(sheet)["王小明"]
    assert row[COL["gender"]] == "男"
    assert row[COL["ethnicity"]] == "汉族"
    assert row[COL["birth_date"]] == a.birth_date  # a real Excel date, not text
    assert row[COL["joined_on"]] == a.joined_on
    assert row[COL["full_member_on"]] == a.full_member_on
    assert row[COL["id_number"]] == a.id_number  # in full: the secretary holds the personal-data permission
    assert row[COL["education"]] == Education.BACHELOR.label == "大学本科"
    assert row[COL["category"]] == Category.FULL.label == "正式党员"
    assert row[COL["org"]] == "办公室党支部"
    assert row[COL["group"]] == "第一党小组"
    assert row[COL["position"]] == "科员"
    assert row[COL["phone"]] == a.phone
    assert row[COL["fee_base"]] == 6000.0
    assert row[COL["work_started_on"]] == ""  # empty optional cells stay empty
    row2 = by_name(sheet)["张宏伟"]
    assert row2[COL["group"]] == ""
    assert (row2[COL["native_place"]], row2[COL["remark"]]) == ("山东济南", "借调")
    assert row2[COL["id_number"]] == a2.id_number


def test_an_all_digit_id_number_stays_text(world):
    """An 18-digit number as a number would lose its last 3 digits in Excel (15 significant digits)."""
    birth = date(1990, 3, 4)
    number = next(n for s in range(500) if (n := idcard.make("110101", birth, s, male=True))[-1] != "X")
    MemberFactory(name="赵数字", org=world.branch_a, birth_date=birth, id_number=number)
    _rows, sheet = export(world.secretary_a)
    assert by_name(sheet)["赵数字"][COL["id_number"]] == number


@pytest.mark.parametrize("persona", ["inspector", "committee_member_a"])
def test_it_masks_id_number_and_phone_without_the_personal_data_permission(world, persona):
    _rows, sheet = export(world.personas()[persona])
    row = by_name(sheet)["张宏伟"]
    assert row[COL["id_number"]] == idcard.mask(world.member_a2.id_number)
    assert row[COL["phone"]] == idcard.mask_phone(world.member_a2.phone)
    assert "*" in row[COL["id_number"]] and "*" in row[COL["phone"]]
    assert last_export_entry().additional_data["masked"] is True


def test_a_member_sees_their_own_record_in_full_beside_masked_ones(world):
    """Masking is decided row by row, as on the pages: one's own record is never masked."""
    from dangjian.core.models import RoleGrant
    from dangjian.core.roles import Role

    RoleGrant.objects.create(user=world.member_user_a, role=Role.INSPECTOR, org=world.branch_a)
    world.member_user_a.__dict__.pop("grants", None)
    _rows, sheet = export(world.member_user_a)
    assert by_name(sheet)["王小明"][COL["id_number"]] == world.member_a.id_number
    assert by_name(sheet)["张宏伟"][COL["id_number"]] == idcard.mask(world.member_a2.id_number)


def test_it_refuses_other_branch(world):
    rows, sheet = export(world.secretary_b)
    assert rows == 1
    assert [r[COL["name"]] for r in sheet[1:]] == ["李秀英"]
    rows, sheet = export(world.secretary_a, {"org": world.branch_b.pk})  # not a choice for them: ignored
    assert "李秀英" not in by_name(sheet)


def test_inspector_and_admin_get_the_whole_tree(world):
    for user in (world.inspector, world.admin):
        rows, sheet = export(user)
        assert rows == 3
        assert set(by_name(sheet)) == {"王小明", "张宏伟", "李秀英"}
    assert by_name(sheet)["李秀英"][COL["gender"]] == "女"
    assert by_name(sheet)["李秀英"][COL["id_number"]] == world.member_b.id_number  # admin: in full


def test_filters_apply_as_on_the_roster_page(world):
    gone = MemberFactory(name="周离开", org=world.branch_a)
    Member.objects.filter(pk=gone.pk).update(status=Status.TRANSFERRED_OUT)
    MemberFactory(name="吴预备", org=world.branch_b, category=Category.PROBATIONARY, full_member_on=None)

    def names(filters):
        return set(by_name(export(world.admin, filters)[1]))

    assert names({}) == {"王小明", "张宏伟", "李秀英", "吴预备"}  # in register by default, as the page
    assert "周离开" in names({"status": "all"})
    assert names({"status": Status.TRANSFERRED_OUT}) == {"周离开"}
    assert names({"gender": "F"}) == {"李秀英"}
    assert names({"org": world.branch_a.pk}) == {"王小明", "张宏伟"}
    assert names({"org": world.group_a.pk}) == {"王小明"}
    assert names({"category": Category.PROBATIONARY}) == {"吴预备"}
    assert names({"q": "zhw"}) == {"张宏伟"}
    assert names({"q": "张", "page": "3", "sort": "-age"}) == {"张宏伟"}  # paging and sorting are not filters


def test_probationary_member_exports_without_a_full_member_date(world):
    MemberFactory(name="吴预备", org=world.branch_a, category=Category.PROBATIONARY, full_member_on=None)
    row = by_name(export(world.secretary_a)[1])["吴预备"]
    assert (row[COL["category"]], row[COL["full_member_on"]]) == ("预备党员", "")


def test_every_export_is_audited_with_its_row_count(world):
    before = LogEntry.objects.count()
    export(world.secretary_a, {"gender": "M", "page": "2"})
    assert LogEntry.objects.count() == before + 1
    entry = last_export_entry()
    assert entry.actor == world.secretary_a
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.content_type == ContentType.objects.get_for_model(Member)
    assert entry.additional_data == {
        "rows": 2,
        "filters": {"gender": "M", "status": Status.ACTIVE},
        "masked": False,
        "org_path": world.branch_a.path,
    }
    export(world.inspector, {"org": str(world.branch_b.pk)})
    entry = last_export_entry()
    assert entry.additional_data["rows"] == 1
    assert entry.additional_data["filters"] == {"org": str(world.branch_b.pk), "status": Status.ACTIVE}
    assert entry.additional_data["org_path"] == world.committee.path


def test_the_export_shows_on_the_audit_page_of_the_exporters_scope(world, client_for):
    export(world.secretary_a)
    page = client_for(world.admin).get(reverse("core:audit")).content.decode()
    assert exports.AUDIT_REPR in page


def test_progress_is_reported(world, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    calls = []
    rows, _sheet = export(world.admin, progress=lambda done, total: calls.append((done, total)))
    assert rows == 3
    assert calls == [(2, 3), (3, 3)]


def test_export_runs_a_constant_number_of_queries(world, django_assert_num_queries):
    for i in range(6):
        MemberFactory(name=f"成员{i}", org=world.branch_a, group=world.group_a if i % 2 else None)
    # count, the rows, the content type (cached after the first), the audit insert
    export(world.admin)
    with django_assert_num_queries(3):
        export(world.admin, progress=lambda done, total: None)


# ---- views and the background job -----------------------------------------------------------------------------


def test_export_button_starts_a_job_and_the_owner_downloads_the_file(
    world, client_for, django_capture_on_commit_callbacks, clock
):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:export") + "?gender=M&q=zhw&page=2")
    job = Job.objects.get(created_by=world.secretary_a, kind=exports.EXPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.params == {"filters": {"q": "zhw", "gender": "M"}}
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["rows"] == 1
    assert job.result["filename"] == f"党员花名册_{clock.today():%Y%m%d}.xlsx"
    assert job.message == "共导出 1 名党员"
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "下载" in page and "返回花名册" in page
    download = client.get(reverse("core:job_download", args=[job.pk]))
    sheet = read(b"".join(download.streaming_content))
    assert [r[COL["name"]] for r in sheet[1:]] == ["张宏伟"]
    assert sheet[1][COL["id_number"]] == world.member_a2.id_number
    assert last_export_entry().actor == world.secretary_a


def test_a_masked_export_job_says_so(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.inspector).post(reverse("members:export"))
    job = Job.objects.get(created_by=world.inspector)
    assert job.message == "共导出 3 名党员；其中 3 人的公民身份号码、联系电话和出生日期已按权限脱敏"


def test_export_is_post_only(world, client_for):
    assert client_for(world.secretary_a).get(reverse("members:export")).status_code == 405
    assert not Job.objects.exists()


def test_a_plain_member_cannot_export(world, client_for):
    assert client_for(world.member_user_a).post(reverse("members:export")).status_code == 404
    assert not Job.objects.exists()


def test_roster_page_carries_its_filters_to_the_export_button(world, client_for):
    client = client_for(world.secretary_a)
    page = client.get(reverse("members:list") + "?gender=M&q=wang").content.decode()
    assert f'action="{reverse("members:export")}?gender=M&amp;q=wang"' in page
    partial = client.get(reverse("members:list") + "?gender=F", HTTP_HX_REQUEST="true").content.decode()
    assert f'action="{reverse("members:export")}?gender=F"' in partial  # the HTMX swap renews it
    assert reverse("members:template") in page


# ---- the import template ---------------------------------------------------------------------------------------


def test_template_has_headers_an_example_and_instructions(world, client_for):
    response = client_for(world.secretary_a).get(reverse("members:template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = io.BytesIO(b"".join(response.streaming_content))
    assert CalamineWorkbook.from_filelike(data).sheet_names == ["花名册", "填写说明", "选项"]  # 选项: hidden
    sheet = read(data)
    assert sheet[0] == HEADERS
    assert len(sheet) == 2  # the header and one example row
    example = dict(zip(HEADERS, sheet[1], strict=True))
    card = idcard.parse(example["公民身份号码"])
    assert card.birth_date == example["出生日期"] == date(1985, 6, 15)
    assert card.is_male and example["性别"] == "男"
    assert example["学历"] in Education.labels and example["人员类别"] in Category.labels
    help_text = "\n".join(" ".join(str(c) for c in row) for row in read(data, "填写说明"))
    for column in ROSTER_COLUMNS:
        assert column.header in help_text
        assert column.note in help_text
    assert "不会导入任何一行" in help_text and "文本" in help_text and "1985-06-15" in help_text


def test_template_marks_required_columns(world):
    out = io.BytesIO()
    roster_template(out)
    rows = read(out, "填写说明")
    marks = {row[0]: row[1] for row in rows if row and row[0] in HEADERS}
    assert marks == {c.header: "必填" if c.required else "选填" for c in ROSTER_COLUMNS}


# ---- the round trip through the importer -----------------------------------------------------------------------


def roster_state() -> list[dict]:
    # An update import rewrites each row: its time and version move on (core.concurrency), nothing else may.
    moving = {"updated_at", "version"}
    return [{k: v for k, v in row.items() if k not in moving} for row in Member.objects.order_by("pk").values()]


def test_an_unmasked_export_reimports_with_update_and_changes_nothing(world, tmp_path):
    from dangjian.members.choices import Gender
    from dangjian.members.importer import import_members

    MemberFactory(
        name="马丽",
        org=world.branch_a,
        group=world.group_a,
        gender=Gender.FEMALE,
        ethnicity="回族",
        education=Education.POSTGRADUATE,
        fee_base="5432.10",
        native_place="宁夏银川",
        work_started_on=date(2015, 8, 1),
        professional_title="高级工程师",
        remark="多行\n备注",
        position="处长",
    )
    MemberFactory(name="吴预备", org=world.branch_a, category=Category.PROBATIONARY, full_member_on=None)
    before = roster_state()
    path = tmp_path / "花名册.xlsx"
    rows = export_members(fetched_by=world.secretary_a, filters={}, out=str(path))
    assert rows == 4

    report = import_members(acting_user=world.secretary_a, path=path, update=True)
    assert report.ok, report.errors
    assert (report.total_rows, report.created, report.updated) == (4, 0, 4)
    assert roster_state() == before
