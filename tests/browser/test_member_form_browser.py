"""The member form in Chromium under the Content-Security-Policy: choosing 所在党支部 reloads 所在党小组 with that
branch's groups only (HTMX, no script of ours), and a date picker offers no day after today."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.core import clock
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.tests.factories import OrgFactory

from .test_roster_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_group_select_follows_the_branch(page: Page, live_server, world, violations):
    OrgFactory(name="第一党小组", kind=OrgKind.GROUP, code="B-1", parent=world.branch_b)
    base = live_server.url
    login(page, base, "admin")
    page.goto(f"{base}/members/new/")
    group = page.locator("select#id_group")
    expect(group.locator("option")).to_have_text(["（无）"])

    page.locator("select#id_org").select_option(label="办公室党支部", timeout=5000)
    expect(page.locator("select#id_group option")).to_have_text(["（无）", "第一党小组（办公室党支部）"])
    page.locator("select#id_org").select_option(label="财务处党支部")
    expect(page.locator("select#id_group option")).to_have_text(["（无）", "第一党小组（财务处党支部）"])
    page.locator("select#id_group").select_option(label="第一党小组（财务处党支部）")  # the swapped select works

    today = clock.today().isoformat()  # browser tests keep the real date
    for field in ("birth_date", "joined_on", "full_member_on", "work_started_on"):
        expect(page.locator(f"input#id_{field}")).to_have_attribute("max", today)
    assert violations == [], "\n".join(violations)
