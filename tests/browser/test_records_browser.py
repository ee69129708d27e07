"""A branch secretary on a phone (390 px): the meetings list as cards, a meeting's page, an invitee ticked present
by HTMX; nothing scrolls sideways and nothing breaks the Content-Security-Policy."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.meetings.tests.factories import meeting_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory
PHONE = {"width": 390, "height": 844}


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("待办提醒")).to_be_visible()


def fits(page: Page) -> None:
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide at {screen} px"


def test_a_secretary_records_attendance_on_a_phone(page: Page, live_server, world, violations):
    meeting_of(world.branch_a, world.secretary_a, topic="十一月主题党日暨党课学习二十届四中全会精神", held=True)
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/meetings/")
    table = page.get_by_test_id("meetings")
    expect(table).to_contain_text("十一月主题党日")
    # A card per meeting: the header row is hidden, each cell shows its label.
    expect(table.locator("thead")).to_be_hidden()
    fits(page)
    table.get_by_role("link", name="十一月主题党日暨党课学习二十届四中全会精神").click()
    attendance = page.get_by_test_id("attendance")
    expect(attendance).to_contain_text("王小明")
    fits(page)
    row = attendance.locator(f"tr[data-member='{world.member_a.pk}']")
    row.get_by_role("button", name="出席").click()
    expect(page.get_by_test_id("attendance").locator(f"tr[data-member='{world.member_a.pk}']")).to_contain_text(
        "记录人登记"
    )
    expect(page.get_by_test_id("attendance-rate")).to_have_text("1/2（50%）")
    fits(page)
    assert violations == []


def test_a_secretary_chooses_the_invitees_on_a_phone(page: Page, live_server, world, violations, clock):
    from datetime import timedelta

    from dangjian.meetings.models import Attendance, Meeting

    page.set_viewport_size(PHONE)
    login(page, live_server.url, "secretary_a")
    page.goto(f"{live_server.url}/meetings/new/?org={world.branch_a.pk}")
    picker = page.locator("[data-checklist]")
    expect(picker).to_be_hidden()  # 按会议类型确定 is the default
    page.get_by_label("自行选择").check()
    expect(picker).to_be_visible()
    expect(picker.locator("[data-checklist-count]")).to_have_text("已选 2 / 2 人")
    picker.get_by_role("button", name="仅现任委员").click()  # member_a2 holds branch A's seat
    expect(picker.locator("[data-checklist-count]")).to_have_text("已选 1 / 2 人")
    picker.get_by_role("button", name="清空").click()
    picker.get_by_label("按姓名筛选").fill("王小明")
    expect(picker.get_by_label("张宏伟")).to_be_hidden()
    picker.get_by_label("王小明").check()
    expect(picker.locator("[data-checklist-count]")).to_have_text("已选 1 / 2 人")
    fits(page)
    day = clock.today() + timedelta(days=2)
    page.get_by_role("textbox", name="主题").fill("只请一人的谈心会")
    page.get_by_label("主题党日", exact=True).check()
    page.get_by_label("开始时间").fill(f"{day:%Y-%m-%d}T09:00")
    page.get_by_label("结束时间").fill(f"{day:%Y-%m-%d}T10:00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("attendance-rate")).to_be_visible()
    meeting = Meeting.objects.unrestricted().get(topic="只请一人的谈心会")
    assert list(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member_id", flat=True)) == [
        world.member_a.pk
    ]
    assert violations == []
