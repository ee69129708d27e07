"""Issue 12 end to end in Chromium: a branch secretary plans this month's 主题党日 in the UI, a member signs in on a
390 px phone by the link of the projector's QR code, the secretary records the minutes, and the committee sees the
branch's month turn compliant on the heat map (its JSON data island and its drawn cell) and in the drill-down.

Browser tests run on the real date: the month is core.clock.today()'s, and everything else the branch owes this
month (a 党小组会 of its group; in a quarter's or a year's last month those periods' activities) is arranged through
the services first, so the meeting planned in the browser is the one thing missing."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from dangjian.core import clock
from dangjian.meetings import compliance, rules
from dangjian.meetings.choices import Activity, MeetingStatus, Presence, SignedBy
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import create_meeting

from .conftest import REPORT_VIOLATIONS
from .test_roster_browser import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
TOPIC = "主题党日：学习贯彻党的二十届四中全会精神"
HEATMAP = "JSON.parse(document.getElementById('compliance-heatmap').textContent)"
INPUT = "%Y-%m-%dT%H:%M"  # <input type=datetime-local>


def watched(context: BrowserContext, found: list[str]) -> Page:
    """A page of another browser context whose CSP violations land in `found` (as the `violations` fixture's)."""

    def report(text: str) -> None:
        found.append(text)

    context.expose_function("cspViolation", report)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    return page


def month_start(now: datetime) -> datetime:
    """Midnight of the first day of `now`'s month, local time."""
    day = clock.today().replace(day=1)
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


def owed(world, month_key: str) -> dict[str, rules.Obligation]:
    """Branch A's obligations shown in this month (the heat map's cell), by activity, from the SQL path."""
    period = compliance.parse_period(month_key)
    result = compliance.org_compliance(fetched_by=world.admin, org=world.branch_a, period=period, ending=True)
    return {o.activity: o for o in result.branches[0].items}


def arrange_all_but_the_theme_day(world, month_key: str) -> None:
    """Hold, through the services, whatever branch A owes this month besides its 主题党日."""
    now = timezone.localtime()
    # This month and already begun (a held meeting is never in the future), even in the month's first hours.
    starts = max(now - timedelta(hours=2), month_start(now))
    ends = starts + timedelta(minutes=30)
    needed = set(owed(world, month_key)) - {Activity.THEME_DAY}
    if Activity.GROUP in needed:
        create_meeting(
            by=world.admin,
            org=world.group_a,
            activities=[Activity.GROUP],
            topic="党小组学习",
            starts_at=starts,
            ends_at=ends,
            held=True,
        )
    # The rest (a quarter's 党员大会 and 党课, a year's 组织生活会 and 民主评议, the secretary's 党课): one meeting of
    # the branch counts for each of its activities; the secretary (member_a2's seat) gives its 党课.
    others = needed - {Activity.GROUP, rules.SECRETARY_LECTURE}
    if rules.SECRETARY_LECTURE in needed:
        others.add(Activity.LECTURE)
    if others:
        create_meeting(
            by=world.admin,
            org=world.branch_a,
            activities=sorted(others),
            topic="支部党员大会暨党课",
            starts_at=starts,
            ends_at=ends,
            lecturer=world.member_a2 if Activity.LECTURE in others else None,
            held=True,
        )
    states = {a: o.state for a, o in owed(world, month_key).items()}
    assert states.pop(Activity.THEME_DAY) == rules.DUE
    assert set(states.values()) <= {rules.MET}, states


def heat_cell(page: Page, base: str, world, month_label: str) -> list:
    """The heat map of branch A's 党总支 (its rows: the 党总支's branches): branch A's cell of this month, from the
    JSON the page hands to ECharts: [x, y, percent, met, required, due]."""
    page.goto(f"{base}/meetings/compliance/?org={world.general.pk}")
    expect(page.locator("[data-heatmap] svg")).to_be_visible()
    data = page.evaluate(HEATMAP)
    x, y = data["months"].index(month_label), data["orgs"].index("办公室党支部")
    assert x == len(data["months"]) - 1  # this month is the last column
    (cell,) = [v for v in data["values"] if v[0] == x and v[1] == y]
    return cell


def drill_down(page: Page, base: str, world, month_key: str):
    """The page a click on the heat map's cell opens (its link from the JSON): branch A's obligations shown this
    month; the 主题党日's line."""
    data = page.evaluate(HEATMAP)
    link = data["links"][data["orgs"].index("办公室党支部")][-1]
    assert link == f"/meetings/compliance/{world.branch_a.pk}/?month={month_key}"
    page.goto(f"{base}{link}")
    items = page.get_by_test_id("compliance-items").locator("li")
    return items.filter(has_text="主题党日")


def test_a_planned_theme_day_signed_in_by_phone_and_recorded_turns_the_month_compliant(
    page: Page, browser: Browser, live_server, world, violations
):
    base = live_server.url
    today = clock.today()
    month_key, month_label = f"{today.year}-{today.month:02d}", f"{today.year}年{today.month}月"
    arrange_all_but_the_theme_day(world, month_key)
    now = timezone.localtime()
    # A few minutes ago (recording as held needs a start in the past; sign-in is open from 30 min before the start
    # until after the end), never before this month began.
    starts = max(now - timedelta(minutes=5), month_start(now)).replace(second=0, microsecond=0)
    ends = starts + timedelta(hours=2)

    # (1) The secretary plans the 主题党日: 组织生活 → 安排会议 → the branch → the form.
    page.set_viewport_size(DESKTOP)
    login(page, base, "secretary_a")
    page.get_by_role("link", name="组织生活").first.click()
    page.get_by_test_id("meeting-create").click()
    page.get_by_label("召开组织").select_option(str(world.branch_a.pk))
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="办公室党支部 安排会议")).to_be_visible()
    page.get_by_label("主题党日").check()
    page.get_by_label(re.compile(r"^主题\s*\*?$")).fill(TOPIC)  # not the 主题党日 box
    page.get_by_label("开始时间").fill(starts.strftime(INPUT))
    page.get_by_label("结束时间").fill(ends.strftime(INPUT))
    page.get_by_label("地点").fill("三楼会议室")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(f"已登记会议：{TOPIC}")).to_be_visible()
    meeting = Meeting.objects.unrestricted().get(topic=TOPIC)
    assert meeting.org_id == world.branch_a.pk and meeting.status == MeetingStatus.PLANNED
    assert timezone.localtime(meeting.starts_at) == starts
    expect(page.get_by_test_id("activities")).to_have_text("主题党日")
    detail_url = page.url
    assert detail_url == f"{base}/meetings/{meeting.pk}/"

    # (2) The projector page: the link the QR code encodes.
    page.get_by_test_id("signin-actions").get_by_role("link", name="签到二维码").click()
    qr = page.get_by_test_id("signin-qr")
    expect(qr.locator("svg")).to_be_visible()
    link = qr.get_attribute("data-signin-url")
    assert link.startswith(f"{base}/meetings/{meeting.pk}/signin/?t=")

    # (3) A member's phone opens the link, logs in on the way, and signs in with one tap.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    member = watched(phone, violations)
    member.goto(link)
    member.get_by_label("用户名").fill("member_a")
    member.get_by_label("密码").fill(PASSWORD)
    member.get_by_role("button", name="登录").click()
    expect(member.get_by_role("button", name="确认签到")).to_be_visible()
    assert member.evaluate(NO_OVERFLOW)
    member.get_by_role("button", name="确认签到").click()
    expect(member.get_by_test_id("signin-result")).to_contain_text("签到成功")
    assert member.evaluate(NO_OVERFLOW)
    phone.close()
    page.reload()
    expect(page.get_by_test_id("signin-present")).to_have_text("1 人")

    # (5, before) The committee: a sign-in is not a record, the branch's month is not complete yet.
    committee = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    admin = watched(committee, violations)
    login(admin, base, "admin")
    x, y, _, met, required, due = heat_cell(admin, base, world, month_label)
    assert (met, due) == (required - 1, 1), "only the 主题党日 is outstanding"
    expect(admin.locator("[data-heatmap] svg")).to_contain_text(f"{met}/{required}")
    theme_day = drill_down(admin, base, world, month_key)
    expect(theme_day).to_contain_text("应开1次，已开0次")
    expect(theme_day).to_contain_text("进行中")
    expect(admin.get_by_test_id("compliance-org-summary")).to_contain_text("进行中 1 次")
    expect(admin.get_by_test_id("compliance-items").get_by_text("进行中", exact=True)).to_have_count(1)

    # (4) The secretary records the meeting as held: minutes, the member present (signed in), the other absent.
    page.goto(detail_url)
    page.get_by_test_id("record-link").click()
    form = page.get_by_test_id("record-form")
    form.get_by_label("会议记录").fill("一、集体学习党的二十届四中全会精神。\n\n二、交流研讨，每人发言。")
    rows = page.get_by_test_id("record-attendance").locator("tbody tr")
    present = rows.filter(has_text="王小明")
    expect(present.get_by_label("出席")).to_be_checked()  # signed in by the QR link
    absent = rows.filter(has_text="张宏伟")
    absent.get_by_label("缺席").check()
    absent.locator("select").select_option(label="公差")
    page.get_by_role("button", name="保存会议记录").click()
    expect(page.get_by_text("已登记会议记录")).to_be_visible()
    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")
    expect(page.get_by_test_id("attendance-rate")).to_have_text("1/2（50%）")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and not meeting.backfilled
    row = Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a)
    assert row.presence == Presence.PRESENT and row.signed_by == SignedBy.SELF

    # (5, after) The same cell: every obligation met; the drill-down has nothing outstanding or missing.
    assert heat_cell(admin, base, world, month_label) == [x, y, 100, required, required, 0]
    expect(admin.locator("[data-heatmap] svg")).to_contain_text(f"{required}/{required}")
    theme_day = drill_down(admin, base, world, month_key)
    expect(theme_day).to_contain_text("应开1次，已开1次")
    expect(theme_day).to_contain_text("已落实")
    expect(admin.get_by_test_id("compliance-items").get_by_text("进行中", exact=True)).to_have_count(0)
    expect(admin.get_by_test_id("compliance-items").get_by_text("缺开", exact=True)).to_have_count(0)
    expect(admin.get_by_test_id("compliance-missing")).to_contain_text("没有缺开的组织生活")
    summary = admin.get_by_test_id("compliance-org-summary")
    expect(summary).to_have_text(f"应开 {required} 次，已开 {required} 次，缺开 0 次")
    committee.close()
    assert violations == [], "\n".join(violations)
