"""发展党员 in a browser (issue 14): a secretary walks one applicant to 转正 — the sponsors through the form's
checklist, the 支部大会 with its meeting, the upper committee's approval by the committee admin, the 转正 decision —
with entered dates; an illegal step is refused with its rule's text; the file fits a phone (390 px).

Runs against a live server with the real date: the applicant applied three years before clock.today(), and the
steps not driven here are recorded through the services on the earliest days the rules allow (dev_world.walk)."""

import pytest
from playwright.sync_api import Page, expect

from dangjian.development import rules, services
from dangjian.development.choices import State
from dangjian.development.models import StepPerson, StepRecord
from dangjian.development.tests.dev_world import assembly_meeting, dev_world, earliest, new_applicant, walk

from .test_records_browser import PHONE, fits, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)


def _open_step(page: Page, base: str, applicant, number: int) -> None:
    page.goto(f"{base}/development/{applicant.pk}/")
    page.get_by_test_id("next-step").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{number}. {rules.BY_NUMBER[number].label}")


def _submit(page: Page, on) -> None:
    page.locator("#id_done_on").fill(on.isoformat())
    page.get_by_role("button", name="登记", exact=True).click()


def test_a_secretary_walks_an_applicant_to_full_membership(page: Page, live_server, world, violations):
    base = live_server.url
    d = dev_world(world)
    applicant = walk(world, d, new_applicant(world, 1, name="孙立新"), until=7)
    login(page, base, "secretary_a")
    # Step 8: the two sponsors ticked on the checklist of the branch's full members.
    _open_step(page, base, applicant, 8)
    for sponsor in d.full[2:4]:
        page.get_by_label(sponsor.name, exact=True).check()
    _submit(page, earliest(applicant, 8))
    expect(page.get_by_text("已登记：8. 确定入党介绍人")).to_be_visible()
    expect(page.locator("[data-step='8']")).to_contain_text(f"入党介绍人：{d.full[2].name}")
    people = StepPerson.objects.filter(record__applicant=applicant, role="sponsor")
    assert sorted(people.values_list("member_id", flat=True)) == sorted(m.pk for m in d.full[2:4])
    # Step 15: the 支部党员大会 chosen from the branch's held meetings; the figures come from its attendance.
    applicant = walk(world, d, applicant, until=14)
    on = earliest(applicant, 15)
    meeting = assembly_meeting(world, on)
    _open_step(page, base, applicant, 15)
    page.get_by_label("支部党员大会（选择会议后到会人数取自会议签到）").select_option(str(meeting.pk))
    page.get_by_label("赞成人数").fill("7")
    _submit(page, on)
    expect(page.get_by_text("已登记：15. 支部大会讨论接收预备党员")).to_be_visible()
    record = StepRecord.objects.unrestricted().get(applicant=applicant, step=15)
    assert record.meeting_id == meeting.pk and record.in_favour == 7 and record.present_voting == record.voting_members
    # Step 17: the secretary sees no form; the committee admin approves.
    applicant = walk(world, d, applicant, until=16)
    page.goto(f"{base}/development/{applicant.pk}/step/")
    expect(page.get_by_test_id("upper-only")).to_be_visible()
    _as(page, base, "admin")
    _open_step(page, base, applicant, 17)
    _submit(page, earliest(applicant, 17))
    expect(page.get_by_test_id("state")).to_have_text("预备期")
    # Step 23: the 转正 decision of the 支部大会 with typed figures, then the committee's approval (24).
    applicant = walk(world, d, applicant, until=22)
    _as(page, base, "secretary_a")
    _open_step(page, base, applicant, 23)
    expect(page.get_by_label("延长预备期（月）")).to_be_hidden()
    page.get_by_label("延长预备期", exact=True).check()
    expect(page.get_by_label("延长预备期（月）")).to_be_visible()
    page.get_by_label("按期转正").check()
    page.get_by_label("应到会有表决权人数").fill("7")
    page.get_by_label("实到会有表决权人数").fill("6")
    page.get_by_label("赞成人数").fill("6")
    _submit(page, earliest(applicant, 23))
    expect(page.locator("[data-step='23']")).to_contain_text("决定：按期转正")
    _as(page, base, "admin")
    _open_step(page, base, applicant, 24)
    _submit(page, earliest(applicant, 24))
    expect(page.get_by_test_id("state")).to_have_text("已转正")
    applicant.refresh_from_db()
    assert applicant.state == State.CONFIRMED and applicant.full_member_on == rules.probation_end(applicant.accepted_on)
    assert violations == []


def test_an_illegal_step_is_refused_with_its_rule_on_a_phone(page: Page, live_server, world, violations):
    base = live_server.url
    d = dev_world(world)
    applicant = walk(world, d, new_applicant(world, 1, name="周文静"), until=6)
    page.set_viewport_size(PHONE)
    login(page, base, "secretary_a")
    page.goto(f"{base}/development/{applicant.pk}/")
    expect(page.get_by_test_id("next")).to_contain_text("支部委员会确定发展对象")
    fits(page)
    page.get_by_test_id("next-step").click()
    too_early = services.history_of(applicant)[4] + (earliest(applicant, 7) - services.history_of(applicant)[4]) / 2
    _submit(page, too_early)
    expect(page.get_by_text(rules.RULE_ACTIVIST)).to_be_visible()
    fits(page)
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=7).exists()
    assert violations == []
