"""Which columns a roster must have (issue 11): only what identifies and places a member; every other column may be
absent (reported as 未提供), and an update leaves what the file does not give as it is."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.members.choices import Category, Education, Gender
from dangjian.members.importer import absent_note, import_members, summary
from dangjian.members.importer.report import MSG_ABSENT, MSG_MISSING
from dangjian.members.models import Member
from dangjian.members.roster import ROSTER_COLUMNS

from .test_importer_support import HEADERS, good_row, new_id, write_xlsx

pytestmark = pytest.mark.django_db

REQUIRED = ["姓名", "公民身份号码", "人员类别", "入党日期", "所在党支部"]
#: A roster as some organs keep it: who, which branch, since when; nothing else.
BARE = ["姓名", "公民身份号码", "人员类别", "入党日期", "转正日期", "所在党支部"]


def test_required_columns_are_those_that_identify_and_place_a_member():
    assert [c.header for c in ROSTER_COLUMNS if c.required] == REQUIRED


def test_a_roster_without_optional_columns_imports_and_says_what_it_lacked(world, tmp_path):
    birth = date(1990, 4, 8)
    row = good_row(birth=birth, 性别="女")
    path = write_xlsx(tmp_path / "bare.xlsx", [row], headers=BARE)

    report = import_members(acting_user=world.secretary_a, path=path)

    assert report.ok, report.errors
    assert report.created == 1 and report.missing_columns == []
    absent = [h for h in HEADERS if h not in BARE]
    assert report.absent_columns == absent
    assert summary(report) == "导入完成：共1行，新增1名党员，更新0名党员"
    note = absent_note(absent=report.absent_columns, missing=report.missing_columns)
    assert note == MSG_ABSENT.format(columns="、".join(absent))
    member = Member.objects.get(id_number=row["公民身份号码"])
    # 性别 and 出生日期 from the ID number; the rest blank (党费基数: the model's default, 0).
    assert (member.gender, member.birth_date) == (Gender.FEMALE, birth)
    assert (member.ethnicity, member.education, member.position, member.phone) == ("", "", "", "")
    assert member.fee_base == Decimal("0.00") and member.group is None
    assert (member.category, member.org, member.full_member_on) == (Category.FULL, world.branch_a, date(2013, 7, 1))


def test_empty_cells_of_optional_columns_are_no_errors(world, tmp_path):
    birth = date(1979, 12, 31)
    row = good_row(birth=birth, 性别="", 出生日期="", 民族="", 学历="", 联系电话="")  # a woman's ID number
    row["党费基数(月)"] = ""
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "e.xlsx", [row]))
    assert report.ok, report.errors
    assert report.absent_columns == []
    member = Member.objects.get(id_number=row["公民身份号码"])
    assert (member.gender, member.birth_date, member.education, member.fee_base) == (
        Gender.FEMALE,
        birth,
        "",
        Decimal("0.00"),
    )


def test_an_empty_birth_month_is_taken_from_the_id_number(world, tmp_path):
    birth = date(1983, 2, 14)
    headers = [h if h != "出生日期" else "出生年月" for h in HEADERS]
    row = good_row(birth=birth, 出生日期="")
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "m.xlsx", [row], headers=headers, keys=HEADERS)
    )
    assert report.ok, report.errors
    assert Member.objects.get(id_number=row["公民身份号码"]).birth_date == birth


def test_required_columns_absent_are_listed_once(world, tmp_path):
    headers = [h for h in HEADERS if h not in {"公民身份号码", "入党日期", "工作岗位/职务", "党费基数(月)"}]
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "r.xlsx", [good_row()], headers=headers)
    )
    assert not report.ok and report.errors == []
    assert report.missing_columns == ["公民身份号码", "入党日期"]
    assert summary(report) == MSG_MISSING.format(columns="公民身份号码、入党日期")
    assert summary(report).count("公民身份号码") == 1
    assert absent_note(absent=report.absent_columns, missing=report.missing_columns) == ""  # the refusal, alone


def test_a_branch_chosen_for_the_import_stands_for_the_branch_column(world, tmp_path):
    headers = [h for h in BARE if h != "所在党支部"]
    row = good_row()
    path = write_xlsx(tmp_path / "b.xlsx", [row], headers=headers)

    without = import_members(acting_user=world.secretary_a, path=path, dry_run=True)
    assert without.missing_columns == ["所在党支部"]

    report = import_members(acting_user=world.secretary_a, path=path, org=world.branch_a)
    assert report.ok, report.errors
    assert "所在党支部" not in report.absent_columns and "所在党小组" in report.absent_columns
    assert Member.objects.get(id_number=row["公民身份号码"]).org == world.branch_a


def test_an_update_leaves_what_the_file_does_not_give_as_it_is(world, tmp_path):
    member = world.member_a
    member.ethnicity, member.education, member.position, member.phone = (
        "回族",
        Education.POSTGRADUATE,
        "处长",
        "13900001111",
    )
    member.fee_base, member.native_place, member.remark = Decimal("7000.00"), "宁夏银川", "老备注"
    member.save()
    before = Member.objects.filter(pk=member.pk).values().get()

    # No 民族, 学历, 工作岗位/职务, 籍贯 columns; 联系电话 and 党费基数 empty; 备注 (which may be blank) emptied.
    headers = [*BARE, "所在党小组", "联系电话", "党费基数(月)", "备注"]
    row = good_row(
        姓名="王小明",
        公民身份号码=member.id_number,
        人员类别="正式党员",
        入党日期=member.joined_on,
        转正日期=member.full_member_on,
        所在党小组="",
        联系电话="",
        备注="",
    )
    row["党费基数(月)"] = ""
    report = import_members(
        acting_user=world.secretary_a, path=write_xlsx(tmp_path / "u.xlsx", [row], headers=headers), update=True
    )

    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    after = Member.objects.filter(pk=member.pk).values().get()
    for field in ("ethnicity", "education", "position", "native_place", "gender", "birth_date", "phone", "fee_base"):
        assert after[field] == before[field], field
    assert after["remark"] == "" and after["group_id"] is None  # optional on the model: written as the file has it
    assert after["version"] == before["version"] + 1


def test_an_update_writes_the_optional_columns_the_file_gives(world, tmp_path):
    member = world.member_a
    headers = [*BARE, "工作岗位/职务", "党费基数(月)"]
    row = good_row(
        姓名="王小明",
        公民身份号码=member.id_number,
        入党日期=member.joined_on,
        转正日期=member.full_member_on,
        **{"工作岗位/职务": "副处长", "党费基数(月)": 8100},
    )
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "w.xlsx", [row], headers=headers), update=True
    )
    assert report.ok, report.errors
    member.refresh_from_db()
    assert (member.position, member.fee_base) == ("副处长", Decimal("8100.00"))


def test_a_new_member_with_id_number_absent_gender_is_checked_against_nothing_else(world, tmp_path):
    """Gender given and wrong is still an error: only an absent value comes from the ID number."""
    row = good_row(性别="女", 公民身份号码=new_id(date(1988, 3, 15), male=True))
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "g.xlsx", [row]))
    assert not report.ok and [e.column for e in report.errors] == ["性别"]


# ---- members imported without some columns, as the rest of the system shows them --------------------------------


@pytest.fixture
def bare_member(world, tmp_path) -> Member:
    row = good_row()
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "bare.xlsx", [row], headers=BARE))
    assert report.ok, report.errors
    return Member.objects.get(id_number=row["公民身份号码"])


def test_the_api_gives_null_for_an_education_not_provided(world, bare_member, client):
    from django.urls import reverse

    from dangjian.core.services import token_create

    key = token_create(acting_user=world.admin, name="test")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get(reverse("api:member_list"), {"q": bare_member.name}, **headers)
    assert listed.status_code == 200, listed.content
    assert {m["id"]: m["education"] for m in listed.json()["results"]}[bare_member.pk] is None
    one = client.get(reverse("api:member_detail", args=[bare_member.pk]), **headers)
    assert one.status_code == 200 and one.json()["education"] is None and one.json()["ethnicity"] == ""


def test_statistics_count_values_not_provided_as_unfilled(world, bare_member):
    from dangjian.members.stats import UNFILLED, member_stats

    stats = member_stats(fetched_by=world.admin, live=True)
    for key in ("education", "ethnicity"):
        table = stats.table(key)
        rows = {row.label: row.count for row in table.rows}
        assert rows[UNFILLED] == 1 and "" not in rows, key
        assert table.total == Member.objects.filter(status="active").count()


def test_the_roster_and_the_member_page_show_a_member_with_values_not_provided(world, bare_member, client_for):
    from django.urls import reverse

    client = client_for(world.admin)
    listed = client.get(reverse("members:list"), {"q": bare_member.name})
    assert listed.status_code == 200 and bare_member.name in listed.content.decode()
    page = client.get(reverse("members:detail", args=[bare_member.pk]))
    assert page.status_code == 200 and bare_member.name in page.content.decode()
