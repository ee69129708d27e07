"""/api/v1/fees: bases, ledger lines, payments — scoped (an outsider's ?org= is 404, a member's token sees their own
rows), amounts in fen and yuan, Chinese 422s on bad parameters, a fixed number of queries."""

from datetime import timedelta

import pytest

from dangjian.core import clock as core_clock
from dangjian.fees import ledger, rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.models import FeeBase, LedgerLine

from .fee_world import fee_world, pay

pytestmark = pytest.mark.django_db
BASES, LEDGER, PAYMENTS = "/api/v1/fees/bases", "/api/v1/fees/ledger", "/api/v1/fees/payments"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["member"]["name"] for row in response.json()["results"]}


def test_bases_current_per_member_or_one_members_history(world, api_get, clock):
    fee_world(world)
    this_month = rules.month_first(core_clock.today())
    FeeBase.objects.create(member=world.member_a, kind=FeeKind.RETIRED, base_fen=450_000, effective_month=this_month)
    FeeBase.objects.create(  # not yet in force
        member=world.member_a, kind=FeeKind.FARMER, fixed_fen=50, effective_month=rules.add_months(this_month, 2)
    )
    body = api_get(world.admin, BASES).json()
    assert body["count"] == 3
    mine = next(row for row in body["results"] if row["member"]["id"] == world.member_a.pk)
    assert mine["kind"] == "retired" and mine["base_fen"] == 450_000 and mine["base_yuan"] == "4500.00"
    assert mine["monthly_due_fen"] == 2250 and mine["monthly_due_yuan"] == "22.50"
    assert mine["effective_month"] == f"{this_month:%Y-%m}"
    history = api_get(world.admin, BASES, member=world.member_a.pk).json()
    assert [row["kind"] for row in history["results"]] == ["farmer", "retired", "employed"]
    assert history["results"][0]["fixed_yuan"] == "0.50" and history["results"][0]["base_fen"] is None
    assert names(api_get(world.secretary_a, BASES)) == {"王小明", "张宏伟"}
    assert names(api_get(world.member_user_a, BASES)) == {"王小明"}
    assert api_get(world.secretary_b, BASES, member=world.member_a.pk).status_code == 404
    assert api_get(world.member_user_a, BASES, member=world.member_a2.pk).status_code == 404


def test_ledger_by_month_and_unpaid(world, api_get, clock):
    fee_world(world)
    this_month = rules.month_first(core_clock.today())
    last_month = rules.add_months(this_month, -1)
    body = api_get(world.admin, LEDGER, month=f"{last_month:%Y-%m}").json()
    assert body["count"] == 3
    row = next(r for r in body["results"] if r["member"]["id"] == world.member_a.pk)
    due = rules.monthly_due(FeeKind.EMPLOYED, 600_000)
    assert (row["due_fen"], row["paid_fen"], row["owed_fen"]) == (due, due, 0)
    assert row["due_yuan"] == rules.yuan(due) and row["org"]["name"] == "办公室党支部"
    assert row["month"] == f"{last_month:%Y-%m}"
    unpaid = api_get(world.admin, LEDGER, month=f"{last_month:%Y-%m}", unpaid="true")
    assert names(unpaid) == {"张宏伟"}
    paid = api_get(world.admin, LEDGER, month=f"{last_month:%Y-%m}", unpaid="false")
    assert names(paid) == {"王小明", "李秀英"}
    assert api_get(world.admin, LEDGER).json()["count"] == 6  # every month
    assert names(api_get(world.member_user_a, LEDGER)) == {"王小明"}
    assert api_get(world.member_user_a, LEDGER).json()["count"] == 2
    assert api_get(world.secretary_b, LEDGER).json()["count"] == 2  # their branch's, both months


def test_payments_by_member_and_dates(world, api_get, clock):
    fee_world(world)
    today = core_clock.today()
    body = api_get(world.admin, PAYMENTS).json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["member"]["id"] == world.member_b.pk)
    assert row["receipt_no"] == "B-0001" and row["method"] == "cash" and row["reverses"] is None
    assert row["amount_yuan"] == rules.yuan(row["amount_fen"]) and row["extra_fen"] == 0
    assert names(api_get(world.admin, PAYMENTS, member=world.member_a.pk)) == {"王小明"}
    assert names(api_get(world.member_user_a, PAYMENTS)) == {"王小明"}
    assert names(api_get(world.secretary_b, PAYMENTS)) == {"李秀英"}
    day = today.isoformat()
    assert api_get(world.admin, PAYMENTS, **{"from": day, "to": day}).json()["count"] == 2
    assert api_get(world.admin, PAYMENTS, to=(today - timedelta(days=1)).isoformat()).json()["count"] == 0


def test_an_outsiders_org_is_404_and_nothing_leaks(world, api_get, clock):
    fee_world(world)
    for url in (BASES, LEDGER, PAYMENTS):
        refused = api_get(world.secretary_b, url, org=world.branch_a.pk)
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
        assert api_get(world.secretary_b, url, org=999_999).status_code == 404
        assert names(api_get(world.member_user_a, url, org=world.branch_a.pk)) == {"王小明"}
        assert names(api_get(world.admin, url, org=world.general.pk)) <= {"王小明", "张宏伟"}


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        (LEDGER, {"month": "2026-13"}, "month", "月份格式应为"),
        (LEDGER, {"month": "March"}, "month", "月份格式应为"),
        (LEDGER, {"unpaid": "maybe"}, "unpaid", "请输入 true 或 false"),
        (BASES, {"org": "abc"}, "org", "请输入整数"),
        (BASES, {"member": "x"}, "member", "请输入整数"),
        (PAYMENTS, {"from": "2026-03-05", "to": "2026-03-01"}, "from", "开始日期不能晚于结束日期"),
        (PAYMENTS, {"from": "03/05/2026"}, "from", "YYYY-MM-DD"),
        (PAYMENTS, {"page_size": "500"}, "page_size", "不能大于 100"),
    ],
)
def test_bad_parameters_are_422_in_chinese(world, api_get, url, params, field, message):
    response = api_get(world.admin, url, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(e["field"] == field and message in e["message"] for e in body["errors"]), body


def test_lists_cost_a_fixed_number_of_queries(world, api_get, django_assert_max_num_queries, clock):
    from dangjian.members.tests.factories import MemberFactory

    for _ in range(30):
        MemberFactory(org=world.branch_b)
    ledger.seed_roster_bases()
    this_month = rules.month_first(core_clock.today())
    ledger.generate_month(this_month)
    for line in LedgerLine.objects.unrestricted().filter(month=this_month)[:20]:
        pay(line.member, line)
    api_get(world.admin, BASES)  # the token made
    for url in (BASES, LEDGER, PAYMENTS):
        with django_assert_max_num_queries(6):
            assert api_get(world.admin, url, page_size=100).json()["count"] >= 20
