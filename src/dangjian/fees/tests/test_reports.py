"""The collection report: by month and year of an org's subtree, the trend chart's data, the yearly 党费收缴情况 per
branch (members, due, paid, rate, remitted, arrears), its xlsx and printable page."""

import json
from datetime import date

import pytest
from django.urls import reverse

from dangjian.fees import reconciliation as rec

from .remit_world import line, remittance_of, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(clock):
    return clock.today().year - 1


@pytest.fixture
def books(world, year):
    for m in (1, 2, 3):
        line(world.member_a, date(year, m, 1), paid=9000)
        line(world.member_a2, date(year, m, 1), paid=9000 if m == 1 else 0)
    remittance_of(world.branch_a, month=date(year, 1, 1), amount_fen=18_000, remitted_on=date(year, 2, 1))
    line(world.member_b, date(year, 1, 1), due=3000, paid=3000)
    line(world.member_b, date(year + 1, 1, 1), due=3000, paid=0)  # another year


def test_year_rows_by_hand(world, books, year, clock):
    a, b = rec.year_rows(fetched_by=world.admin, branches=[world.branch_a, world.branch_b], year=year)
    assert (a.members, a.due, a.paid, a.remitted, a.arrears, a.rate) == (2, 54000, 36000, 18000, 18000, "66.7%")
    assert (b.members, b.due, b.paid, b.remitted, b.arrears, b.rate) == (1, 3000, 3000, 0, 0, "100.0%")


def test_page_with_trend_data(world, books, year, client_for):
    response = client_for(world.admin).get(reverse("fees:report"), {"year": year})
    assert response.status_code == 200
    text = response.content.decode()
    trend = json.loads(text.split('id="fees-trend-data" type="application/json">')[1].split("</script>")[0])
    assert trend["months"][:3] == ["1月", "2月", "3月"] and len(trend["months"]) == 12
    assert trend["due"][:3] == ["210.00", "180.00", "180.00"]
    assert trend["collected"][:3] == ["210.00", "90.00", "90.00"]
    assert trend["remitted"][:2] == ["180.00", "0.00"]
    assert "dangjian/fees-trend.js" in text and "vendor/echarts/echarts.min.js" in text
    assert "<script>" not in text.replace('<script src="', "")  # no inline script (CSP)
    assert "66.7%" in text and "180.00" in text


def test_print_page_and_xlsx(world, books, year, client_for):
    client = client_for(world.secretary_a)
    printed = client.get(reverse("fees:report_print"), {"org": world.branch_a.pk, "year": year})
    text = printed.content.decode()
    assert printed.status_code == 200 and f"办公室党支部{year}年党费收缴情况" in text and "fees-print.css" in text
    assert "财务处党支部" not in text
    response = client_for(world.admin).get(reverse("fees:report_export"), {"year": year})
    monthly = xlsx_rows(response, 0)
    assert monthly[0] == ["月份", "应交（元）", "已交（元）", "收缴率", "已上缴（元）"]
    assert monthly[1] == [f"{year}-01", 210.0, 210.0, "100.0%", 180.0]
    assert monthly[-1] == [f"{year}年合计", 570.0, 390.0, "68.4%", 180.0]
    response = client_for(world.admin).get(reverse("fees:report_export"), {"year": year})
    table = xlsx_rows(response, 1)
    assert table[0][:3] == ["序号", "党支部", "党员人数"]
    assert table[1] == [1, "办公室党支部", 2, 540.0, 360.0, "66.7%", 180.0, 180.0]
    assert table[2][1] == "财务处党支部"


def test_outsider_404(world, books, year, client_for):
    client = client_for(world.secretary_b)
    for name in ("fees:report", "fees:report_print", "fees:report_export"):
        assert client.get(reverse(name), {"org": world.branch_a.pk}).status_code == 404
    assert "办公室党支部" not in client.get(reverse("fees:report"), {"year": year}).content.decode()
