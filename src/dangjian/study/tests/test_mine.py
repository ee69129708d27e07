"""我的学时: a member's own page — the year's hours against their requirement (32, or 56 with a seat, the rule in
Chinese), the pace, the sessions that counted and those that did not with the reason, their reports by state, the
year switcher, a login without a member record, and a fixed number of queries whatever the history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.meetings import services as meetings
from dangjian.meetings.choices import AbsenceReason, Presence
from dangjian.meetings.services import Mark
from dangjian.meetings.tests.factories import at
from dangjian.orgs.choices import CommitteeRole
from dangjian.orgs.models import CommitteeSeat
from dangjian.study import rules, selectors, services
from dangjian.study.choices import StudyKind

from .study_world import report_of, session_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(clock):
    return clock.set(clock.today())  # 10:00 in China today


def morning_session(world, today, topic, hours="2", kind=StudyKind.CONCENTRATED, org=None, by=None):
    """A session of branch A (its members invited) from 8:00 to 9:00 today: over by the tests' 10:00."""
    return session_of(
        org or world.branch_a,
        by or world.secretary_a,
        days_ago=0,
        hours=hours,
        kind=kind,
        topic=topic,
        starts_at=at(today, 8),
        ends_at=at(today, 9),
    )


def tick(world, session, presence=Presence.PRESENT, reason=""):
    mark = Mark(presence, reason)
    meetings.set_attendance(by=world.secretary_a, meeting=session.meeting, member_id=world.member_a.pk, mark=mark)


def mine(client, query=""):
    response = client.get(reverse("study:mine") + query)
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</table>")[0]


def test_what_counts_and_what_does_not_with_the_reason(world, today, client_for):
    attended = morning_session(world, today, "学习新修订的党章", hours="2.5", kind=StudyKind.LECTURE)
    tick(world, attended)
    on_leave = morning_session(world, today, "专题研讨：作风建设")
    tick(world, on_leave, Presence.ABSENT, AbsenceReason.LEAVE)
    morning_session(world, today, "未登记的集中学习")
    later = session_of(world.branch_a, world.secretary_a, days_ago=0, topic="下午的专家辅导")  # 14:00 today
    cancelled = session_of(world.branch_a, world.secretary_a, days_ago=0, topic="取消的学习", starts_at=at(today, 15))
    meetings.cancel_meeting(by=world.secretary_a, meeting=cancelled.meeting)
    morning_session(world, today, "财务处的学习", org=world.branch_b, by=world.secretary_b)
    assert later.meeting.starts_at > at(today, 10)

    page = mine(client_for(world.member_user_a))
    assert 'data-testid="mine-hours">2.5<' in page
    counted = section(page, "mine-attended")
    assert "学习新修订的党章" in counted and "党课" in counted and "2.5" in counted and today.isoformat() in counted
    assert "作风建设" not in counted
    missed = section(page, "mine-missed")
    assert "专题研讨：作风建设" in missed and "缺席（请假）" in missed
    assert "未登记的集中学习" in missed and selectors.MISSED_UNRECORDED in missed
    assert "下午的专家辅导" in missed and selectors.MISSED_NOT_YET in missed
    assert "取消的学习" in missed and selectors.MISSED_CANCELLED in missed
    assert "计 0 学时" in page
    assert "财务处的学习" not in page


def test_the_requirement_and_its_rule_follow_a_seat(world, today, client_for):
    client = client_for(world.member_user_a)
    page = mine(client)
    assert 'data-testid="mine-required">32 学时' in page and rules.RULE_MEMBER in page
    CommitteeSeat.objects.create(
        term=world.term_a, member=world.member_a, role=CommitteeRole.ORGANIZATION, started_on=world.term_a.started_on
    )
    page = mine(client)
    assert 'data-testid="mine-required">56 学时' in page and rules.RULE_LEADER in page


def test_the_pace_of_this_year_and_a_year_gone_by(world, today, client_for):
    session = morning_session(world, today, "学习", hours="4")
    tick(world, session)
    client = client_for(world.member_user_a)
    line = rules.behind_line(rules.MEMBER_HOURS, today.year, today)
    pace = section(mine(client), "mine-summary").split('data-testid="mine-pace">')[1].split("<")[0]
    if line > 4:
        assert pace == f"落后于进度，需再学 {(line - 4).quantize(Decimal('0.1'))} 学时"
    else:
        assert pace == "进度正常"
    assert 'data-width="12"' in mine(client)  # 4 of 32
    last = mine(client, f"?year={today.year - 1}")
    assert "未完成全年学时要求，差 32.0 学时" in last and 'data-width="0"' in last
    assert 'data-testid="mine-hours">0<' in last


def test_pace_wording_is_the_rules_line():
    required = rules.MEMBER_HOURS
    november = date(2030, 11, 15)
    assert selectors.pace(Decimal(0), required, 2030, november).text == "落后于进度，需再学 24.0 学时"
    assert selectors.pace(Decimal(24), required, 2030, november) == selectors.Pace(True, "进度正常")
    assert selectors.pace(Decimal(32), required, 2030, november).text == "已完成全年学时要求"
    assert selectors.pace(Decimal(0), required, 2030, date(2030, 1, 31)).ok  # January asks nothing yet
    assert selectors.pace(Decimal(31), required, 2029, november).text == "未完成全年学时要求，差 1.0 学时"
    assert not selectors.pace(Decimal("2.5"), rules.LEADER_HOURS, 2030, date(2030, 4, 1)).ok  # 56*0.75*3/9 = 14


def test_reports_show_their_state_and_only_approved_ones_count(world, today, client_for):
    pending = report_of(world.member_user_a, days_ago=0, course="待审核的网络课程", hours="3")
    approved = report_of(world.member_user_a, days_ago=0, course="认定的外出培训", hours="5", kind=StudyKind.OUTSIDE)
    rejected = report_of(world.member_user_a, days_ago=0, course="未认定的课程", hours="2")
    services.review_report(by=world.secretary_a, report=approved, decision=services.REVIEW_APPROVE)
    services.review_report(by=world.secretary_a, report=rejected, decision=services.REVIEW_REJECT, comment="无证明")
    page = mine(client_for(world.member_user_a))
    assert 'data-testid="mine-hours">5<' in page
    reports = section(page, "mine-reports")
    row = reports.split(f'data-report="{pending.pk}"')[1].split("</tr>")[0]
    assert "待审核" in row and "暂不计入" in row and "撤回" in row
    row = reports.split(f'data-report="{approved.pk}"')[1].split("</tr>")[0]
    assert "已认定" in row and "撤回" not in row
    row = reports.split(f'data-report="{rejected.pk}"')[1].split("</tr>")[0]
    assert "未认定" in row and "原因：无证明" in row
    assert reverse("study:report_create") in page and "申报自学学时" in page


def test_the_year_switcher_is_bounded(world, today, client_for):
    client = client_for(world.member_user_a)
    for bad in ("1999", "abcd", str(today.year + 1), "２０２６", "20261"):
        page = mine(client, f"?year={bad}")
        assert "年份应为" in page, bad
        assert f'<option value="{today.year}" selected>' in page
    page = mine(client, f"?year={today.year - 2}")
    assert "年份应为" not in page and f"{today.year - 2}年已计学时" in page


def test_a_login_without_a_member_record_gets_a_clear_page(world, today, client_for):
    for user in (world.secretary_a, world.admin, world.inspector):
        page = mine(client_for(user))
        assert "您的账号未关联党员信息" in page and "mine-summary" not in page


def test_the_page_reads_a_fixed_number_of_queries(world, today, client_for):
    client = client_for(world.member_user_a)
    tick(world, morning_session(world, today, "第一次学习"))
    report_of(world.member_user_a, days_ago=0)
    mine(client)  # warm the session
    with CaptureQueriesContext(connection) as few:
        mine(client)
    for n in range(5):
        session = morning_session(world, today, f"学习{n}")
        if n % 2:
            tick(world, session)
        report = report_of(world.member_user_a, days_ago=0, course=f"课程{n}")
        if n % 2:
            services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_APPROVE)
    with CaptureQueriesContext(connection) as many:
        page = mine(client)
    assert "学习4" in page and "课程4" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 10, [q["sql"] for q in few.captured_queries]


def test_a_session_of_last_year_shows_under_last_year(world, today, client_for):
    days = (today - date(today.year, 1, 1)).days + 1
    session = session_of(world.branch_a, world.secretary_a, days_ago=days, topic="去年的学习", hours="3")
    tick(world, session)
    assert session.held_on.year == today.year - 1
    client = client_for(world.member_user_a)
    assert "去年的学习" not in mine(client)
    last = mine(client, f"?year={today.year - 1}")
    assert "去年的学习" in section(last, "mine-attended") and 'data-testid="mine-hours">3<' in last
    assert session.held_on == today - timedelta(days=days)
