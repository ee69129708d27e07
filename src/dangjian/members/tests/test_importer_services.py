"""import_members on real files: every accepted format, every kind of bad row, all or nothing, --update, scope,
the audit entry, and the error report."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from python_calamine import CalamineWorkbook

from dangjian.core import clock
from dangjian.core.lib import idcard
from dangjian.core.lib.dates import format_cn_date
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.validators import future_message
from dangjian.members.choices import Category, Education, Gender
from dangjian.members.exports import export_members, roster_template
from dangjian.members.importer import ERROR_COLUMN, RowError, import_members, services, write_error_report
from dangjian.members.importer import parsing as p
from dangjian.members.importer.rows import ERR_DUPLICATE_IN_FILE, ERR_REQUIRED
from dangjian.members.importer.targets import (
    ERR_BRANCH_AMBIGUOUS,
    ERR_BRANCH_OUTSIDE,
    ERR_BRANCH_UNKNOWN,
    ERR_TARGET_KIND,
)
from dangjian.members.models import (
    ERR_FULL_DATE_MISSING,
    ERR_FULL_DATE_PROBATIONARY,
    ERR_GROUP_NOT_IN_BRANCH,
    ERR_ID_BIRTH,
    ERR_ID_DUPLICATE,
    ERR_ID_ELSEWHERE,
    ERR_ID_GENDER,
    ERR_JOIN_AGE,
    ERR_ORG_KIND,
    Member,
)
from dangjian.members.roster import ROSTER_COLUMNS
from dangjian.members.services import ERR_ORG_DISSOLVED, ERR_OUT_OF_SCOPE
from dangjian.members.validators import ERR_PHONE
from dangjian.orgs.tests.factories import OrgFactory

from .test_importer_support import HEADERS, good_row, new_id, write_csv, write_xls, write_xlsx

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Member.objects.count(), LogEntry.objects.count()


@pytest.fixture
def small_batches(monkeypatch):
    """Two rows a batch, so tiny files exercise the batching (lookups, inserts, rollback after earlier batches)."""
    monkeypatch.setattr(services, "BATCH_SIZE", 2)


# ---- files in every accepted format ----------------------------------------------------------------------------


def test_it_imports_an_xlsx_with_a_title_row_and_a_blank_row_above_the_header(world, tmp_path):
    rows = [good_row(), good_row(姓名="钱 多多", 性别="女", 所在党小组="第一党小组", birth=date(1990, 1, 2))]
    path = write_xlsx(tmp_path / "花名册.xlsx", rows, title="办公室党支部党员花名册", blank_rows=1, trailing_blank=3)
    members_before, log_before = counts()

    report = import_members(acting_user=world.secretary_a, path=path)

    assert report.ok, report.errors
    assert (report.total_rows, report.created, report.updated, report.header_row) == (2, 2, 0, 3)
    assert counts() == (members_before + 2, log_before + 1)
    first = Member.objects.get(id_number=rows[0]["公民身份号码"])
    assert (first.name, first.name_pinyin, first.name_initials) == ("赵海燕", "zhaohaiyan", "zhy")
    assert (first.gender, first.education, first.category) == (Gender.MALE, Education.BACHELOR, Category.FULL)
    assert (first.birth_date, first.joined_on, first.full_member_on) == (
        date(1988, 3, 15),
        date(2012, 7, 1),
        date(2013, 7, 1),
    )
    assert (first.org, first.group, first.phone, first.fee_base) == (
        world.branch_a,
        None,
        "13912340001",
        Decimal("6000.00"),
    )
    assert (first.status, first.exit_kind, first.user, first.remark) == ("active", "", None, "")
    assert first.created_at is not None and first.updated_at is not None
    second = Member.objects.get(id_number=rows[1]["公民身份号码"])
    assert (second.name, second.gender, second.group) == ("钱多多", Gender.FEMALE, world.group_a)
    first.full_clean()  # what the import wrote is what the forms accept


def test_tabs_newlines_and_backslashes_in_cells_are_stored_as_typed(world, tmp_path):
    """The COPY text format gives tab, newline and backslash a meaning of their own (on PostgreSQL)."""
    remark = "第一行\n第二行\t制表\\反斜杠\\N"
    rows = [good_row(备注=remark, 职称="高级\\工程师")]
    report = import_members(acting_user=None, path=write_xlsx(tmp_path / "花名册.xlsx", rows))
    assert report.ok, report.errors
    member = Member.objects.get(id_number=rows[0]["公民身份号码"])
    assert (member.remark, member.professional_title) == (remark, "高级\\工程师")
    assert member.status == "active" and member.created_at is not None  # the constant columns after the text


def test_it_imports_a_legacy_xls(world, tmp_path):
    rows = [good_row(), good_row(姓名="孙立平", birth=date(1985, 8, 8), 学历="研究生")]
    report = import_members(acting_user=None, path=write_xls(tmp_path / "花名册.xls", rows, title="花名册"))
    assert report.ok, report.errors
    assert report.created == 2 and report.header_row == 3
    assert Member.objects.get(name="孙立平").birth_date == date(1985, 8, 8)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_it_imports_csv_in_gbk_and_utf8(world, tmp_path, encoding):
    rows = [good_row(姓名="欧阳娜娜", 性别="女", 联系电话="13912340002"), good_row(所在党支部="A")]
    path = write_csv(tmp_path / "花名册.csv", rows, encoding=encoding, title="办公室党支部党员花名册")
    report = import_members(acting_user=world.admin, path=path)
    assert report.ok, report.errors
    member = Member.objects.get(name="欧阳娜娜")
    assert (member.gender, member.birth_date, member.org) == (Gender.FEMALE, date(1988, 3, 15), world.branch_a)
    assert (member.name_pinyin, member.name_initials) == ("ouyangnana", "oynn")


def test_dates_in_mixed_forms_in_one_file(world, tmp_path):
    forms = [date(2012, 7, 1), "2012-07-01", "2012/7/1", "2012.07.01", "2012年7月1日", 41091.0]
    rows = [
        good_row(入党日期=joined, 转正日期="2013-7-1", birth=date(1980, 1, 1 + i)) for i, joined in enumerate(forms)
    ]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "dates.xlsx", rows))
    assert report.ok, report.errors
    imported = Member.objects.filter(id_number__in=[row["公民身份号码"] for row in rows])
    assert {(m.joined_on, m.full_member_on) for m in imported} == {(date(2012, 7, 1), date(2013, 7, 1))}


def test_headers_by_their_common_synonyms_and_columns_in_any_order(world, tmp_path):
    headers = ["序号", "身份证号码", "＊姓名", "性别", "民族", "出生日期", "文化程度", "党员类别", "入党时间",
               "转正时间", "所在支部", "工作岗位", "手机", "党费基数（月）"]  # fmt: skip
    keys = ["序号", "公民身份号码", "姓名", "性别", "民族", "出生日期", "学历", "人员类别", "入党日期", "转正日期",
            "所在党支部", "工作岗位/职务", "联系电话", "党费基数(月)"]  # fmt: skip
    row = good_row(序号=1, 学历="本科", 人员类别="正式", 联系电话=13912340009.0)
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "own.xlsx", [row], headers=headers, keys=keys)
    )
    assert report.ok, report.errors
    assert report.mapping[0] == ("序号", None) and report.mapping[1] == ("身份证号码", "公民身份号码")
    member = Member.objects.get(id_number=row["公民身份号码"])
    assert (member.education, member.category, member.phone) == (Education.BACHELOR, Category.FULL, "13912340009")


def test_birth_year_and_month_take_the_day_from_the_id_number(world, tmp_path):
    headers = [h if h != "出生日期" else "出生年月" for h in HEADERS]
    rows = [good_row(出生日期="1988.03"), good_row(出生日期=1988.03, birth=date(1988, 3, 20))]
    rows.append(good_row(出生日期="1988.04", birth=date(1988, 3, 21)))
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "m.xlsx", rows, headers=headers, keys=HEADERS)
    )
    assert report.errors == [RowError(4, "出生年月", ERR_ID_BIRTH.format(format_cn_date(date(1988, 3, 21))))]
    rows.pop()
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "m.xlsx", rows, headers=headers, keys=HEADERS)
    )
    assert report.ok, report.errors
    assert Member.objects.get(id_number=rows[1]["公民身份号码"]).birth_date == date(1988, 3, 20)


def test_preview_shows_the_first_rows_as_parsed(world, tmp_path):
    rows = [good_row(所在党小组="A-1", 人员类别="正式", 学历="本科"), good_row(联系电话="123")]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "p.xlsx", rows), dry_run=True)
    assert report.preview[0]["出生日期"] == "1988-03-15"
    assert report.preview[0]["人员类别"] == "正式党员" and report.preview[0]["学历"] == "大学本科"
    assert report.preview[0]["所在党支部"] == "办公室党支部" and report.preview[0]["所在党小组"] == "第一党小组"
    assert report.preview[0]["党费基数(月)"] == "6000.00"
    assert report.preview[1]["联系电话"] == "123"  # a bad cell as typed
    assert len(report.preview) == 2


def test_the_template_example_row_is_skipped(world, tmp_path):
    path = tmp_path / "template.xlsx"
    roster_template(str(path))
    # The user adds their rows below the grey example and forgets to delete it.
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    example = dict(zip(HEADERS, rows[1], strict=False))
    filled = write_xlsx(tmp_path / "filled.xlsx", [example, good_row()])
    report = import_members(acting_user=world.admin, path=filled)
    assert report.ok, report.errors
    assert report.total_rows == 1 and not Member.objects.filter(name="张三").exists()


def test_an_export_imports_back_with_update_and_changes_nothing(world, tmp_path):
    path = tmp_path / "export.xlsx"
    rows = export_members(fetched_by=world.admin, filters={"org": world.branch_a.pk}, out=str(path))
    before = list(Member.objects.filter(org=world.branch_a).order_by("pk").values())
    report = import_members(acting_user=world.admin, path=path, update=True)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, rows)
    after = list(Member.objects.filter(org=world.branch_a).order_by("pk").values())
    moving = {"updated_at", "version"}
    assert [{k: v for k, v in m.items() if k not in moving} for m in after] == [
        {k: v for k, v in m.items() if k not in moving} for m in before
    ]
    # An update import is a write all the same: an edit form opened before it is stale (core.concurrency).
    assert [m["version"] for m in after] == [m["version"] + 1 for m in before]


# ---- every kind of bad row -------------------------------------------------------------------------------------

BIRTH = date(1988, 3, 15)


def _bad_id() -> str:
    number = new_id(BIRTH)
    return number[:-1] + ("1" if number[-1] == "0" else "0")


BAD_ROWS = [
    ("bad ID checksum", lambda w: {"公民身份号码": _bad_id()}, "公民身份号码", idcard.ERR_CHECKSUM),
    ("ID of the wrong shape", lambda w: {"公民身份号码": "11010119880315"}, "公民身份号码", idcard.ERR_SHAPE),
    ("ID as a number cell", lambda w: {"公民身份号码": 110101198803150011}, "公民身份号码", p.ERR_ID_NUMERIC),
    ("birth date against ID", lambda w: {"出生日期": date(1988, 3, 16)}, "出生日期",
     ERR_ID_BIRTH.format(format_cn_date(BIRTH))),
    ("gender against ID", lambda w: {"性别": "女", "公民身份号码": new_id(BIRTH, male=True)}, "性别",
     ERR_ID_GENDER.format("男")),
    ("missing name", lambda w: {"姓名": "  "}, "姓名", ERR_REQUIRED),
    ("missing joining date", lambda w: {"入党日期": ""}, "入党日期", ERR_REQUIRED),
    ("missing category", lambda w: {"人员类别": "", "转正日期": ""}, "人员类别", ERR_REQUIRED),
    ("unknown branch", lambda w: {"所在党支部": "后勤党支部"}, "所在党支部",
     ERR_BRANCH_UNKNOWN.format(value="后勤党支部")),
    ("a general branch", lambda w: {"所在党支部": "第一党总支"}, "所在党支部", ERR_ORG_KIND),
    ("group not in the branch", lambda w: {"所在党小组": "第九党小组"}, "所在党小组", ERR_GROUP_NOT_IN_BRANCH),
    ("another branch's group", lambda w: {"所在党支部": "财务处党支部", "所在党小组": "第一党小组"}, "所在党小组",
     ERR_GROUP_NOT_IN_BRANCH),
    ("bad date", lambda w: {"入党日期": "2012-13-01"}, "入党日期", p.ERR_DATE.format(value="2012-13-01")),
    ("future date", lambda w: {"参加工作日期": clock.today() + timedelta(days=1)}, "参加工作日期", future_message),
    ("bad phone", lambda w: {"联系电话": "1391234"}, "联系电话", ERR_PHONE),
    ("bad category", lambda w: {"人员类别": "积极分子"}, "人员类别",
     p.ERR_CHOICE.format(value="积极分子", options=p.OPTIONS_CATEGORY)),
    ("bad gender", lambda w: {"性别": "M"}, "性别", p.ERR_CHOICE.format(value="M", options=p.OPTIONS_GENDER)),
    ("bad education", lambda w: {"学历": "私塾"}, "学历",
     p.ERR_CHOICE.format(value="私塾", options=p.OPTIONS_EDUCATION)),
    ("bad ethnicity", lambda w: {"民族": "火星族"}, "民族",
     p.ERR_CHOICE.format(value="火星族", options=p.OPTIONS_ETHNICITY)),
    ("full member without 转正日期", lambda w: {"转正日期": ""}, "转正日期", ERR_FULL_DATE_MISSING),
    ("probationary with 转正日期", lambda w: {"人员类别": "预备党员"}, "转正日期", ERR_FULL_DATE_PROBATIONARY),
    ("joined under 18", lambda w: {"入党日期": date(2005, 1, 1), "转正日期": date(2006, 1, 1)}, "入党日期",
     ERR_JOIN_AGE),
    ("bad fee base", lambda w: {"党费基数(月)": "六千"}, "党费基数(月)", p.ERR_MONEY.format(value="六千")),
    ("negative fee base", lambda w: {"党费基数(月)": -100}, "党费基数(月)", p.ERR_FEE_NEGATIVE),
    ("name too long", lambda w: {"姓名": "张" * 51}, "姓名", p.ERR_TOO_LONG.format(limit=50, length=51)),
    ("duplicate in the database", lambda w: {"公民身份号码": w.member_b.id_number, "性别": "女",
     "出生日期": w.member_b.birth_date}, "公民身份号码", ERR_ID_DUPLICATE),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "column", "message"), BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_every_kind_of_bad_row_is_reported_and_nothing_is_written(world, tmp_path, case, change, column, message):
    rows = [good_row(), good_row(birth=BIRTH, **change(world)), good_row(birth=date(1990, 5, 5))]
    path = write_xlsx(tmp_path / "bad.xlsx", rows, title="党员花名册", blank_rows=1)
    before = counts()

    report = import_members(acting_user=world.admin, path=path)

    message = message() if callable(message) else message
    assert report.errors == [RowError(5, column, message)]  # title, blank, header: data starts on row 4
    assert not report.ok and (report.created, report.updated) == (0, 0) and report.total_rows == 3
    assert counts() == before


def test_a_row_naming_another_branch_is_refused_for_a_secretary(world, tmp_path):
    """By name or by code, a branch out of the user's scope reads exactly as one that does not exist."""
    rows = [good_row(), good_row(所在党支部="财务处党支部"), good_row(所在党支部="B"), good_row(所在党支部="无此支部")]
    before = counts()
    report = import_members(acting_user=world.secretary_a, path=write_xlsx(tmp_path / "b.xlsx", rows))
    assert report.errors == [
        RowError(3, "所在党支部", ERR_BRANCH_UNKNOWN.format(value="财务处党支部")),
        RowError(4, "所在党支部", ERR_BRANCH_UNKNOWN.format(value="B")),
        RowError(5, "所在党支部", ERR_BRANCH_UNKNOWN.format(value="无此支部")),
    ]
    assert counts() == before
    # The committee admin may.
    assert import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "b.xlsx", rows[:3])).ok


def test_a_duplicate_inside_the_file_names_the_first_row(world, tmp_path):
    first = good_row()
    rows = [first, good_row(), dict(first, 姓名="重复")]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "d.xlsx", rows))
    assert report.errors == [RowError(4, "公民身份号码", ERR_DUPLICATE_IN_FILE.format(row=2))]


def test_every_bad_cell_of_a_row_is_listed(world, tmp_path):
    rows = [good_row(姓名="", 性别="X", 联系电话="1", 所在党支部="无此支部")]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "m.xlsx", rows))
    assert report.errors == [
        RowError(2, "姓名", ERR_REQUIRED),
        RowError(2, "性别", p.ERR_CHOICE.format(value="X", options=p.OPTIONS_GENDER)),
        RowError(2, "联系电话", ERR_PHONE),
        RowError(2, "所在党支部", ERR_BRANCH_UNKNOWN.format(value="无此支部")),
    ]


def test_ambiguous_and_dissolved_branches(world, tmp_path):
    OrgFactory(name="办公室党支部", code="A2", parent=world.committee)
    OrgFactory(name="老干部党支部", code="OLD", parent=world.committee, dissolved_on=date(2024, 1, 1))
    rows = [good_row(), good_row(所在党支部="老干部党支部"), good_row(所在党支部="A2")]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "a.xlsx", rows))
    assert report.errors == [
        RowError(2, "所在党支部", ERR_BRANCH_AMBIGUOUS.format(count=2, value="办公室党支部", codes="A、A2")),
        RowError(3, "所在党支部", ERR_ORG_DISSOLVED),
    ]


def test_a_bad_row_after_good_batches_rolls_everything_back(world, tmp_path, small_batches):
    rows = [good_row(birth=date(1980, 1, d)) for d in range(1, 8)] + [good_row(联系电话="0")]
    before = counts()
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "late.xlsx", rows))
    assert report.errors == [RowError(9, "联系电话", ERR_PHONE)]
    assert counts() == before


@pytest.mark.parametrize("at", [1, 4, 6])  # in the first batch, a middle one, the last (two rows a batch)
@pytest.mark.parametrize("mode", ["plain", "dry_run", "update"])
def test_a_number_on_the_roster_is_found_in_whichever_batch_it_sits(world, tmp_path, small_batches, mode, at):
    """Numbers on the roster are looked up batch by batch: wherever the row sits, it is refused at its own row, or
    (update) updates its member."""
    a = world.member_a
    same = {"公民身份号码": a.id_number, "birth": a.birth_date, "入党日期": a.joined_on, "转正日期": a.full_member_on}
    rows = [good_row(birth=date(1981, 1, d)) for d in range(1, 6)]
    rows.insert(at - 1, good_row(联系电话="13700000000", **same))
    before = counts()
    options = {"dry_run": mode == "dry_run", "update": mode == "update"}
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "q.xlsx", rows), **options)
    if mode == "update":
        assert report.ok, report.errors
        assert (report.created, report.updated) == (5, 1)
        a.refresh_from_db()
        assert a.phone == "13700000000"
    else:
        assert report.errors == [RowError(at + 1, "公民身份号码", ERR_ID_DUPLICATE)]
        assert counts() == before


def test_a_number_on_the_roster_after_written_batches_is_reported_with_every_bad_row(world, tmp_path, small_batches):
    """One pass: the batches before it were already written (and are rolled back), the rows after it still checked."""
    b = world.member_b
    rows = [good_row(birth=date(1981, 1, d)) for d in range(1, 6)]
    rows.append(good_row(公民身份号码=b.id_number, 性别="女", birth=b.birth_date))
    rows.append(good_row(联系电话="0"))
    before = counts()
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "q.xlsx", rows))
    assert report.errors == [RowError(7, "公民身份号码", ERR_ID_DUPLICATE), RowError(8, "联系电话", ERR_PHONE)]
    assert (report.total_rows, report.created, report.dry_run, counts()) == (7, 0, False, before)


@pytest.mark.parametrize("update", [False, True])
def test_an_id_number_added_meanwhile_rolls_the_import_back(world, tmp_path, monkeypatch, update):
    from concurrent.futures import Future

    from dangjian.members.importer.writing import RosterWriter

    def nothing_found(self, numbers):
        future = Future()
        future.set_result([])
        return future

    monkeypatch.setattr(RosterWriter, "lookup", nothing_found)  # as if member_b were added after the lookup
    rows = [good_row(), good_row(公民身份号码=world.member_b.id_number, 性别="女", birth=world.member_b.birth_date)]
    before = counts()
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "race.xlsx", rows), update=update)
    assert report.errors == [RowError(0, "", services.ERR_CHANGED_MEANWHILE)]
    assert (report.created, counts()) == (0, before)


def test_missing_columns_are_reported_before_any_row(world, tmp_path):
    headers = [h for h in HEADERS if h not in {"公民身份号码", "入党日期", "联系电话"}]
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "c.xlsx", [good_row()], headers=headers)
    )
    assert report.missing_columns == ["公民身份号码", "入党日期"] and not report.ok
    assert report.total_rows == 1 and report.errors == []


def test_a_file_without_rows_or_header(world, tmp_path):
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "e.xlsx", []))
    assert report.errors == [RowError(0, "", services.ERR_NO_ROWS)]
    path = tmp_path / "x.csv"
    path.write_text("随便写点什么\n", encoding="utf-8")
    report = import_members(acting_user=world.admin, path=path)
    assert report.header_row == 0 and report.missing_columns == [c.header for c in ROSTER_COLUMNS if c.required]


# ---- --org, --update, dry run, audit ---------------------------------------------------------------------------


def test_rows_without_a_branch_go_to_the_chosen_branch(world, tmp_path):
    rows = [good_row(所在党支部=""), good_row(所在党支部="办公室党支部")]
    report = import_members(
        acting_user=world.secretary_a, path=write_xlsx(tmp_path / "o.xlsx", rows), org=world.branch_a
    )
    assert report.ok, report.errors
    assert Member.objects.filter(id_number__in=[r["公民身份号码"] for r in rows], org=world.branch_a).count() == 2


def test_the_chosen_org_bounds_the_branches_rows_may_name(world, tmp_path):
    rows = [good_row(), good_row(所在党支部="财务处党支部"), good_row(所在党支部="")]
    report = import_members(acting_user=world.admin, path=write_xlsx(tmp_path / "o.xlsx", rows), org=world.general)
    assert report.errors == [
        RowError(3, "所在党支部", ERR_BRANCH_OUTSIDE.format(org="第一党总支")),
        RowError(4, "所在党支部", ERR_REQUIRED),  # a 党总支 takes no members itself
    ]


def test_the_chosen_org_must_be_in_scope_and_not_a_group(world, tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", [good_row()])
    with pytest.raises(PermissionDenied):
        import_members(acting_user=world.secretary_a, path=path, org=world.branch_b)
    with pytest.raises(ValidationError) as error:
        import_members(acting_user=world.admin, path=path, org=world.group_a)
    assert error.value.messages == [ERR_TARGET_KIND]


def test_update_round_trip(world, tmp_path):
    rows = [good_row(), good_row(birth=date(1979, 9, 9))]
    path = write_xlsx(tmp_path / "u.xlsx", rows)
    assert import_members(acting_user=world.secretary_a, path=path).created == 2

    rows[0].update(联系电话="13700000000", **{"工作岗位/职务": "副科长"}, 所在党小组="第一党小组")
    path = write_xlsx(tmp_path / "u.xlsx", rows + [good_row(姓名="新来的")])
    again = import_members(acting_user=world.secretary_a, path=path)
    assert again.errors == [
        RowError(2, "公民身份号码", ERR_ID_DUPLICATE),
        RowError(3, "公民身份号码", ERR_ID_DUPLICATE),
    ]

    before = counts()
    report = import_members(acting_user=world.secretary_a, path=path, update=True)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 2)
    assert counts() == (before[0] + 1, before[1] + 1)
    member = Member.objects.get(id_number=rows[0]["公民身份号码"])
    assert (member.phone, member.position, member.group) == ("13700000000", "副科长", world.group_a)
    entry = LogEntry.objects.latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.additional_data["import"] == {
        "filename": "u.xlsx", "total_rows": 3, "created": 1, "updated": 2, "update": True,
    }  # fmt: skip


def test_update_keeps_columns_the_file_does_not_have(world, tmp_path):
    member = world.member_a
    member.remark = "老党员"
    member.save()
    headers = [h for h in HEADERS if h != "备注"]
    row = good_row(公民身份号码=member.id_number, birth=member.birth_date, 姓名=member.name, 所在党小组="第一党小组",
                   入党日期=member.joined_on, 转正日期=member.full_member_on)  # fmt: skip
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "k.xlsx", [row], headers=headers), update=True
    )
    assert report.ok, report.errors
    member.refresh_from_db()
    assert (member.remark, member.phone) == ("老党员", "13912340001")


def test_update_refuses_members_out_of_scope_and_moves_between_branches(world, tmp_path):
    a = world.member_a
    same = {"公民身份号码": a.id_number, "birth": a.birth_date, "入党日期": a.joined_on, "转正日期": a.full_member_on}
    path = write_xlsx(tmp_path / "s.xlsx", [good_row(所在党支部="财务处党支部", **same)])
    # secretary_b names their own branch, but the member is branch A's, which secretary_b cannot see: the number is
    # taken, and where is not said.
    report = import_members(acting_user=world.secretary_b, path=path, update=True)
    assert report.errors == [RowError(2, "公民身份号码", ERR_ID_ELSEWHERE)]
    # Who sees branch A (an inspector's grant beside the secretary's) is told they may not change the member.
    RoleGrant.objects.create(user=world.secretary_b, role=Role.INSPECTOR, org=world.committee)
    secretary_b = User.objects.get(pk=world.secretary_b.pk)  # grants are cached per user object
    report = import_members(acting_user=secretary_b, path=path, update=True)
    assert report.errors == [RowError(2, "公民身份号码", ERR_OUT_OF_SCOPE)]
    # The admin may change the member, but not move them by import.
    report = import_members(acting_user=world.admin, path=path, update=True)
    assert report.errors == [RowError(2, "所在党支部", services.ERR_MOVE_BY_IMPORT.format(org="办公室党支部"))]
    a.refresh_from_db()
    assert a.org == world.branch_a


@pytest.mark.parametrize("update", [False, True])
def test_a_number_held_outside_the_users_scope_is_refused_without_saying_where(world, tmp_path, update):
    a = world.member_a
    same = {"公民身份号码": a.id_number, "birth": a.birth_date, "入党日期": a.joined_on, "转正日期": a.full_member_on}
    path = write_xlsx(tmp_path / "x.xlsx", [good_row(所在党支部="财务处党支部", **same)])
    report = import_members(acting_user=world.secretary_b, path=path, update=update)
    assert report.errors == [RowError(2, "公民身份号码", ERR_ID_ELSEWHERE)]
    assert a.name not in ERR_ID_ELSEWHERE and world.branch_a.name not in ERR_ID_ELSEWHERE


def test_a_dry_run_checks_everything_and_writes_nothing(world, tmp_path):
    before = counts()
    report = import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "d.xlsx", [good_row(), good_row()]), dry_run=True
    )
    assert report.ok and report.dry_run and report.created == 2
    assert counts() == before


def test_the_import_is_one_audit_entry_filed_under_the_orgs_it_touched(world, tmp_path):
    rows = [good_row(), good_row(所在党支部="财务处党支部")]
    import_members(
        acting_user=world.secretary_a, path=write_xlsx(tmp_path / "one.xlsx", rows[:1]), filename="花名册.xlsx"
    )
    entry = LogEntry.objects.latest("timestamp")
    assert (entry.actor, entry.action, entry.object_repr) == (
        world.secretary_a,
        LogEntry.Action.CREATE,
        "花名册导入：花名册.xlsx",
    )
    assert entry.content_type.model == "member"
    assert entry.additional_data["org_path"] == world.branch_a.path
    assert entry.changes_dict["新增"][1] == "1" and entry.changes_dict["文件"][1] == "花名册.xlsx"

    import_members(acting_user=None, path=write_xlsx(tmp_path / "two.xlsx", [good_row(), rows[1]]))
    entry = LogEntry.objects.latest("timestamp")
    assert entry.actor is None and entry.additional_data["org_path"] == world.committee.path


def test_progress_is_reported_per_batch_and_finished(world, tmp_path, small_batches):
    calls = []
    rows = [good_row(birth=date(1980, 1, d)) for d in range(1, 6)]
    import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "p.xlsx", rows), progress=lambda *a: calls.append(a)
    )
    assert calls[-1] == (5, 5, "")
    assert [done for done, *_ in calls] == sorted(done for done, *_ in calls)
    phases = [phase for *_, phase in calls]
    # Small batches of 2 rows: checked and written batch by batch, the last batch flushed, then saved.
    assert phases[:3] == ["正在检查并写入第 2 / 5 行", "正在检查并写入第 4 / 5 行", "正在检查并写入第 5 / 5 行"]
    assert phases[3:5] == ["正在写入最后一批（共 5 行）", "正在保存（共 5 行）"]


def test_progress_phases_say_checking_once_a_row_is_bad(world, tmp_path, small_batches):
    calls = []
    rows = [good_row(birth=date(1980, 1, 1)), good_row(联系电话="1"), good_row(birth=date(1980, 1, 3))]
    import_members(
        acting_user=world.admin, path=write_xlsx(tmp_path / "p.xlsx", rows), progress=lambda *a: calls.append(a)
    )
    # The first batch's rows are settled (and its bad row found) while the second batch is checked: from then on
    # nothing is written, and the phase says so.
    assert [phase for *_, phase in calls] == ["正在检查并写入第 2 / 3 行", "正在检查第 3 / 3 行", ""]


def test_progress_phases_of_a_dry_run_and_of_updates(world, tmp_path, small_batches):
    calls = []
    rows = [good_row(birth=date(1980, 1, d)) for d in range(1, 4)]
    path = write_xlsx(tmp_path / "p.xlsx", rows)
    import_members(acting_user=world.admin, path=path, dry_run=True, progress=lambda *a: calls.append(a))
    assert [phase for *_, phase in calls] == ["正在检查第 2 / 3 行", "正在检查第 3 / 3 行", ""]
    import_members(acting_user=world.admin, path=path)
    calls.clear()
    import_members(acting_user=world.admin, path=path, update=True, progress=lambda *a: calls.append(a))
    phases = [phase for *_, phase in calls]
    assert "正在更新已有党员 0 / 3 名" in phases and phases.index("正在更新已有党员 0 / 3 名") < phases.index(
        "正在保存（共 3 行）"
    )


# ---- the error report ------------------------------------------------------------------------------------------


def test_the_error_report_is_the_file_with_a_reason_column(world, tmp_path):
    rows = [good_row(), good_row(联系电话="1"), good_row(所在党支部="无此支部", 姓名="")]
    path = write_xlsx(tmp_path / "bad.xlsx", rows, title="办公室党支部党员花名册", blank_rows=1)
    report = import_members(acting_user=world.admin, path=path)
    out = tmp_path / "errors.xlsx"
    write_error_report(path=path, report=report, out=str(out))

    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    reason = len(HEADERS)
    assert sheet[0][0] == "办公室党支部党员花名册"
    assert sheet[2][: reason + 1] == [*HEADERS, ERROR_COLUMN]
    assert sheet[3][reason] == ""  # a good row
    assert sheet[4][reason] == f"联系电话：{ERR_PHONE}"
    assert sheet[5][reason] == f"姓名：{ERR_REQUIRED}；所在党支部：{ERR_BRANCH_UNKNOWN.format(value='无此支部')}"
    assert sheet[4][HEADERS.index("公民身份号码")] == rows[1]["公民身份号码"]  # still text
    assert sheet[4][HEADERS.index("出生日期")] == date(1988, 3, 15)  # still a date

    # Fixed where it stands, the report imports as it is (its extra column is ignored).
    fixed = write_xlsx(tmp_path / "fixed.xlsx", [rows[0], good_row(), good_row()], headers=[*HEADERS, ERROR_COLUMN],
                       keys=[*HEADERS, "x"])  # fmt: skip
    assert import_members(acting_user=world.admin, path=fixed).ok


def test_the_error_report_of_a_csv(world, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [good_row(性别="男的")], encoding="gbk")
    report = import_members(acting_user=world.admin, path=path)
    out = tmp_path / "errors.xlsx"
    write_error_report(path=path, report=report, out=str(out))
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == "赵海燕" and sheet[1][-1].startswith("性别：")
