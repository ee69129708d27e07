"""The 党费基数 pages: the list (scope, filters, sort, export, constant queries) and a member's fee page."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.fees import ledger
from dangjian.fees.bases import set_base
from dangjian.fees.choices import BaseSource, FeeKind
from dangjian.fees.models import FeeBase, LedgerLine
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 15)
MAY = date(2026, 5, 1)


@pytest.fixture
def may(clock, world):
    clock.set(TODAY)
    ledger.seed_roster_bases()
    return TODAY


def names(response) -> list[str]:
    return [m.name for m in response.context["page"].object_list]


def test_the_list_shows_the_scope_with_bases_and_pending_marks(world, may, client_for):
    set_base(by=world.secretary_a, member=world.member_a2, kind=FeeKind.RETIRED, base_fen=400_000, effective_month=MAY)
    response = client_for(world.secretary_a).get(reverse("fees:bases"))
    assert response.status_code == 200
    text = response.content.decode()
    assert sorted(names(response)) == sorted(["王小明", "张宏伟"]) and "李秀英" not in text
    row = {m.name: m for m in response.context["page"].object_list}
    assert (row["王小明"].b_kind, row["王小明"].b_base, row["王小明"].due, row["王小明"].pending) == (
        "employed",
        600_000,
        9000,
        True,
    )
    assert (row["张宏伟"].kind_label, row["张宏伟"].due, row["张宏伟"].pending) == ("离退休", 2000, False)
    assert text.count('data-testid="pending"') == 1


def test_filters_search_and_sort(world, may, client_for):
    set_base(by=world.admin, member=world.member_a2, kind=FeeKind.STUDENT, effective_month=MAY)
    client = client_for(world.admin)
    url = reverse("fees:bases")
    assert names(client.get(url, {"kind": "student"})) == ["张宏伟"]
    assert sorted(names(client.get(url, {"pending": "1"}))) == ["李秀英", "王小明"]
    assert names(client.get(url, {"q": "秀"})) == ["李秀英"]
    assert names(client.get(url, {"q": "wxm"})) == ["王小明"]
    assert names(client.get(url, {"org": world.branch_b.pk})) == ["李秀英"]
    assert names(client.get(url, {"sort": "kind"}))[-1] == "张宏伟"  # employed < student
    assert names(client.get(url, {"sort": "-kind"}))[0] == "张宏伟"
    assert names(client.get(url, {"kind": "none"})) == []


def test_an_outsider_gets_404_for_an_org_and_a_member(world, may, client_for):
    client = client_for(world.secretary_b)
    assert client.get(reverse("fees:bases"), {"org": world.branch_a.pk}).status_code == 404
    assert client.get(reverse("fees:member", args=[world.member_a.pk])).status_code == 404
    response = client.post(
        reverse("fees:member", args=[world.member_a.pk]),
        {"kind": "employed", "base_fen": "1", "effective_month": "2026-05"},
    )
    assert response.status_code == 404
    assert FeeBase.objects.get(member=world.member_a).source == BaseSource.ROSTER


def test_the_list_runs_a_fixed_number_of_queries(world, may, client_for):
    client = client_for(world.secretary_a)
    url = reverse("fees:bases") + "?per_page=100"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        MemberFactory(org=world.branch_a)
    ledger.seed_roster_bases()
    with CaptureQueriesContext(connection) as many:
        assert len(names(client.get(url))) == 17
    assert len(many) == len(few)


def test_export_is_the_filtered_list(world, may, client_for):
    response = client_for(world.secretary_a).get(reverse("fees:bases_export"), {"q": "王"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = [tuple(r) for r in book.get_sheet_by_index(0).to_python()]
    assert rows[0][:4] == ("姓名", "党支部", "交纳类别", "党费基数（元）")
    assert rows[1:] == [("王小明", "办公室党支部", "在职", "6000.00", "", "90.00", rows[1][6], "花名册（待核定）")]


def test_a_member_page_sets_a_base_and_recomputes_the_ledger(world, may, client_for):
    ledger.generate_month(MAY)
    client = client_for(world.secretary_a)
    url = reverse("fees:member", args=[world.member_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="base-form"' in page.content.decode()
    assert "110101" not in page.content.decode()  # no ID number on a fee page
    response = client.post(url, {"kind": "employed", "base_fen": "12000.5", "effective_month": "2026-05"})
    assert response.status_code == 302
    base = FeeBase.objects.get(member=world.member_a, effective_month=MAY)
    assert (base.base_fen, base.source, base.recorded_by) == (1_200_050, BaseSource.MANUAL, world.secretary_a)
    assert LedgerLine.objects.get(member=world.member_a, month=MAY).due_fen == 24_001
    page = client.get(url).content.decode()
    assert "12000.50" in page and "已重算 1 个月" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "employed", "base_fen": "6000.123", "effective_month": "2026-05"}, "两位小数"),
        ({"kind": "employed", "base_fen": "-1", "effective_month": "2026-05"}, "不能为负数"),
        ({"base_fen": "6000", "effective_month": "2026-05"}, "请选择一项"),
        ({"kind": "employed", "base_fen": "6000", "effective_month": "2026-07"}, "最晚为下月"),
        ({"kind": "farmer", "fixed_fen": "2", "effective_month": "2026-05"}, "0.2 元至 1 元"),
        ({"kind": "exempt", "effective_month": "2026-05"}, "批准日期和理由"),
        ({"kind": "employed", "base_fen": "6000", "effective_month": "2026-13"}, "月份格式"),
    ],
)
def test_the_form_refuses_bad_input_and_writes_nothing(world, may, client_for, data, message):
    response = client_for(world.secretary_a).post(reverse("fees:member", args=[world.member_a.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert FeeBase.objects.filter(member=world.member_a).count() == 1


def test_an_inspector_reads_without_a_form(world, may, client_for):
    client = client_for(world.inspector)
    url = reverse("fees:member", args=[world.member_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(url, {"kind": "student", "effective_month": "2026-05"}).status_code == 404
