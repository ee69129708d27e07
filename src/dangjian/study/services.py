"""Writes of 学习培训: sessions (a meeting carrying 学时), self-reports and their review, and the 学时 per member and
year derived from both (`refresh_hours`), kept true inside every write that changes them: ours, and the meetings'
(meetings.signals.attendance_changed, for sign-in, ticks, records, cancellations and edits)."""

import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import ExtractYear
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.meetings import services as meetings
from dangjian.meetings.choices import Activity, MeetingStatus
from dangjian.meetings.models import Meeting
from dangjian.meetings.parts import ALLOWED_SUFFIXES, check_attachment
from dangjian.meetings.selectors import attended
from dangjian.orgs.membership import membership
from dangjian.orgs.models import Organization

from . import rules
from .choices import REPORT_KINDS, ReportState, StudyKind
from .models import TOTAL_HOURS, MemberYear, PlanItem, Report, Session

HOURS_SUM = DecimalField(**TOTAL_HOURS)

ERR_OUT_OF_SCOPE = "您无权登记该组织的学习培训"
ERR_KIND = "请选择学习形式"
ERR_LEAD = "领学人须为本组织在册党员"
ERR_PLAN_ORG = "所选培训计划不属于本组织或其上级组织"
ERR_ALREADY_COUNTED = "该会议已计入学时"
ERR_NOT_COUNTABLE = "只有党课、主题党日或集中学习的会议可以计入学时"
ERR_MEETING_CANCELLED = "会议已取消，不能计入学时"
ERR_NOT_A_MEMBER = "只有党员本人可以申报学时"
ERR_REPORT_KIND = "自学申报的学习形式只能是外出培训、网络学习、专题培训或专家辅导"
ERR_REVIEW_SCOPE = "只有所在党支部的书记、委员可以认定学时"
ERR_REVIEW_STATE = "该申报已审核，不能重复审核"
ERR_REJECT_COMMENT = "不予认定时请填写原因"
ERR_WITHDRAW = "只能撤回本人待审核的申报"

#: A session's kind → the meeting activities it is held as (a 党课 counts for 三会一课 too).
KIND_ACTIVITIES = {StudyKind.LECTURE: {Activity.LECTURE}}
#: The activities of a meeting that may be counted as a study session afterwards (issue 15).
COUNTABLE_ACTIVITIES = {Activity.LECTURE, Activity.THEME_DAY, Activity.STUDY}
#: A certificate is an image or a PDF.
CERTIFICATE_SUFFIXES = {s: v for s, v in ALLOWED_SUFFIXES.items() if v[0] in ("jpeg", "png", "pdf")}
CERTIFICATE_TEXT = "JPG、PNG 图片或 PDF 文件"
REVIEW_APPROVE = "approve"
REVIEW_REJECT = "reject"


# --- 学时 per member and year --------------------------------------------------------------------------------------


def refresh_hours(member_ids: Iterable[int] | None, years: Iterable[int]) -> None:
    """Recompute MemberYear of `member_ids` (None: every member) for `years`, set-based: one grouped read of the
    attended sessions, one of the approved reports, then the rows replaced."""
    years = sorted(set(years))
    if not years:
        return
    ids = None if member_ids is None else sorted(set(member_ids))
    if ids == []:
        return
    sessions = attended().filter(meeting__study_session__held_on__year__in=years)
    reports = Report.objects.unrestricted().filter(state=ReportState.APPROVED, studied_on__year__in=years)
    rows = MemberYear.objects.unrestricted().filter(year__in=years)
    if ids is None:
        _refresh_every_member(sessions, reports, rows)
        return
    sessions, reports, rows = (q.filter(member_id__in=ids) for q in (sessions, reports, rows))
    totals: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for member_id, year, hours in (
        sessions.values_list("member_id", ExtractYear("meeting__study_session__held_on"))
        .annotate(h=Sum("meeting__study_session__hours"))
        .order_by()
    ):
        totals[member_id, year][0] += hours
    for member_id, year, hours in (
        reports.values_list("member_id", ExtractYear("studied_on")).annotate(h=Sum("hours")).order_by()
    ):
        totals[member_id, year][1] += hours
    rows.delete()
    now = timezone.now()
    MemberYear.objects.bulk_create(
        (
            MemberYear(member_id=m, year=y, session_hours=s, report_hours=r, hours=s + r, computed_at=now)
            for (m, y), (s, r) in totals.items()
        ),
        batch_size=2000,
    )


def _refresh_every_member(sessions, reports, rows) -> None:
    """refresh_hours for every member: one INSERT … SELECT of the two grouped reads (the rows never pass through
    Python: 300,000 member-years at L)."""
    zero = Value(Decimal(0), output_field=HOURS_SUM)
    attended_hours = (
        sessions.values("member_id", year=ExtractYear("meeting__study_session__held_on"))
        .annotate(s=Sum("meeting__study_session__hours"), r=zero)
        .values_list("member_id", "year", "s", "r")
        .order_by()
    )
    report_hours = (
        reports.values("member_id", year=ExtractYear("studied_on"))
        .annotate(s=zero, r=Sum("hours"))
        .values_list("member_id", "year", "s", "r")
        .order_by()
    )
    union_sql, params = attended_hours.union(report_hours, all=True).query.sql_with_params()
    table = connection.ops.quote_name(MemberYear._meta.db_table)
    rows.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, year, session_hours, report_hours, hours, computed_at)"
            f" SELECT t.member_id, t.year, SUM(t.s), SUM(t.r), SUM(t.s) + SUM(t.r), %s FROM ({union_sql}) t"
            " GROUP BY t.member_id, t.year",
            [timezone.now(), *params],
        )


def refresh_all(years: Iterable[int] | None = None) -> None:
    """Every member's 学时 of `years` (default: this year and last), e.g. nightly and after a bulk load."""
    this_year = clock.today().year
    with transaction.atomic():
        refresh_hours(None, years or (this_year - 1, this_year))


def _local_day(moment: datetime):
    return timezone.localtime(moment).date()


def on_attendance_changed(sender, meeting: Meeting, **kwargs) -> None:
    """meetings.signals: the meeting's attendance (or time, or state) changed; if it is a session, its copies follow
    the meeting and its invitees' 学时 are recomputed for the old and the new year."""
    session = Session.objects.unrestricted().filter(meeting_id=meeting.pk).first()  # the meeting's own session
    if session is None:
        return
    years = {session.held_on.year}
    _sync_copies(session, meeting)
    years.add(session.held_on.year)
    refresh_hours(meetings.meeting_invitee_ids(meeting), years)


def _sync_copies(session: Session, meeting: Meeting) -> None:
    day = _local_day(meeting.starts_at)
    if session.held_on != day or session.org_id != meeting.org_id:
        session.held_on, session.org_id = day, meeting.org_id
        session.save(update_fields=["held_on", "org", "updated_at"])


# --- sessions ---------------------------------------------------------------------------------------------------


def _check_study_facts(*, org: Organization, kind: str, hours: Decimal, plan_item: PlanItem | None, lead=None) -> None:
    errors = {}
    if lead is not None and not membership().in_register(org).filter(pk=lead.pk).exists():
        errors["lead"] = ERR_LEAD
    if kind not in StudyKind.values:
        errors["kind"] = ERR_KIND
    problems = rules.hours_errors(hours, clock.today(), clock.today()) if hours is not None else ["请填写学时"]
    if problems:
        errors["hours"] = "；".join(problems)
    if plan_item is not None and not org.path.startswith(plan_item.org.path):
        errors["plan_item"] = ERR_PLAN_ORG
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_session(
    *,
    by,
    org: Organization,
    kind: str,
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    hours: Decimal,
    place: str = "",
    speaker: str = "",
    lead=None,
    plan_item: PlanItem | None = None,
    invitees: Iterable[int] | None = None,
    held: bool = False,
) -> Session:
    """A study session: the meeting (planned, or recorded as held) with its invitees, which sign in by its QR code,
    and the 学时 it carries. A 党课 is held as a 党课 (it counts for 三会一课 too), any other kind as 集中学习."""
    _check_study_facts(org=org, kind=kind, hours=hours, plan_item=plan_item, lead=lead)
    meeting = meetings.create_meeting(
        by=by,
        org=org,
        activities=KIND_ACTIVITIES.get(kind, {Activity.STUDY}),
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        invitees=invitees,
        held=held,
    )
    return _add_session(by, meeting, kind=kind, hours=hours, speaker=speaker, lead=lead, plan_item=plan_item)


def _add_session(by, meeting: Meeting, **facts) -> Session:
    session = Session(meeting=meeting, org=meeting.org, held_on=_local_day(meeting.starts_at), created_by=by, **facts)
    session.full_clean()
    session.save()
    refresh_hours(meetings.meeting_invitee_ids(meeting), [session.held_on.year])
    return session


@transaction.atomic
def count_meeting(
    *,
    by,
    meeting: Meeting,
    hours: Decimal,
    kind: str = "",
    speaker: str = "",
    plan_item: PlanItem | None = None,
) -> Session:
    """Count a meeting already planned or held (a 党课, a 主题党日, a 集中学习) as a study session with its 学时:
    nothing about it is entered again; its attendance gives the hours."""
    if not by.can(Capability.CHANGE, meeting.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    locked = Meeting.objects.changeable_by(by).select_for_update(of=("self",)).get(pk=meeting.pk)
    if Session.objects.unrestricted().filter(meeting=locked).exists():  # any session of it, seen or not
        raise ValidationError(ERR_ALREADY_COUNTED)
    if locked.status == MeetingStatus.CANCELLED:
        raise ValidationError(ERR_MEETING_CANCELLED)
    activities = set(meetings.meeting_activity_codes(locked))
    if not activities & COUNTABLE_ACTIVITIES:
        raise ValidationError(ERR_NOT_COUNTABLE)
    kind = kind or (StudyKind.LECTURE if Activity.LECTURE in activities else StudyKind.CONCENTRATED)
    _check_study_facts(org=locked.org, kind=kind, hours=hours, plan_item=plan_item)
    if not speaker and locked.lecturer_id:
        speaker = locked.lecturer.name
    return _add_session(by, locked, kind=kind, hours=hours, speaker=speaker, lead=None, plan_item=plan_item)


def _locked_session(by, session: Session) -> Session:
    locked = Session.objects.changeable_by(by).select_for_update(of=("self",)).filter(pk=session.pk).first()
    if locked is None:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    return locked


@transaction.atomic
def update_session(
    *,
    by,
    session: Session,
    version: int | None,
    kind: str,
    hours: Decimal,
    speaker: str = "",
    lead=None,
    plan_item: PlanItem | None = None,
) -> Session:
    """Change a session's study facts (its time, place and people are the meeting's, edited there)."""
    locked = _locked_session(by, session)
    check_version(locked, version)
    _check_study_facts(org=locked.org, kind=kind, hours=hours, plan_item=plan_item, lead=lead)
    locked.kind, locked.hours, locked.speaker, locked.lead, locked.plan_item = kind, hours, speaker, lead, plan_item
    locked.full_clean()
    locked.save()
    refresh_hours(meetings.meeting_invitee_ids(locked.meeting), [locked.held_on.year])
    return locked


@transaction.atomic
def remove_session(*, by, session: Session) -> None:
    """No longer count the meeting as a study session (the meeting stays): its invitees' 学时 drop."""
    locked = _locked_session(by, session)
    invitees, year = meetings.meeting_invitee_ids(locked.meeting), locked.held_on.year
    locked.delete()
    refresh_hours(invitees, [year])


# --- self-reported study ------------------------------------------------------------------------------------------


@transaction.atomic
def submit_report(
    *,
    by,
    course: str,
    provider: str,
    kind: str,
    studied_on,
    hours: Decimal,
    certificate: UploadedFile,
) -> Report:
    """A member reports study outside the org's sessions, with a certificate (an image or a PDF, checked by its
    content); it counts nothing until the branch approves it."""
    member = getattr(by, "member", None)
    if member is None or member.org_id is None:
        raise PermissionDenied(ERR_NOT_A_MEMBER)
    errors = {}
    if kind not in REPORT_KINDS:
        errors["kind"] = ERR_REPORT_KIND
    problems = rules.hours_errors(hours, studied_on, clock.today())
    for problem in problems:
        errors.setdefault("studied_on" if problem == rules.ERR_FUTURE else "hours", problem)
    if errors:
        raise ValidationError(errors)
    name, content_type = check_attachment(certificate, CERTIFICATE_SUFFIXES, CERTIFICATE_TEXT)
    report = Report(
        member=member,
        org=member.org,
        course=course,
        provider=provider,
        kind=kind,
        studied_on=studied_on,
        hours=hours,
        certificate_name=name,
        certificate_type=content_type,
        certificate_size=certificate.size,
        created_by=by,
    )
    report.certificate.save(f"c{os.path.splitext(name)[1].lower()}", certificate, save=False)
    try:
        report.full_clean()
        report.save()
    except Exception:
        report.certificate.delete(save=False)
        raise
    return report


@transaction.atomic
def review_report(*, by, report: Report, decision: str, comment: str = "", version: int | None = None) -> Report:
    """认定 (approve: the hours count from now) or 不予认定 with a reason, by the branch's secretary or committee."""
    if not by.can(Capability.CHANGE, report.org.path):
        raise PermissionDenied(ERR_REVIEW_SCOPE)
    locked = Report.objects.changeable_by(by).select_for_update(of=("self",)).get(pk=report.pk)
    check_version(locked, version)
    if locked.state != ReportState.PENDING:
        raise ValidationError(ERR_REVIEW_STATE)
    if decision == REVIEW_REJECT and not comment.strip():
        raise ValidationError({"comment": ERR_REJECT_COMMENT})
    if decision not in (REVIEW_APPROVE, REVIEW_REJECT):
        raise ValidationError({"decision": "请选择认定或不予认定"})
    locked.state = ReportState.APPROVED if decision == REVIEW_APPROVE else ReportState.REJECTED
    locked.review_comment = comment.strip()
    locked.reviewed_by, locked.reviewed_at = by, timezone.now()
    locked.full_clean()
    locked.save()
    refresh_hours([locked.member_id], [locked.studied_on.year])
    return locked


@transaction.atomic
def withdraw_report(*, by, report: Report) -> None:
    """The member takes back a report not yet reviewed (its certificate is deleted with it)."""
    locked = Report.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=report.pk).first()
    if locked is None or locked.member.user_id != by.pk or locked.state != ReportState.PENDING:
        raise PermissionDenied(ERR_WITHDRAW)
    stored, storage = locked.certificate.name, locked.certificate.storage
    locked.delete()
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)
