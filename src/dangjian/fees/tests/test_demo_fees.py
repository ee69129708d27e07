"""The fees' part of demo data set S (fees/demo.py): a year of bases, ledger, payments and remittances, with members
and one branch in arrears, and every demo persona's fee pages populated."""

import pytest
from django.db.models import F
from django.urls import reverse

from dangjian.core import clock as core_clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.fees import rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.demo import BEHIND, RETIRED_BRANCH
from dangjian.fees.models import FeeBase, LedgerLine, Payment, Remittance
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES


@pytest.fixture
def demo(db):
    return demo_seed(today=core_clock.today())


def test_a_year_of_fees_for_every_branch(demo):
    this_month = rules.month_first(core_clock.today())
    first = rules.add_months(this_month, -11)
    lines = LedgerLine.objects.unrestricted()
    assert demo.counts["党费台账"] == lines.count() > 12 * 200
    assert set(lines.values_list("month", flat=True)) >= {rules.add_months(first, k) for k in range(12)}
    # Before the demo's year: only members accepted since through a development record, who owe from the month of
    # their 支部大会 (fees.ledger.open_member).
    older = set(lines.filter(month__lt=first).values_list("member_id", flat=True))
    assert older <= set(Member.objects.unrestricted().filter(development__isnull=False).values_list("pk", flat=True))
    assert {line.org.code for line in lines.select_related("org")} == {plan.code for plan in BRANCHES}
    assert demo.counts["党费缴纳"] == Payment.objects.count() > 300
    retired = FeeBase.objects.unrestricted().filter(member__org__code=RETIRED_BRANCH)
    assert retired.exists() and set(retired.values_list("kind", flat=True)) == {FeeKind.RETIRED}
    for line in lines.filter(paid_fen__gt=0)[:50]:
        assert line.paid_fen == line.due_fen


def test_members_and_one_branch_in_arrears(demo):
    this_month = rules.month_first(core_clock.today())
    old_unpaid = LedgerLine.objects.unrestricted().filter(
        paid_fen__lt=F("due_fen"), month__lte=rules.add_months(this_month, -rules.MEMBER_ARREARS_MONTHS)
    )
    in_arrears = set(old_unpaid.values_list("member__org__code", flat=True))
    assert {"ZB01", "ZB05"} <= in_arrears
    code, months = BEHIND
    latest = Remittance.objects.filter(org__code=code).order_by("-month").first()
    assert latest.month <= rules.add_months(this_month, -months - 1)
    others = Remittance.objects.exclude(org__code=code).order_by("-month").first()
    assert others.month >= rules.add_months(this_month, -2)


def test_personas_see_populated_fee_pages(demo, client):
    client.force_login(User.objects.get(username="shuji01"))
    month = rules.add_months(rules.month_first(core_clock.today()), -1)
    page = client.get(reverse("fees:ledger"), {"month": f"{month:%Y-%m}"})
    assert page.status_code == 200 and page.context["totals"].members > 20
    assert page.context["totals"].unpaid >= 2  # the two of 办公室 in arrears
    for username in ("admin", "jijian", "zhiwei01", "shuji02"):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("fees:ledger")).context["totals"].members > 0, username
    client.force_login(User.objects.get(username="dangyuan01"))
    mine = client.get(reverse("fees:mine"))
    assert mine.status_code == 200 and mine.context["base"] is not None
    assert mine.context["lines"] and not mine.context["arrears"]
    assert mine.context["payments"] or core_clock.today().month == 1
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="fees-member-panel"' in home
