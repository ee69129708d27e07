"""The study module's plug-ins: the home page's panels (a member's own 学时, a secretary's scope), the section on a
member's page, the 待办 (behind pace from April, reports to review, overdue 中心组 outcomes) and the nightly
refresh; each in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.home import panels_for
from dangjian.core.reminders import reminders_for
from dangjian.meetings import services as meetings
from dangjian.meetings.choices import Presence
from dangjian.meetings.services import Mark
from dangjian.members.sections import sections_for
from dangjian.members.tests.factories import MemberFactory
from dangjian.study import home, reminders, rules, services, tasks
from dangjian.study.choices import OutcomeKind
from dangjian.study.member_sections import study_section
from dangjian.study.models import MemberYear, Outcome
from dangjian.study.tests.study_world import report_of, session_of

pytestmark = pytest.mark.django_db


def tick(session, by, *members):
    for member in members:
        meetings.set_attendance(by=by, meeting=session.meeting, member_id=member.pk, mark=Mark(Presence.PRESENT))


def approve(world, report):
    return services.review_report(
        by=world.secretary_a, report=report, decision=services.REVIEW_APPROVE, version=report.version
    )


@pytest.fixture
def november(world, clock):
    """15 November: 王小明 and 张宏伟 attended a session of 10 学时 (both behind: lines 24 and 42); 王小明 has a
    report of 24 waiting for review."""
    clock.set(date(clock.today().year, 11, 15))
    session = session_of(world.branch_a, world.secretary_a, hours="10")
    tick(session, world.secretary_a, world.member_a, world.member_a2)
    world.session_a = session
    world.pending = report_of(world.member_user_a, hours="24")
    return world


def panel_of(user, template: str):
    found = [p for p in panels_for(user) if p.template == template]
    return found[0] if found else None


def queries_of(func, *args) -> int:
    func(*args)  # warm up: the user's grants and own record, read once per user object
    with CaptureQueriesContext(connection) as queries:
        func(*args)
    return len(queries)


# ── home panels ──
def test_a_members_panel_shows_their_hours_against_the_requirement(november, client_for):
    panel = panel_of(november.member_user_a, "study/home_member.html")
    member = panel.context["member"]
    assert (member.hours, member.required, member.behind) == (10, 32, True)
    assert panel.context["percent"] == 31 and str(panel.context["line"]) == "24.0"
    html = client_for(november.member_user_a).get(reverse("core:home")).content.decode()
    assert 'data-testid="study-member-hours">10.0<' in html and 'data-testid="study-member-behind"' in html
    assert reverse("study:mine") in html
    assert panel_of(november.member_user_a, "study/home_staff.html") is None  # no review work for a member


def test_a_member_on_pace_has_no_behind_line(november, client_for):
    approve(november, november.pending)
    panel = panel_of(november.member_user_a, "study/home_member.html")
    assert panel.context["member"].hours == 34 and not panel.context["member"].behind
    html = client_for(november.member_user_a).get(reverse("core:home")).content.decode()
    assert 'data-testid="study-member-behind"' not in html


def test_staff_panels_count_behind_and_pending_in_their_scope(november, client_for):
    panel = panel_of(november.secretary_a, "study/home_staff.html")
    assert (panel.context["behind"], panel.context["pending"]) == (2, 1)
    other = panel_of(november.secretary_b, "study/home_staff.html")
    assert (other.context["behind"], other.context["pending"]) == (1, 0)  # 李秀英, no hours
    assert panel_of(november.inspector, "study/home_staff.html") is None  # reads, reviews nothing
    assert panel_of(november.secretary_a, "study/home_member.html") is None  # no member record of their own
    html = client_for(november.admin).get(reverse("core:home")).content.decode()
    assert 'data-testid="study-staff-behind">3<' in html and 'data-testid="study-staff-pending">1<' in html


def test_panels_run_a_fixed_number_of_queries(november):
    before = (
        queries_of(home.staff_study_panel, november.admin),
        queries_of(home.member_study_panel, november.member_user_a),
    )
    for _ in range(5):
        MemberFactory(org=november.branch_a)
    report_of(november.member_user_a, hours="2")
    after = (
        queries_of(home.staff_study_panel, november.admin),
        queries_of(home.member_study_panel, november.member_user_a),
    )
    assert after == before and before[0] <= 3 and before[1] <= 2


# ── the section on a member's page ──
def test_the_member_section_shows_this_year_and_last(november, client_for, clock):
    year = clock.today().year
    section = study_section(november.secretary_a, november.member_a2)
    assert section.lines == [
        f"{year}年：10.0学时 / 要求56学时（进度落后）",
        f"{year - 1}年：0.0学时 / 要求56学时（进度落后）",
        "全年要求56学时（任书记或支委会委员）",
    ]
    assert section.level == "warning"
    assert section.actions[0].url.startswith(reverse("study:members") + f"?org={november.branch_a.pk}")
    html = client_for(november.inspector).get(reverse("members:detail", args=[november.member_a.pk])).content.decode()
    assert 'data-testid="study-section"' in html and f"{year}年：10.0学时 / 要求32学时（进度落后）" in html


def test_the_member_sees_their_own_section_with_a_link_to_mine(november):
    section = study_section(november.member_user_a, november.member_a)
    assert section is not None and section.actions[0].url == reverse("study:mine")
    assert study_section(november.member_user_a, november.member_a2) is None  # another member: not theirs
    assert study_section(november.secretary_b, november.member_a) is None  # outside their scope


def test_the_member_section_runs_a_fixed_number_of_queries(november, django_assert_max_num_queries):
    assert "study-section" in {s.testid for s in sections_for(november.secretary_a, november.member_a)}
    with django_assert_max_num_queries(2):  # one per year
        study_section(november.secretary_a, november.member_a)


# ── reminders ──
def titles(user) -> list[str]:
    return [r.title for r in reminders.study_reminders(user)]


def test_behind_in_november_then_not_after_enough_hours(november, clock):
    year = clock.today().year
    assert f"您{year}年的学时进度落后：已完成10.0学时，按进度应达到24.0学时" in titles(november.member_user_a)
    assert f"2名党员{year}年学时进度落后" in titles(november.secretary_a)
    assert "1份自学学时申报待审核认定" in titles(november.secretary_a)
    assert f"1名党员{year}年学时进度落后" in titles(november.secretary_b)
    assert not any("待审核" in t for t in titles(november.secretary_b))
    approve(november, november.pending)  # 34 学时: on pace, even met
    assert titles(november.member_user_a) == []
    assert titles(november.secretary_a) == [f"1名党员{year}年学时进度落后"]
    assert all(r.source for r in reminders_for(november.secretary_a) if "学时" in r.title)


def test_no_behind_reminders_before_april(world, clock):
    """In March the line is a few 学时 (5.3 for a member): everyone with none is behind, nobody is reminded."""
    clock.set(date(clock.today().year, 3, 15))
    report_of(world.member_user_a, hours="1")
    assert titles(world.member_user_a) == []
    assert titles(world.secretary_a) == ["1份自学学时申报待审核认定"]
    clock.set(date(clock.today().year, rules.REMIND_FROM_MONTH, 2))
    assert any("进度落后" in t for t in titles(world.member_user_a))


def test_overdue_central_outcomes_are_reminded_in_scope(november, clock):
    def outcome(due_on, state="open"):
        return Outcome.objects.create(
            session=november.session_a,
            title="关于机关作风建设的调研报告",
            kind=OutcomeKind.RESEARCH,
            owner=november.member_a2,
            due_on=due_on,
            state=state,
        )

    outcome(clock.today() - timedelta(days=1))
    outcome(clock.today())  # due today: not yet overdue
    outcome(clock.today() - timedelta(days=30), state="done")
    assert "1项中心组学习成果已过转化时限仍未转化" in titles(november.secretary_a)
    assert not any("中心组" in t for t in titles(november.secretary_b))
    assert not any("中心组" in t for t in titles(november.member_user_a))


def test_reminders_run_a_fixed_number_of_queries(november):
    before = (
        queries_of(reminders.study_reminders, november.admin),
        queries_of(reminders.study_reminders, november.member_user_a),
    )
    for _ in range(5):
        MemberFactory(org=november.branch_b)
    report_of(november.member_user_a, hours="2")
    after = (
        queries_of(reminders.study_reminders, november.admin),
        queries_of(reminders.study_reminders, november.member_user_a),
    )
    assert after == before and before[0] <= 4


# ── the nightly task ──
def test_the_nightly_task_recomputes_the_hours(november, clock):
    MemberYear.objects.unrestricted().all().delete()
    tasks.refresh_study_hours.call_local()
    row = MemberYear.objects.unrestricted().get(member=november.member_a, year=clock.today().year)
    assert row.hours == 10 and row.session_hours == 10
