"""The compliance overview in Chromium: the heat map drawn under the strict CSP on a desktop, a ranked list on a
phone (390 px, no horizontal overflow), and the drill-down to a branch's missing items."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangjian.meetings.choices import Activity
from dangjian.meetings.services import create_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("待办提醒")).to_be_visible()


@pytest.fixture
def held(world):
    starts = timezone.localtime().replace(day=1, hour=9, minute=0, second=0, microsecond=0) - timedelta(days=20)
    create_meeting(
        by=world.admin,
        org=world.branch_a,
        activities=[Activity.THEME_DAY],
        topic="学习",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        held=True,
    )


def test_heat_map_on_a_desktop(page: Page, live_server, world, held, violations):
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/meetings/compliance/")
    expect(page.locator("[data-heatmap] svg")).to_be_visible()
    expect(page.get_by_test_id("compliance-worst")).to_contain_text("财务处党支部")
    page.get_by_test_id("compliance-worst").get_by_role("link", name="财务处党支部").click()
    expect(page.get_by_test_id("compliance-missing")).to_contain_text("主题党日")
    assert violations == []


def test_ranked_list_on_a_phone(page: Page, live_server, world, held, violations):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "admin")
    expect(page.get_by_test_id("compliance-panel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(f"{live_server.url}/meetings/compliance/")
    expect(page.get_by_test_id("compliance-ranked")).to_be_visible()
    expect(page.locator("[data-heatmap]")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(f"{live_server.url}/meetings/compliance/{world.branch_b.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert violations == []
