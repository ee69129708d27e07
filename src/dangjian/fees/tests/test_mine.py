"""我的党费 (fees:mine) and the fees' home panels: own rows only, a clear page without a member record, a fixed
number of queries whatever the history."""

import pytest
from django.urls import reverse

from dangjian.core import clock as core_clock
from dangjian.core.tests.factories import UserFactory
from dangjian.fees import ledger, rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.models import FeeBase, LedgerLine

from .fee_world import fee_world, pay

pytestmark = pytest.mark.django_db


def months_back(n: int):
    this_month = rules.month_first(core_clock.today())
    return [rules.add_months(this_month, -k) for k in range(n)]


def test_a_member_sees_their_own_base_lines_payments_and_owed(world, client_for, clock):
    fee_world(world)
    page = client_for(world.member_user_a).get(reverse("fees:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    due = rules.monthly_due(FeeKind.EMPLOYED, 600_000)
    assert "王小明" in text and "在职" in text and "6000.00" in text and rules.yuan(due) in text
    assert "A-0001" in text  # their receipt
    assert "B-0001" not in text and "李秀英" not in text and "张宏伟" not in text  # nobody else's
    assert page.context["owed_fen"] == due and page.context["owed_months"] == 1  # this month, not yet paid
    assert [line.member_id for line in page.context["lines"]] == [world.member_a.pk] * len(page.context["lines"])
    assert rules.ROUNDING_NOTE in text
    assert world.member_a.id_number not in text and world.member_a.phone not in text


def test_a_year_of_history_costs_the_same_queries(world, client_for, django_assert_max_num_queries, clock):
    ledger.seed_roster_bases()
    for month in months_back(14):
        ledger.generate_month(month)
    for line in LedgerLine.objects.unrestricted().filter(member=world.member_a)[:10]:
        pay(world.member_a, line)
    client = client_for(world.member_user_a)
    client.get(reverse("fees:mine"))  # session, user
    with django_assert_max_num_queries(9):
        page = client.get(reverse("fees:mine"))
    assert page.status_code == 200 and page.context["payments"]


def test_arrears_are_said_and_the_year_is_chosen(world, client_for, clock):
    ledger.seed_roster_bases()
    for month in months_back(rules.MEMBER_ARREARS_MONTHS):
        ledger.generate_month(month)
    client = client_for(world.member_user_a)
    page = client.get(reverse("fees:mine"))
    assert page.context["arrears"] and "个月的党费未交清" in page.content.decode()
    last_year = core_clock.today().year - 1
    page = client.get(reverse("fees:mine"), {"year": last_year})
    assert page.context["year"] == last_year
    assert all(line.month.year == last_year for line in page.context["lines"])
    refused = client.get(reverse("fees:mine"), {"year": "20x6"})
    assert refused.status_code == 200 and "年份应为" in refused.content.decode()
    assert refused.context["year"] == core_clock.today().year


def test_a_base_changed_later_shows_the_one_in_force(world, client_for, clock):
    ledger.seed_roster_bases()
    this_month = rules.month_first(core_clock.today())
    FeeBase.objects.create(member=world.member_a, kind=FeeKind.RETIRED, base_fen=450_000, effective_month=this_month)
    FeeBase.objects.create(
        member=world.member_a, kind=FeeKind.EMPLOYED, base_fen=900_000, effective_month=rules.add_months(this_month, 1)
    )
    page = client_for(world.member_user_a).get(reverse("fees:mine"))
    assert page.context["base"].kind == FeeKind.RETIRED and "离退休" in page.content.decode()


def test_a_login_without_a_member_record_gets_a_clear_page(world, client_for):
    fee_world(world)
    page = client_for(world.secretary_b).get(reverse("fees:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "您的账号未关联党员信息" in text and "李秀英" not in text
    plain = UserFactory(username="nobody")
    assert "您的账号未关联党员信息" in client_for(plain).get(reverse("fees:mine")).content.decode()


# --- home panels -----------------------------------------------------------------------------------------------


def test_the_member_panel_links_to_their_page(world, client_for, django_assert_max_num_queries, clock):
    fee_world(world)
    client = client_for(world.member_user_a)
    home = client.get(reverse("core:home"))
    text = home.content.decode()
    assert 'data-testid="fees-member-panel"' in text and reverse("fees:mine") in text
    assert 'data-testid="fees-collection-panel"' not in text  # a plain member sees no branch figures
    due = rules.monthly_due(FeeKind.EMPLOYED, 600_000)
    panel = next(p for p in home.context["panels"] if p.template == "fees/mine_panel.html")
    lines = LedgerLine.objects.unrestricted().filter(member=world.member_a, month__year=core_clock.today().year)
    assert panel.context["totals"].due_fen == due * lines.count()
    assert panel.context["totals"].owed_fen == due * lines.filter(paid_fen=0).count()


def test_the_collection_panel_counts_the_scope_this_month(world, client_for, clock):
    fee_world(world)
    this_month = rules.month_first(core_clock.today())
    line = LedgerLine.objects.unrestricted().get(member=world.member_a2, month=this_month)
    pay(world.member_a2, line)
    home = client_for(world.secretary_a).get(reverse("core:home"))
    text = home.content.decode()
    assert 'data-testid="fees-collection-panel"' in text and reverse("fees:ledger") in text
    panel = next(p for p in home.context["panels"] if p.template == "fees/collection_panel.html")
    assert (panel.context["totals"].members, panel.context["paid_members"], panel.context["totals"].unpaid) == (
        2,
        1,
        1,
    )
    admin = client_for(world.admin).get(reverse("core:home"))
    panel = next(p for p in admin.context["panels"] if p.template == "fees/collection_panel.html")
    assert panel.context["totals"].members == 3


def test_panels_cost_a_constant_number_of_queries(world, client_for, django_assert_num_queries, clock):
    from dangjian.fees.home import collection_panel, member_fees_panel
    from dangjian.members.tests.factories import MemberFactory

    fee_world(world)
    user = world.member_user_a
    user.member, user.grants  # noqa: B018  (the reverse one-to-one and the grants, read once per request)
    with django_assert_num_queries(1):
        member_fees_panel(user)
    admin = world.admin
    admin.grants  # noqa: B018
    with django_assert_num_queries(1):
        collection_panel(admin)
    for _ in range(5):
        MemberFactory(org=world.branch_b)
    ledger.seed_roster_bases()
    ledger.generate_month(core_clock.today())
    with django_assert_num_queries(1):
        collection_panel(admin)
