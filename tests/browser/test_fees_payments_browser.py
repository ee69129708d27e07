"""A branch secretary on a phone (390 px) records a month's 党费 for branch A on the bulk page, one member with a
partial amount; the ledger then shows them paid. Nothing scrolls sideways, nothing breaks the CSP."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.core import clock
from dangjian.fees import ledger, rules
from dangjian.fees.models import LedgerLine, Payment

from .test_records_browser import PHONE, fits, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_records_a_branch_month_on_a_phone(page: Page, live_server, world, violations):
    ledger.seed_roster_bases()
    month = rules.month_first(clock.today())
    ledger.generate_month(month)
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/fees/pay/month/?org={world.branch_a.pk}&month={month:%Y-%m}")
    rows = page.get_by_test_id("pay-month-rows")
    expect(rows).to_contain_text("王小明")
    expect(rows.locator("thead")).to_be_hidden()  # cards on a phone
    fits(page)
    page.get_by_label("交纳方式").select_option(label="现金")
    first = rows.locator(f"tr[data-member='{world.member_a.pk}']")
    second = rows.locator(f"tr[data-member='{world.member_a2.pk}']")
    first.get_by_label("已交清").check()
    second.get_by_label("已交清").check()
    second.get_by_label("张宏伟 金额（元）").fill("60")
    page.get_by_role("button", name="登记所勾选党员的缴费").click()
    expect(page.get_by_text("已登记 2 人")).to_be_visible()
    table = page.get_by_test_id("ledger")
    expect(table.locator(f"tr[data-member='{world.member_a.pk}']")).to_contain_text("90.00")
    expect(table.locator(f"tr[data-member='{world.member_a2.pk}'] td[data-label='未交（元）']")).to_have_text("30.00")
    expect(page.get_by_test_id("ledger-totals")).to_contain_text("150.00")
    fits(page)
    paid = dict(LedgerLine.objects.unrestricted().filter(month=month).values_list("member", "paid_fen"))
    assert paid[world.member_a.pk] == 9000 and paid[world.member_a2.pk] == 6000
    assert Payment.objects.unrestricted().count() == 2
    # The branch's payments list, as cards too.
    page.goto(f"{live_server.url}/fees/payments/?org={world.branch_a.pk}&month={month:%Y-%m}")
    expect(page.get_by_test_id("payments")).to_contain_text("张宏伟")
    fits(page)
    # One member's page: the amount follows the months ticked (a quarter ahead: three months' due).
    page.goto(f"{live_server.url}/fees/pay/?member={world.member_a.pk}")
    amount = page.locator("#id_amount_fen")
    for n in (1, 2, 3):
        page.locator(f"input[name='months'][value='{rules.add_months(month, n).isoformat()}']").check()
    expect(amount).to_have_value("270.00")
    page.get_by_label("交纳方式").select_option(label="线上缴纳")
    fits(page)
    page.get_by_role("button", name="登记缴费").click()
    expect(page.get_by_text("已登记 王小明 交纳党费 270.00 元")).to_be_visible()
    assert LedgerLine.objects.unrestricted().filter(member=world.member_a, paid_fen=9000).count() == 4
    assert violations == []


def test_a_month_recorded_and_remitted_on_a_phone_is_settled_in_the_committees_reconciliation(
    page: Page, live_server, world, violations
):
    """Issue 13's flow: the secretary records branch A's month (390 px), remits what was collected, and the
    committee's reconciliation shows the branch's month settled (已平)."""
    ledger.seed_roster_bases()
    month = rules.month_first(clock.today())
    ledger.generate_month(month)
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/fees/pay/month/?org={world.branch_a.pk}&month={month:%Y-%m}")
    rows = page.get_by_test_id("pay-month-rows")
    page.get_by_label("交纳方式").select_option(label="银行转账")
    for member in (world.member_a, world.member_a2):
        rows.locator(f"tr[data-member='{member.pk}']").get_by_label("已交清").check()
    page.get_by_role("button", name="登记所勾选党员的缴费").click()
    expect(page.get_by_text("已登记 2 人")).to_be_visible()
    page.goto(f"{live_server.url}/fees/remit/?org={world.branch_a.pk}&month={month:%Y-%m}")
    expect(page.get_by_label("上缴金额（元）")).to_have_value("180.00")  # collected, not yet remitted
    fits(page)
    page.get_by_role("button", name="登记上缴").click()
    expect(page.get_by_test_id("remittances")).to_contain_text("180.00")
    fits(page)
    committee = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    desk = committee.new_page()
    login(desk, live_server.url, "admin")
    desk.goto(f"{live_server.url}/fees/reconcile/?year={month.year}")
    cell = desk.get_by_test_id("reconcile").locator(
        f"tr:has-text('{world.branch_a.name}') td[data-month='{month:%Y-%m}']"
    )
    expect(cell).to_have_attribute("data-state", "")
    expect(cell).to_have_attribute("title", "已平")
    other = desk.get_by_test_id("reconcile").locator(
        f"tr:has-text('{world.branch_b.name}') td[data-month='{month:%Y-%m}']"
    )
    expect(other).to_have_attribute("data-state", "unpaid")  # branch B's member has not paid
    committee.close()
    assert violations == []
