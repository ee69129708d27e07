"""The committee's reconciliation on a small tree against hand-computed numbers; constant queries; the xlsx."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.fees import reconciliation as rec
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.tests.factories import OrgFactory

from .remit_world import line, remittance_of, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(clock):
    return clock.today().year - 1  # a whole past year: twelve months shown, whatever today is


@pytest.fixture
def books(world, year):
    jan, feb, mar = (date(year, m, 1) for m in (1, 2, 3))
    line(world.member_a, jan, paid=9000)
    line(world.member_a2, jan, paid=4000)
    remittance_of(world.branch_a, month=jan, amount_fen=13_000, remitted_on=date(year, 2, 5))
    line(world.member_a, feb, paid=9000)
    line(world.member_a2, feb, due=9000, paid=0)
    remittance_of(world.branch_a, month=feb, amount_fen=5000, remitted_on=date(year, 3, 5))
    line(world.member_b, jan, paid=9000)
    remittance_of(world.branch_b, month=jan, amount_fen=10_000, remitted_on=date(year, 2, 5))
    line(world.member_b, mar, paid=9000)
    remittance_of(world.branch_b, month=mar, amount_fen=9000, remitted_on=date(year, 4, 5))
    wrong = remittance_of(world.branch_b, month=mar, amount_fen=500, remitted_on=date(year, 4, 6))
    remittance_of(world.branch_b, month=mar, amount_fen=-500, remitted_on=date(year, 4, 7), reverses=wrong, reason="错")
    line(world.member_a, date(year - 1, 12, 1), paid=0)  # the year before: not counted
    return jan, feb, mar


def _cells(row):
    return {m.month: (c.due, c.collected, c.remitted, c.state) for m, c in row.pairs if not c.empty}


def test_branch_rows_and_totals_as_computed_by_hand(world, books, year):
    months = rec.year_months(year)
    assert len(months) == 12
    branches = list(rec.branches_of(fetched_by=world.admin, root=None, year=year))
    assert [b.name for b in branches] == ["办公室党支部", "财务处党支部"]
    a, b = rec.branch_rows(fetched_by=world.admin, branches=branches, months=months)
    assert _cells(a) == {1: (18000, 13000, 13000, "unpaid"), 2: (18000, 9000, 5000, "not_remitted")}
    assert _cells(b) == {1: (9000, 9000, 10000, "over"), 3: (9000, 9000, 9000, "")}
    assert (a.total.due, a.total.collected, a.total.remitted) == (36000, 22000, 18000)
    total = rec.totals(fetched_by=world.admin, root=None, months=months)
    assert _cells(total) == {
        1: (27000, 22000, 23000, "over"),
        2: (18000, 9000, 5000, "not_remitted"),
        3: (9000, 9000, 9000, ""),
    }
    assert total.total.rate == "74.1%"  # 40000 / 54000
    # the secretary of branch A sees only A
    mine = list(rec.branches_of(fetched_by=world.secretary_a, root=None, year=year))
    assert mine == [world.branch_a]
    assert _cells(rec.totals(fetched_by=world.secretary_a, root=None, months=months))[1] == (
        18000,
        13000,
        13000,
        "unpaid",
    )


def test_child_orgs_rolled_up(world, books, year):
    months = rec.year_months(year)
    orgs = list(rec.child_orgs(fetched_by=world.admin, root=world.committee))
    assert [o.name for o in orgs] == ["第一党总支", "财务处党支部"]
    general, b = rec.rolled_rows(fetched_by=world.admin, orgs=orgs, months=months)
    assert _cells(general)[1] == (18000, 13000, 13000, "unpaid") and general.branches == 1
    assert _cells(b)[3] == (9000, 9000, 9000, "")
    assert list(rec.child_orgs(fetched_by=world.admin, root=None)) == orgs  # the one top's children
    (committee,) = rec.rolled_rows(fetched_by=world.admin, orgs=[world.committee], months=months)
    assert committee.total.due == 54000 and committee.branches == 2
    mixed = rec.rolled_rows(fetched_by=world.admin, orgs=[world.general, world.branch_b], months=months)
    assert [_cells(r) for r in mixed] == [_cells(general), _cells(b)]  # orgs of different depths: by whole path
    deep = rec.rolled_rows(fetched_by=world.admin, orgs=[world.general, world.branch_a], months=months)
    assert _cells(deep[0]) == _cells(deep[1]) == _cells(general)


def test_page_marks_differences_and_links_the_ledger(world, books, year, client_for):
    response = client_for(world.admin).get(reverse("fees:reconcile"), {"year": year})
    assert response.status_code == 200
    text = response.content.decode()
    assert f'data-state="over" data-month="{year}-01"' in text
    assert f'data-state="not_remitted" data-month="{year}-02"' in text
    assert f"{reverse('fees:ledger')}?org={world.branch_a.pk}&month={year}-01" in text
    assert "180.00" in text and "130.00" in text
    rolled = client_for(world.admin).get(reverse("fees:reconcile"), {"year": year, "view": "children"})
    assert "第一党总支" in rolled.content.decode()
    refused = client_for(world.admin).get(reverse("fees:reconcile"), {"year": "1999"})
    assert "年份应在" in refused.content.decode()
    assert reverse("fees:reconcile_totals") in text  # the totals load after the rows
    totals = client_for(world.admin).get(reverse("fees:reconcile_totals"), {"year": year})
    assert totals.status_code == 200 and totals.context["total"].total.due == 54000
    assert "540.00" in totals.content.decode() and "上缴多于收缴" in totals.content.decode()  # January's
    mine = client_for(world.secretary_a).get(reverse("fees:reconcile_totals"), {"year": year})
    assert mine.context["total"].total.due == 36000


def test_outsider_gets_404_and_sees_nothing_of_others(world, books, year, client_for):
    client = client_for(world.secretary_b)
    assert client.get(reverse("fees:reconcile"), {"org": world.branch_a.pk}).status_code == 404
    assert client.get(reverse("fees:reconcile"), {"org": world.general.pk}).status_code == 404
    own = client.get(reverse("fees:reconcile"), {"year": year}).content.decode()
    assert "办公室党支部" not in own and "财务处党支部" in own
    assert client_for(world.member_user_a).get(reverse("fees:reconcile")).status_code == 404


def _branches(world, n, year, start=0):
    for i in range(start, start + n):
        branch = OrgFactory(name=f"测试党支部{i}", code=f"T{i}", parent=world.committee)
        member = MemberFactory(org=branch)
        line(member, date(year, 1, 1), paid=9000)
        remittance_of(branch, month=date(year, 1, 1), amount_fen=9000, remitted_on=date(year, 2, 1))


@pytest.mark.parametrize("view", ["", "children"])
def test_constant_queries_whatever_the_branches(world, year, client_for, view):
    client = client_for(world.admin)
    url = reverse("fees:reconcile")
    client.get(url, {"year": year, "view": view})  # warm the session
    _branches(world, 2, year)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"year": year, "view": view}).status_code == 200
    _branches(world, 10, year, start=2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"year": year, "view": view})
    assert page.status_code == 200
    assert len(many) == len(few) <= 12
    assert "测试党支部11" in page.content.decode() or view == "children"


def test_export(world, books, year, client_for):
    response = client_for(world.admin).get(reverse("fees:reconcile_export"), {"year": year})
    rows = xlsx_rows(response)
    assert rows[0][:5] == ["组织", "月份", "应交（元）", "已收缴（元）", "已上缴（元）"]
    jan_a = next(r for r in rows if r[0] == "办公室党支部" and r[1] == f"{year}-01")
    assert jan_a[2:9] == [180.0, 130.0, 130.0, 50.0, 0.0, 0.0, "未收齐"]
    jan_b = next(r for r in rows if r[0] == "财务处党支部" and r[1] == f"{year}-01")
    assert jan_b[8] == "上缴多于收缴" and jan_b[7] == 10.0
    whole = next(r for r in rows if r[0] == "全部（合计）" and r[1] == "全年")
    assert whole[2:5] == [540.0, 400.0, 370.0]
