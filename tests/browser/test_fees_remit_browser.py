"""党费 remittance, reconciliation and report pages in a browser: the trend chart draws under the strict CSP, the
pages fit a phone (390 px), a secretary records a remittance from the prefilled form."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.core import clock
from dangjian.fees import rules
from dangjian.fees.models import Remittance
from dangjian.fees.tests.remit_world import line

from .test_records_browser import PHONE, fits, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def books(world):
    last = rules.add_months(rules.month_first(clock.today()), -1)
    line(world.member_a, last, paid=9000)
    line(world.member_a2, last, paid=0)
    line(world.member_b, last, paid=9000)
    return last


def test_report_chart_and_pages_on_a_phone(page: Page, live_server, world, books, violations):
    base = live_server.url
    login(page, base, "admin")
    page.goto(f"{base}/fees/report/?year={books.year}")
    expect(page.get_by_test_id("fees-trend").locator("svg")).to_be_visible()
    page.set_viewport_size(PHONE)
    for url in (f"/fees/report/?year={books.year}", f"/fees/reconcile/?year={books.year}", "/fees/report/print/"):
        page.goto(base + url)
        fits(page)
    expect(page.get_by_test_id("reconcile-phone")).to_be_hidden()  # the print page: no such list
    page.goto(f"{base}/fees/reconcile/?year={books.year}")
    expect(page.get_by_test_id("reconcile-phone")).to_contain_text("办公室党支部")
    expect(page.get_by_test_id("total-due")).to_have_text("270.00")  # loaded by HTMX after the rows
    fits(page)
    assert violations == []


def test_a_secretary_records_a_remittance_on_a_phone(page: Page, live_server, world, books, violations):
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/fees/remit/?org={world.branch_a.pk}")
    expect(page.get_by_label("上缴金额（元）")).to_have_value("90.00")
    fits(page)
    page.get_by_role("button", name="登记上缴").click()
    expect(page.get_by_test_id("remittances")).to_contain_text("90.00")
    fits(page)
    assert Remittance.objects.unrestricted().get().month == books
    assert violations == []
