"""学时 as the services derive it: sessions attended (signed in or ticked), each meeting counted once, approved
reports only; refused input writes nothing."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.meetings import services as meetings
from dangjian.meetings import signin
from dangjian.meetings.choices import Activity, Presence
from dangjian.meetings.models import Meeting
from dangjian.meetings.services import Mark
from dangjian.meetings.tests.factories import meeting_of
from dangjian.orgs.models import CommitteeSeat
from dangjian.study import rules, selectors, services
from dangjian.study.choices import ReportState, StudyKind
from dangjian.study.models import MemberYear, Report, Session
from dangjian.study.tests.study_world import PDF, certificate, report_of, session_of

pytestmark = pytest.mark.django_db


def hours_of(member, year: int) -> Decimal:
    row = MemberYear.objects.unrestricted().filter(member=member, year=year).first()
    return row.hours if row else Decimal(0)


def tick(session, by, member, presence=Presence.PRESENT):
    meetings.set_attendance(by=by, meeting=session.meeting, member_id=member.pk, mark=Mark(presence, "leave"))


def test_a_session_is_a_meeting_of_its_kind_with_its_invitees(world, clock):
    session = session_of(world.branch_a, world.secretary_a, kind=StudyKind.LECTURE)
    assert meetings.meeting_activity_codes(session.meeting) == [Activity.LECTURE]
    assert set(meetings.meeting_invitee_ids(session.meeting)) == {world.member_a.pk, world.member_a2.pk}
    other = session_of(world.branch_a, world.secretary_a, kind=StudyKind.EXPERT)
    assert meetings.meeting_activity_codes(other.meeting) == [Activity.STUDY]
    assert other.held_on == clock.today() - timedelta(days=1)


def test_hours_come_from_attendance_and_go_with_it(world, clock):
    session = session_of(world.branch_a, world.secretary_a, hours="2.5")
    year = session.held_on.year
    assert hours_of(world.member_a, year) == 0  # invited is not attended
    tick(session, world.secretary_a, world.member_a)
    assert hours_of(world.member_a, year) == Decimal("2.5")
    assert hours_of(world.member_a2, year) == 0
    tick(session, world.secretary_a, world.member_a, Presence.ABSENT)
    assert hours_of(world.member_a, year) == 0


def test_changing_a_sessions_hours_or_removing_it_follows(world, clock):
    session = session_of(world.branch_a, world.secretary_a, hours="2")
    tick(session, world.secretary_a, world.member_a)
    session = services.update_session(
        by=world.secretary_a, session=session, version=session.version, kind=session.kind, hours=Decimal("3")
    )
    assert hours_of(world.member_a, session.held_on.year) == 3
    services.remove_session(by=world.secretary_a, session=session)
    assert hours_of(world.member_a, session.held_on.year) == 0
    assert not Session.objects.unrestricted().exists()


def test_a_lecture_that_is_also_a_theme_day_counts_once(world, clock):
    """Issue 15: hours from a session attended are counted once even if it is also a 党课."""
    meeting = meeting_of(world.branch_a, world.secretary_a, activities=(Activity.LECTURE, Activity.THEME_DAY))
    session = services.count_meeting(by=world.secretary_a, meeting=meeting, hours=Decimal("2"))
    assert session.kind == StudyKind.LECTURE
    tick(session, world.secretary_a, world.member_a)
    assert hours_of(world.member_a, session.held_on.year) == 2
    with pytest.raises(ValidationError) as refused:
        services.count_meeting(by=world.secretary_a, meeting=meeting, hours=Decimal("2"))
    assert services.ERR_ALREADY_COUNTED in refused.value.messages
    assert hours_of(world.member_a, session.held_on.year) == 2


def test_only_lectures_theme_days_and_study_meetings_count(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, activities=(Activity.COMMITTEE,))
    with pytest.raises(ValidationError) as refused:
        services.count_meeting(by=world.secretary_a, meeting=meeting, hours=Decimal("2"))
    assert services.ERR_NOT_COUNTABLE in refused.value.messages
    with pytest.raises(PermissionDenied):
        services.count_meeting(by=world.secretary_b, meeting=meeting, hours=Decimal("2"))
    assert not Session.objects.unrestricted().exists()


def test_a_cancelled_session_counts_nothing(world, clock):
    session = session_of(world.branch_a, world.secretary_a, days_ago=-3)
    meetings.cancel_meeting(by=world.secretary_a, meeting=session.meeting)
    assert not MemberYear.objects.unrestricted().filter(hours__gt=0).exists()


def test_moving_a_session_across_new_year_moves_its_hours(world, clock):
    clock.set(date(clock.today().year, 1, 5))
    session = session_of(world.branch_a, world.secretary_a, days_ago=2)
    tick(session, world.secretary_a, world.member_a)
    year = session.held_on.year
    earlier = session.meeting.starts_at - timedelta(days=7)  # into December of the year before
    meetings.update_meeting(
        by=world.secretary_a,
        meeting=session.meeting,
        version=session.meeting.version,
        activities=[Activity.STUDY],
        topic=session.meeting.topic,
        starts_at=earlier,
        ends_at=earlier + timedelta(hours=2),
    )
    assert hours_of(world.member_a, year) == 0
    assert hours_of(world.member_a, year - 1) == 2


def test_sign_in_by_qr_counts(world, clock):
    session = session_of(world.branch_a, world.secretary_a, days_ago=0)
    clock.set(clock.today(), at=time(15))
    signin.sign_in(user=world.member_user_a, meeting=session.meeting, token=signin.make_token(session.meeting))
    assert hours_of(world.member_a, session.held_on.year) == 2


def test_an_unapproved_report_counts_nothing(world, clock):
    report = report_of(world.member_user_a, hours="4")
    year = report.studied_on.year
    assert report.state == ReportState.PENDING
    assert hours_of(world.member_a, year) == 0
    services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_REJECT, comment="无证明")
    assert hours_of(world.member_a, year) == 0
    approved = report_of(world.member_user_a, hours="6", file=certificate("结业证书.pdf", PDF))
    services.review_report(by=world.secretary_a, report=approved, decision=services.REVIEW_APPROVE)
    assert hours_of(world.member_a, year) == 6


def test_review_is_the_branchs_and_once(world, clock):
    report = report_of(world.member_user_a)
    with pytest.raises(PermissionDenied):
        services.review_report(by=world.secretary_b, report=report, decision=services.REVIEW_APPROVE)
    with pytest.raises(ValidationError) as refused:
        services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_REJECT)
    assert services.ERR_REJECT_COMMENT in refused.value.messages
    services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_APPROVE)
    with pytest.raises(ValidationError):
        services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_APPROVE)


@pytest.mark.parametrize(
    ("hours", "days_ago", "file", "field", "message"),
    [
        ("0", 1, None, "hours", rules.ERR_HOURS_POSITIVE),
        ("-2", 1, None, "hours", rules.ERR_HOURS_POSITIVE),
        ("24.5", 1, None, "hours", rules.ERR_HOURS_DAY),
        ("2", -1, None, "studied_on", rules.ERR_FUTURE),
        ("2", 1, ("证书.txt", b"hello"), "file", "不支持该文件类型（.txt），只能上传JPG、PNG 图片或 PDF 文件"),
        ("2", 1, ("证书.docx", b"PK\x03\x04"), "file", "不支持该文件类型（.docx），只能上传JPG、PNG 图片或 PDF 文件"),
        ("2", 1, ("证书.png", PDF), "file", "文件内容与扩展名不符"),
    ],
)
def test_bad_reports_are_refused_with_nothing_written(world, clock, hours, days_ago, file, field, message):
    upload = certificate(*file) if file else None
    with pytest.raises(ValidationError) as refused:
        report_of(world.member_user_a, hours=hours, days_ago=days_ago, file=upload)
    assert any(message in m for m in refused.value.message_dict[field])
    assert not Report.objects.unrestricted().exists()


def test_only_a_member_reports(world, clock):
    with pytest.raises(PermissionDenied):
        report_of(world.secretary_a)


@pytest.mark.parametrize(("hours", "message"), [("0", rules.ERR_HOURS_POSITIVE), ("25", rules.ERR_HOURS_DAY)])
def test_bad_session_hours_write_no_meeting(world, clock, hours, message):
    with pytest.raises(ValidationError) as refused:
        session_of(world.branch_a, world.secretary_a, hours=hours)
    assert message in refused.value.message_dict["hours"][0]
    assert not Meeting.objects.unrestricted().exists()


def test_a_secretary_from_july_owes_56_for_the_year(world, clock):
    """Issue 15: a member who became secretary in July needs 56 for that year; the year before, 32."""
    year = clock.today().year
    CommitteeSeat.objects.filter(pk=world.seat_a.pk).update(started_on=date(year, 7, 1))
    rows = {m.pk: m for m in selectors.member_progress(fetched_by=world.admin, year=year)}
    assert rows[world.member_a2.pk].required == rules.LEADER_HOURS
    assert rows[world.member_a.pk].required == rules.MEMBER_HOURS
    earlier = {m.pk: m for m in selectors.member_progress(fetched_by=world.admin, year=year - 1)}
    assert earlier[world.member_a2.pk].required == rules.MEMBER_HOURS


def test_summary_rolls_up_and_counts_who_is_behind(world, clock):
    clock.set(date(clock.today().year, 11, 2))
    session = session_of(world.branch_a, world.secretary_a, hours="24")
    tick(session, world.secretary_a, world.member_a)
    report = report_of(world.member_user_a, hours="8")
    services.review_report(by=world.secretary_a, report=report, decision=services.REVIEW_APPROVE)
    page = selectors.summary(fetched_by=world.admin, year=clock.today().year, orgs=[world.general, world.branch_b])
    assert page.total.members == 3 and page.total.hours == 32
    assert page.total.met == 1  # member_a: 32 of 32; member_a2 (a seat) and member_b (a seat) are behind
    assert page.total.behind == 2
    general, branch_b = page.rows
    assert (general[1].members, general[1].met, general[1].behind, general[1].leaders) == (2, 1, 1, 1)
    assert (branch_b[1].members, branch_b[1].behind) == (1, 1)
    # orgs of mixed depths are rolled up per branch: the same figures
    mixed = selectors.summary(fetched_by=world.admin, year=clock.today().year, orgs=[world.general, world.branch_a])
    assert mixed.rows[0][1] == general[1] and mixed.rows[1][1].members == 2
    scoped = selectors.summary(fetched_by=world.secretary_b, year=clock.today().year)
    assert scoped.total.members == 1 and scoped.total.hours == 0


def test_the_lead_is_a_member_of_the_org(world, clock):
    with pytest.raises(ValidationError) as refused:
        session_of(world.branch_a, world.secretary_a, kind=StudyKind.CENTRAL, lead=world.member_b)
    assert refused.value.message_dict["lead"] == [services.ERR_LEAD]
    assert not Meeting.objects.unrestricted().exists()
    session = session_of(world.branch_a, world.secretary_a, kind=StudyKind.CENTRAL, lead=world.member_a2)
    assert session.lead == world.member_a2


@pytest.mark.parametrize(
    ("seat", "hours"),
    [(None, "0"), ("july", "20"), ("july", "45"), ("ended_last_year", "30"), ("always", "56"), (None, "31.9")],
)
def test_the_query_agrees_with_the_pure_rules(world, clock, seat, hours):
    """selectors.with_hours computes in SQL what rules.requirement and rules.behind_line say (the oracle)."""
    clock.set(date(clock.today().year, 11, 2))
    year = clock.today().year
    starts = {"july": date(year, 7, 1), "ended_last_year": date(year - 2, 3, 1), "always": date(year - 3, 1, 1)}
    ends = {"ended_last_year": date(year - 1, 12, 31)}
    seats = CommitteeSeat.objects.filter(member=world.member_a2)
    if seat is None:
        seats.delete()
    else:
        seats.update(started_on=starts[seat], ended_on=ends.get(seat))
    MemberYear.objects.create(
        member=world.member_a2,
        year=year,
        session_hours=Decimal(hours),
        hours=Decimal(hours),
        computed_at=timezone.now(),
    )
    row = selectors.member_progress(fetched_by=world.admin, year=year).get(pk=world.member_a2.pk)
    spans = [(s.started_on, s.ended_on) for s in CommitteeSeat.objects.filter(member=world.member_a2)]
    required = rules.requirement(year, spans)
    assert (row.required, row.leader) == (required.hours, required.leader)
    assert row.behind == (Decimal(hours) < rules.behind_line(required.hours, year, clock.today()))
