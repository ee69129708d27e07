"""import_members: real files in every accepted format, every kind of bad row, all or nothing, --update, scope."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from dangjian.core.lib import idcard
from dangjian.core.lib.dates import format_cn_date
from dangjian.members.choices import Category, Education, Gender
from dangjian.members.importer import ImportReport, RowError, import_members
from dangjian.members.models import Member

from .test_importer_support import HEADERS, good_row, new_id, write_csv, write_xls, write_xlsx

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Member.objects.count(), LogEntry.objects.count()


def test_it_imports_an_xlsx_with_a_title_row_and_a_blank_row_above_the_header(world, tmp_path):
    rows = [good_row(), good_row(姓名="钱 多多", 性别="女", 所在党小组="第一党小组", birth=date(1990, 1, 2))]
    path = write_xlsx(tmp_path / "花名册.xlsx", rows, title="办公室党支部党员花名册", blank_rows=1, trailing_blank=3)
    before = Member.objects.count()

    report = import_members(acting_user=world.secretary_a, path=path)

    assert report.ok, report.errors
    assert (report.total_rows, report.created, report.updated, report.header_row) == (2, 2, 0, 3)
    assert Member.objects.count() == before + 2
    first = Member.objects.get(id_number=rows[0]["公民身份号码"])
    assert (first.name, first.name_pinyin, first.name_initials) == ("赵海燕", "zhaohaiyan", "zhy")
    assert (first.gender, first.education, first.category) == (Gender.MALE, Education.BACHELOR, Category.FULL)
    assert (first.birth_date, first.full_member_on, first.fee_base) == (date(1988, 3, 15), date(2013, 7, 1), Decimal("6000.00"))
    assert (first.org, first.group, first.phone) == (world.branch_a, None, "13912340001")
    second = Member.objects.get(id_number=rows[1]["公民身份号码"])
    assert (second.name, second.gender, second.group) == ("钱多多", Gender.FEMALE, world.group_a)
