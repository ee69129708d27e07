"""The 预备党员 list: 预备期满 computed (an extension applied), the filters, the sort, the export, one query."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core import clock as core_clock
from dangjian.development import rules, services
from dangjian.development.models import Applicant
from dangjian.development.selectors import probation_rows
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def probationary(world, name, days_ago, org=None):
    return MemberFactory(
        name=name,
        org=org or world.branch_a,
        category="probationary",
        joined_on=core_clock.today() - timedelta(days=days_ago),
        full_member_on=None,
    )


@pytest.fixture
def people(world, clock):
    soon = probationary(world, "甲预备", 350)
    late = probationary(world, "乙预备", 400)
    fresh = probationary(world, "丙预备", 30)
    other = probationary(world, "丁预备", 100, org=world.branch_b)
    record = services.probation_record(by=world.secretary_a, member=late)
    Applicant.objects.unrestricted().filter(pk=record.pk).update(extended_months=6)
    return soon, late, fresh, other


def names(rows):
    return [r.member.name for r in rows]


def test_rows_in_scope_sorted_by_end_with_the_extension(world, people):
    soon, late, fresh, other = people
    rows = probation_rows(world.secretary_a)
    assert names(rows) == ["甲预备", "乙预备", "丙预备"]  # 乙's end moved six months by the extension
    assert rows[1].ends_on == rules.probation_end(late.joined_on, 6) and rows[1].record is not None
    assert rows[0].ends_on == rules.probation_end(soon.joined_on) and rows[0].record is None
    assert names(probation_rows(world.secretary_a, due="soon")) == ["甲预备"]
    assert names(probation_rows(world.secretary_b)) == ["丁预备"]
    assert names(probation_rows(world.admin, world.branch_b)) == ["丁预备"]


def test_overdue_filter(world, people):
    probationary(world, "戊预备", 400)
    assert names(probation_rows(world.secretary_a, due="overdue")) == ["戊预备"]


def test_the_page_and_export(world, people, client_for, django_assert_max_num_queries):
    client = client_for(world.secretary_a)
    url = reverse("development:probation")
    client.get(url)
    with django_assert_max_num_queries(30) as before:
        text = client.get(url).content.decode()
    assert text.count("data-member=") == 3 and "丁预备" not in text and "延长6个月" in text
    for i in range(5):
        probationary(world, f"更多{i}", 10 + i)
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).content.decode().count("data-member=") == 8
    assert client.get(url + "?sort=name&due=bogus").status_code == 200
    response = client.get(reverse("development:probation_export") + "?due=soon")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = [tuple(r) for r in book.get_sheet_by_index(0).to_python()]
    assert rows[0][0] == "姓名" and [r[0] for r in rows[1:]] == ["甲预备"]
