"""The yearly statistics per branch: hand-made step records of known years and decisions."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.development import rules, selectors, services
from dangjian.development.models import StepRecord

from .dev_world import new_applicant, person

pytestmark = pytest.mark.django_db


def _steps(applicant, *rows):
    for step, done_on, round_, decision in rows:
        StepRecord.objects.create(applicant=applicant, step=step, done_on=done_on, round=round_, decision=decision)


@pytest.fixture
def year(world, clock):
    y = clock.today().year - 1
    a1 = new_applicant(world, 1, applied_on=date(y, 2, 1))
    _steps(a1, (4, date(y, 3, 1), 0, ""), (7, date(y, 5, 1), 0, ""))
    a2 = new_applicant(world, 2, applied_on=date(y - 1, 2, 1))
    _steps(a2, (17, date(y, 6, 1), 0, ""), (23, date(y, 7, 1), 0, rules.CONFIRM), (24, date(y, 8, 1), 0, ""))
    a3 = services.create_applicant(by=world.secretary_b, org=world.branch_b, applied_on=date(y, 1, 2), **person(3))
    _steps(
        a3,
        (23, date(y - 1, 12, 20), 0, rules.EXTEND),
        (24, date(y, 2, 1), 0, ""),
        (23, date(y, 9, 1), 1, rules.CANCEL),
        (24, date(y, 10, 1), 1, ""),
    )
    return y


def _row(row) -> dict:
    return {key: n for (key, _label), n in zip(selectors.STAT_COLUMNS, row.cells, strict=True) if n}


def test_each_branch_counts_its_steps_of_the_year(world, year, client_for):
    page = client_for(world.admin).get(reverse("development:stats") + f"?year={year}")
    rows = {row.org.name: _row(row) for row in page.context["rows"]}
    assert rows["办公室党支部"] == {"applied": 1, "activists": 1, "candidates": 1, "accepted": 1, "confirmed": 1}
    assert rows["财务处党支部"] == {"applied": 1, "extended": 1, "cancelled": 1}
    assert _row(page.context["total"]) == {
        "applied": 2,
        "activists": 1,
        "candidates": 1,
        "accepted": 1,
        "confirmed": 1,
        "extended": 1,
        "cancelled": 1,
    }
    earlier = client_for(world.admin).get(reverse("development:stats") + f"?year={year - 1}")
    assert _row(earlier.context["total"]) == {"applied": 1}  # a2's application; a3's 23 counts only with its 24


def test_a_secretary_sees_their_branch(world, year, client_for):
    page = client_for(world.secretary_b).get(reverse("development:stats") + f"?year={year}")
    assert [row.org.name for row in page.context["rows"]] == ["财务处党支部"]
    assert _row(page.context["total"]) == {"applied": 1, "extended": 1, "cancelled": 1}
    assert "办公室党支部" not in page.content.decode()


def test_a_bad_year_is_refused_with_a_message(world, year, client_for):
    page = client_for(world.admin).get(reverse("development:stats") + "?year=3000")
    assert page.status_code == 200 and "年份应在 2000 年至今年之间" in page.content.decode()


def test_the_export_is_a_workbook(world, year, client_for):
    response = client_for(world.admin).get(reverse("development:stats_export") + f"?year={year}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_the_stats_queries_do_not_grow_with_records(world, year, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("development:stats") + f"?year={year}")
    for n in range(10, 20):
        new_applicant(world, n, applied_on=date(year, 3, n))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("development:stats") + f"?year={year}")
    assert _row(page.context["total"])["applied"] == 12
    assert len(many) == len(few)
