"""学习培训's part of demo data set S (see dangjian.core.demo), producer 95, after the meetings and the development
records: last year and this one up to today, so every study page shows something to every demo persona.

- In bulk, by the scale set's generator (study/scale.py StudyWriter over meetings/scale.py Writer): each of the 12
  branches' training plan per year (some items realised by a session, some past ones not), its study sessions (its
  党课 from the meetings demo counted as sessions of kind 党课 — counted once for 三会一课 and once for 学时 — and
  集中学习/专题培训/专家辅导 meetings with attendance), the committee's 中心组学习 monthly with 研讨发言, and
  self-reports of about half the members (mostly approved, some rejected or pending), each with its own tiny PDF
  certificate saved through the storage.
- On top, deterministically: in 办公室 (shuji01's branch) a plan item of a month gone by that no session realised;
  the 中心组's latest session of at least four months ago has an outcome turned into practice (已转化) and one still
  open past its deadline (overdue); the member persona (dangyuan01) submitted through the service an online course
  approved by shuji01 (so the login has 学时 this year even on 1 January), one rejected with a reason, and one three
  days ago still pending for shuji01 to approve — PNG certificates saved through the storage.
- Last, services.refresh_all for both years. Members who attended little and reported nothing are behind pace.
"""

import base64
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.scale import reset_sequence
from dangjian.meetings.demo import branch_stints, current_seats
from dangjian.meetings.models import Meeting
from dangjian.meetings.scale import FOREVER, BranchPeople, Stint, Writer
from dangjian.members.demo import demo_members
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from . import services
from .choices import OutcomeKind, OutcomeState, StudyKind
from .models import Outcome, PlanItem, Report, Session
from .scale import StudyWriter, _lectures, branch_on_day, keep_away

#: Branch code → the login that records its study (the committee admin elsewhere).
SECRETARIES = {"ZB01": "shuji01", "ZB02": "shuji02"}
MEMBER_LOGIN = "dangyuan01"
#: A real 1×1 PNG and the smallest PDF the certificate check accepts.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UNREALISED_TOPIC = "赴红色教育基地现场教学（未落实）"
REJECT_REASON = "证书未显示学时，请补充学习记录截图"


def _certificate(name: str = "学习证书.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@demo_producer(order=95)
def produce_study(ctx: DemoContext) -> None:
    """Both years in bulk, the fixed situations on top, the 学时 refreshed (see the module's text)."""
    today = ctx.today
    years = [today.year - 1, today.year]
    orgs = demo_orgs(ctx)
    committee = demo_committee()
    branch_orgs = [orgs[plan.code] for plan in BRANCHES]
    stints = branch_stints(ctx)
    keep_away(stints, ZoneInfo(settings.TIME_ZONE))
    seats = current_seats([o.pk for o in branch_orgs] + [committee.pk])
    people = [m for plan in BRANCHES for m in demo_members(ctx)[plan.code]]
    names = {m.pk: m.name for m in people}
    admin = ctx.users[ADMIN_USERNAME]
    leaders = {m for org_seats in seats.values() for m in org_seats.values()}
    lectures = _lectures([o.pk for o in branch_orgs], years)
    writer = Writer(rng=ctx.rng, today=today, names=names, counts={})
    writer.future = False
    study = StudyWriter(writer, {})
    for plan, org in zip(BRANCHES, branch_orgs, strict=True):
        branch = BranchPeople(org.pk, org.department, stints.get(org.pk, []), seats.get(org.pk, {}), [])
        user = ctx.users.get(SECRETARIES.get(plan.code, ADMIN_USERNAME), admin).pk
        for year in years:
            study.branch_year(branch, year, lectures[org.pk][year], user=user, reviewer=admin.pk)
        for stint in branch.stints:
            if stint.end == FOREVER:
                study.reports(stint.member_id, org.pk, years, stint.member_id in leaders, user)
    group = seats.get(committee.pk, {})
    central = BranchPeople(
        committee.pk,
        committee.department,
        [Stint(m, None, date.min, FOREVER, FOREVER) for m in dict.fromkeys(group.values())],
        group,
        [],
    )
    branch_on = branch_on_day(stints)
    for year in years:
        study.central(central, year, branch_on, admin.pk)
    study.flush()
    for model in (Meeting, PlanItem, Session):
        reset_sequence(model)
    _certificates(committee)
    _unrealised_item(ctx, orgs["ZB01"])
    _committee_plan(ctx, committee, years)
    _outcomes(ctx, committee)
    _branch_outcomes(ctx, branch_orgs)
    _member_reports(ctx)
    services.refresh_all(years)


def _certificates(committee) -> None:
    """Each bulk report its own small PDF in the storage (a withdrawal deletes its file: none is shared)."""
    bulk = Report.objects.unrestricted().filter(org__path__startswith=committee.path)  # a command: the set
    reports = list(bulk.filter(certificate__startswith="study/scale/"))
    for report in reports:
        report.certificate.save("c.pdf", ContentFile(PDF), save=False)
        report.certificate_size = len(PDF)
    Report.objects.bulk_update(reports, ["certificate", "certificate_size"], batch_size=500)


def _unrealised_item(ctx: DemoContext, org) -> None:
    """A plan item of 办公室 in a month gone by (last year's December in January) that no session realised."""
    today = ctx.today
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    PlanItem.objects.create(
        org=org,
        year=year,
        month=month,
        topic=UNREALISED_TOPIC,
        kind=StudyKind.OUTSIDE,
        audience="全体党员",
        planned_hours=Decimal(8),
        note="因故推迟",
        created_by=ctx.users.get("shuji01"),
    )


#: The committee's own yearly training plan: (month, topic, kind, audience, hours).
COMMITTEE_PLAN = (
    (3, "基层党组织书记培训班", StudyKind.SEMINAR, "各党支部书记、委员", 16),
    (6, "“七一”专题党课", StudyKind.LECTURE, "全体党员", 2),
    (9, "党纪学习教育专家辅导", StudyKind.EXPERT, "全体党员", 3),
    (11, "网络专题班", StudyKind.ONLINE, "全体党员", 10),
)


def _committee_plan(ctx: DemoContext, committee, years) -> None:
    """The 机关党委's own plan for each year of the set (its branches have theirs)."""
    PlanItem.objects.bulk_create(
        PlanItem(
            org=committee,
            year=year,
            month=month,
            topic=topic,
            kind=kind,
            audience=audience,
            planned_hours=Decimal(hours),
            created_by=ctx.users.get(ADMIN_USERNAME),
        )
        for year in years
        for month, topic, kind, audience, hours in COMMITTEE_PLAN
    )


def _outcomes(ctx: DemoContext, committee) -> None:
    """The 中心组's latest session of 120 days ago or more: one outcome done, one open and overdue."""
    today = ctx.today
    session = (
        Session.objects.unrestricted()
        .filter(org=committee, kind=StudyKind.CENTRAL, held_on__lte=today - timedelta(days=120))
        .order_by("-held_on")
        .first()
    )
    if session is None:
        return
    present = list(
        session.meeting.attendances.filter(presence="present").order_by("member_id").values_list("member", flat=True)
    )
    owner = present[0] if present else session.lead_id
    Outcome.objects.create(
        session=session,
        title="关于提升机关服务效能的调研报告",
        kind=OutcomeKind.RESEARCH,
        owner_id=owner,
        due_on=session.held_on + timedelta(days=60),
        state=OutcomeState.DONE,
        done_on=session.held_on + timedelta(days=50),
        result="调研建议已纳入年度工作要点并落实。",
    )
    Outcome.objects.create(
        session=session,
        title="完善理论学习中心组学习制度",
        kind=OutcomeKind.RULE,
        owner_id=present[-1] if present else owner,
        due_on=today - timedelta(days=10),
        state=OutcomeState.OPEN,
    )


def _branch_outcomes(ctx: DemoContext, branch_orgs) -> None:
    """Each branch's latest held session produced a 工作举措 still being carried out (学以致用 on each branch's
    list)."""
    for org in branch_orgs:
        session = (
            Session.objects.unrestricted()  # a command: the branch's own sessions
            .filter(org=org, meeting__status="held", meeting__attendances__presence="present")
            .order_by("-held_on")
            .first()
        )
        if session is None:
            continue
        owner = (
            session.meeting.attendances.filter(presence="present")
            .order_by("member_id")
            .values_list("member", flat=True)
        )[0]
        Outcome.objects.create(
            session=session,
            title=f"{org.department or org.name}：把学习成果转化为改进服务的具体举措",
            kind=OutcomeKind.MEASURE,
            owner_id=owner,
            due_on=ctx.today + timedelta(days=30),
            state=OutcomeState.OPEN,
        )


def _member_reports(ctx: DemoContext) -> None:
    """dangyuan01's reports through the services: approved (this year), rejected, and one pending for shuji01."""
    today = ctx.today
    member, secretary = ctx.users[MEMBER_LOGIN], ctx.users["shuji01"]
    course = {"course": "学习贯彻党的二十届四中全会精神网络专题班", "provider": "中国干部网络学院"}
    approved = services.submit_report(
        by=member,
        kind=StudyKind.ONLINE,
        studied_on=max(date(today.year, 1, 1), today - timedelta(days=20)),
        hours=Decimal(6),
        certificate=_certificate(),
        **course,
    )
    services.review_report(by=secretary, report=approved, decision=services.REVIEW_APPROVE, version=approved.version)
    rejected = services.submit_report(
        by=member,
        kind=StudyKind.OUTSIDE,
        studied_on=today - timedelta(days=40),
        hours=Decimal(8),
        certificate=_certificate("培训结业证书.png"),
        course="党性教育专题培训班",
        provider="市委党校",
    )
    services.review_report(
        by=secretary, report=rejected, decision=services.REVIEW_REJECT, comment=REJECT_REASON, version=rejected.version
    )
    services.submit_report(
        by=member,
        kind=StudyKind.ONLINE,
        studied_on=today - timedelta(days=3),
        hours=Decimal(4),
        certificate=_certificate("网络学习证明.png"),
        course="《中国共产党纪律处分条例》专题解读",
        provider="共产党员网",
    )


@demo_summary(order=95)
def summarize_study(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    scoped = {"org__path__startswith": committee.path}  # a command: the set
    summary.counts["学习场次"] = Session.objects.unrestricted().filter(**scoped).count()
    summary.counts["培训计划项目"] = PlanItem.objects.unrestricted().filter(**scoped).count()
    summary.counts["自学学时申报"] = Report.objects.unrestricted().filter(**scoped).count()
