"""/api/v1/study: 学习培训 — the 学时 of the scope and of its members (selectors.summary, member_progress, as the
pages), a member's own 学时, study sessions (a meeting carrying 学时) with their attendance, planning one
(services.create_session), self-reports and their review (services.review_report), and the yearly plan.

学时 are strings with one decimal ("2.5"). A self-report's certificate is uploaded on the page (我的学时): the API takes
no files."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.core import clock
from dangjian.core.api import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    InvalidParams,
    MemberRef,
    OrgRef,
    PageParams,
    choices_help,
    paginate,
    write_version,
)
from dangjian.core.concurrency import etag
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.meetings import services as meeting_services
from dangjian.meetings.choices import MeetingStatus, Presence
from dangjian.meetings.models import Attendance
from dangjian.meetings.selectors import attended
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import visible_org_or_404

from . import rules, selectors, services
from .choices import ReportState, StudyKind
from .models import PlanItem, Report, Session

router = Router(tags=["学习培训"])

#: The years a query may name: the first the system could hold, the next one (a plan is made ahead).
YEAR_MIN = 2000
YEAR_HELP = "年度（YYYY）；不填为今年"
ID_MAX = 10**18
ERR_MEMBER = "党员不存在或不在您的权限范围内"
ERR_PLAN_ITEM = "培训计划项目不存在，或不属于本组织及其上级组织"
ONE_DECIMAL = Decimal("0.1")


def _hours(value) -> str:
    return str(Decimal(value or 0).quantize(ONE_DECIMAL))


def _year(year: int | None) -> int:
    return year or clock.today().year


def _year_field():
    return Field(None, ge=YEAR_MIN, le=2100, description=YEAR_HELP)


def _org_field(description: str = "组织 ID（含下级组织）；不填为您的全部权限范围"):
    return Field(None, ge=1, le=ID_MAX, description=description)


class PageOf(Schema):
    count: int
    page: int
    page_size: int


# --- the 学时 of the scope -----------------------------------------------------------------------------------------


class SummaryParams(Schema):
    org: int | None = _org_field()
    year: int | None = _year_field()


class FiguresOut(Schema):
    members: int = Field(description="在册党员数")
    leaders: int = Field(description="其中当年任支部（或以上）委员会书记、委员的人数（应修56学时）")
    met: int = Field(description="已修满当年应修学时的人数")
    met_percent: int | None = Field(description="修满的比例（%）；无党员时为 null")
    behind: int = Field(description="进度落后的人数（当年：低于按月进度；往年：未修满）")
    hours: str = Field(description="学时合计")
    average: str = Field(description="人均学时")

    @staticmethod
    def resolve_hours(obj: selectors.Figures) -> str:
        return _hours(obj.hours)

    @staticmethod
    def resolve_average(obj: selectors.Figures) -> str:
        return _hours(obj.average)


class SummaryRowOut(Schema):
    org: OrgRef
    figures: FiguresOut


class SummaryOut(Schema):
    org: OrgRef | None = Field(description="所查组织；不填 org 时为 null（您的全部权限范围）")
    year: int
    member_hours: str = Field(description=rules.RULE_MEMBER)
    leader_hours: str = Field(description=rules.RULE_LEADER)
    total: FiguresOut
    rows: list[SummaryRowOut] = Field(
        description="各下级组织（含其下级）的学时情况；不填 org 时为您权限范围的各顶层组织（仅一个时为其下级组织）"
    )


@router.get("/summary", response={200: SummaryOut, **ERROR_RESPONSES}, url_name="study_summary", summary="学时情况")
def summary(request: HttpRequest, filters: Query[SummaryParams]):
    """您权限范围内（或某组织及其下级组织）在册党员某年度的学时：人数、修满人数、进度落后人数、学时合计与人均，
    以及各下级组织的同样数字（与“学时情况”页面相同）。组织不存在或不在权限范围内时返回 404。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    year = _year(filters.year)
    orgs = list(selectors.child_orgs(fetched_by=user, root=org))
    result = selectors.summary(fetched_by=user, year=year, root=org, orgs=orgs)
    return {
        "org": org,
        "year": year,
        "member_hours": _hours(rules.MEMBER_HOURS),
        "leader_hours": _hours(rules.LEADER_HOURS),
        "total": result.total,
        "rows": [{"org": row_org, "figures": figures} for row_org, figures in result.rows],
    }


# --- the members' 学时 ---------------------------------------------------------------------------------------------


class MemberParams(Schema):
    org: int | None = _org_field("党支部或上级组织 ID（含下级组织）")
    year: int | None = _year_field()
    behind: bool | None = Field(None, description="true：只列进度落后的；false：只列不落后的")


class MemberHoursOut(Schema):
    member: MemberRef
    org: OrgRef = Field(description="所在党支部")
    year: int
    hours: str = Field(description="学时合计（集中学习 + 认定的自学）")
    session_hours: str = Field(description="参加学习场次的学时")
    report_hours: str = Field(description="认定的自学学时")
    required: str = Field(description="当年应修学时：32；当年任支部（或以上）委员会书记、委员的 56")
    leader: bool = Field(description="当年任过支部（或以上）委员会书记、委员")
    behind: bool = Field(description="进度落后（当年：低于按月进度；往年：未修满）")

    @staticmethod
    def resolve_member(obj: Member) -> dict:
        return {"id": obj.pk, "name": obj.name}

    @staticmethod
    def resolve_hours(obj: Member) -> str:
        return _hours(obj.hours)

    @staticmethod
    def resolve_session_hours(obj: Member) -> str:
        return _hours(obj.session_hours)

    @staticmethod
    def resolve_report_hours(obj: Member) -> str:
        return _hours(obj.report_hours)

    @staticmethod
    def resolve_required(obj: Member) -> str:
        return _hours(obj.required)


class MemberHoursPage(PageOf):
    results: list[MemberHoursOut]


@router.get(
    "/members", response={200: MemberHoursPage, **ERROR_RESPONSES}, url_name="study_members", summary="党员学时"
)
def member_list(request: HttpRequest, filters: Query[MemberParams], pages: Query[PageParams]):
    """您权限范围内在册党员某年度的学时、应修学时和是否进度落后，按党支部、姓名排序。组织不存在或不在权限范围内时
    返回 404。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    year = _year(filters.year)
    rows = selectors.member_progress(fetched_by=user, year=year, root=org)
    if filters.behind is not None:
        rows = rows.filter(behind=filters.behind)
    page = paginate(rows.order_by("org__path", "name_pinyin", "id"), page=pages.page, page_size=pages.page_size)
    for member in page["results"]:
        member.year = year
    return page


class SessionRefOut(Schema):
    id: int
    topic: str
    held_on: date
    kind: StudyKind = Field(description=choices_help(StudyKind.choices))
    hours: str

    @staticmethod
    def resolve_topic(obj: Session) -> str:
        return obj.meeting.topic

    @staticmethod
    def resolve_hours(obj: Session) -> str:
        return _hours(obj.hours)


class ReportOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；认定时须带上（If-Match 或 version）")
    member: MemberRef
    org: OrgRef = Field(description="申报时所在党支部（由其认定）")
    course: str = Field(description="课程/培训名称")
    provider: str = Field(description="举办单位/平台")
    kind: StudyKind = Field(description=choices_help(StudyKind.choices))
    studied_on: date
    hours: str
    certificate_name: str = Field(description="证明文件名（文件在页面上查看）")
    state: ReportState = Field(description=choices_help(ReportState.choices))
    reviewed_at: datetime | None
    review_comment: str

    @staticmethod
    def resolve_hours(obj: Report) -> str:
        return _hours(obj.hours)


class MineOut(MemberHoursOut):
    rule: str = Field(description="应修学时的依据")
    expected_by_now: str = Field(description="按进度到今天应有的学时（往年为应修学时）")
    sessions: list[SessionRefOut] = Field(description="当年参加（已出席）的学习场次")
    reports: list[ReportOut] = Field(description="当年的自学申报（含待审核、未认定的）")


class MineParams(Schema):
    year: int | None = _year_field()


@router.get("/members/me", response={200: MineOut, **ERROR_RESPONSES}, url_name="study_mine", summary="我的学时")
def mine(request: HttpRequest, filters: Query[MineParams]):
    """令牌用户本人（须有党员记录）某年度的学时、应修学时、参加的学习场次和自学申报；无党员记录时返回 404。"""
    user = request.auth
    own = Member.objects.visible_to(user).filter(user=user)
    year = _year(filters.year)
    member = selectors.with_hours(own, year).select_related("org").first()
    if member is None:
        raise Http404
    member.year = year
    member.rule = rules.RULE_LEADER if member.leader else rules.RULE_MEMBER
    member.expected_by_now = _hours(rules.behind_line(member.required, year, clock.today()))
    present = attended().filter(member=member)  # the member's own attendances (unrestricted: read by its member)
    member.sessions = list(
        Session.objects.visible_to(user)
        .filter(held_on__year=year, meeting_id__in=present.values("meeting_id"))
        .select_related("meeting")
        .order_by("held_on", "id")
    )
    member.reports = list(
        Report.objects.visible_to(user)
        .filter(member=member, studied_on__year=year)
        .select_related("member", "org")
        .order_by("-studied_on", "-id")
    )
    return member


# --- sessions ----------------------------------------------------------------------------------------------------


class SessionParams(Schema):
    org: int | None = _org_field("组织 ID（含下级组织的学习场次）")
    year: int | None = Field(None, ge=YEAR_MIN, le=2100, description="年度（YYYY）；不填为全部年度")
    kind: StudyKind | None = Field(None, description=f"学习形式：{choices_help(StudyKind.choices)}")


class SessionOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1")
    meeting: int = Field(description="会议 ID（时间、地点、应到人员、签到见 /api/v1/meetings）")
    topic: str
    org: OrgRef = Field(description="组织单位")
    held_on: date
    starts_at: datetime
    ends_at: datetime
    place: str
    status: MeetingStatus = Field(description=f"会议状态：{choices_help(MeetingStatus.choices)}")
    kind: StudyKind = Field(description=choices_help(StudyKind.choices))
    hours: str = Field(description="出席者计入的学时")
    speaker: str = Field(description="主讲人/领学人")
    plan_item: int | None = Field(description="对应培训计划项目 ID")

    @staticmethod
    def resolve_meeting(obj: Session) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_topic(obj: Session) -> str:
        return obj.meeting.topic

    @staticmethod
    def resolve_starts_at(obj: Session) -> datetime:
        return obj.meeting.starts_at

    @staticmethod
    def resolve_ends_at(obj: Session) -> datetime:
        return obj.meeting.ends_at

    @staticmethod
    def resolve_place(obj: Session) -> str:
        return obj.meeting.place

    @staticmethod
    def resolve_status(obj: Session) -> str:
        return obj.meeting.status

    @staticmethod
    def resolve_hours(obj: Session) -> str:
        return _hours(obj.hours)

    @staticmethod
    def resolve_plan_item(obj: Session) -> int | None:
        return obj.plan_item_id


class SessionAttendanceOut(Schema):
    member: MemberRef
    org: OrgRef = Field(description="所在党支部（会议时）")
    presence: Presence = Field(description=choices_help(Presence.choices))
    hours: str = Field(description="计入的学时：出席（会议未取消）为本场学时，否则为 0")


class SessionDetailOut(SessionOut):
    attendance: list[SessionAttendanceOut] = Field(description="应到人员及其出席情况（您权限范围内的）")


class SessionPage(PageOf):
    results: list[SessionOut]


def _sessions(user):
    return Session.objects.visible_to(user).select_related("meeting", "org")


@router.get("/sessions", response={200: SessionPage, **ERROR_RESPONSES}, url_name="study_sessions", summary="学习场次")
def session_list(request: HttpRequest, filters: Query[SessionParams], pages: Query[PageParams]):
    """您权限范围内的学习场次（含您作为应到人员的），按日期倒序。组织不存在或不在权限范围内时返回 404。"""
    user = request.auth
    rows = _sessions(user)
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if filters.year:
        rows = rows.filter(held_on__year=filters.year)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return paginate(rows.order_by("-held_on", "-id"), page=pages.page, page_size=pages.page_size)


def _session_detail(user, session_id: int) -> Session:
    session = _sessions(user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    cancelled = session.meeting.status == MeetingStatus.CANCELLED
    rows = (
        Attendance.objects.visible_to(user)
        .filter(meeting_id=session.meeting_id)
        .select_related("member", "org")
        .order_by("member__name_pinyin", "id")
    )
    session.attendance = [
        {
            "member": a.member,
            "org": a.org,
            "presence": a.presence,
            "hours": _hours(session.hours if a.presence == Presence.PRESENT and not cancelled else 0),
        }
        for a in rows
    ]
    return session


@router.get(
    "/sessions/{int:session_id}",
    response={200: SessionDetailOut, **ERROR_RESPONSES},
    url_name="study_session",
    summary="学习场次详情",
)
def session_detail(request: HttpRequest, session_id: int, response: HttpResponse):
    """一个学习场次及其应到人员的出席情况和计入的学时；不存在或不在您的权限范围内时返回 404。"""
    session = _session_detail(request.auth, session_id)
    response["ETag"] = etag(session)
    return session


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: int = Field(ge=1, le=ID_MAX, description="组织单位 ID")
    kind: StudyKind = Field(description=f"学习形式：{choices_help(StudyKind.choices)}；党课同时计入“三会一课”")
    topic: str = Field(min_length=1, max_length=200, description="学习主题")
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    speaker: str = Field("", max_length=100, description="主讲人/领学人（可为外请专家）")
    hours: Decimal = Field(description="出席者计入的学时：大于0，不超过24，最多一位小数")
    plan_item: int | None = Field(None, ge=1, le=ID_MAX, description="对应培训计划项目 ID（本组织或上级组织的）")
    invitees: list[int] | None = Field(
        None,
        min_length=1,
        max_length=meeting_services.INVITEES_MAX,
        description="应到人员（党员 ID，须为该组织的在册党员）；不填为本组织在册党员",
    )
    held: bool = Field(False, description="已召开（补录已经举行的学习）；否则为计划，届时扫码签到")


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.post(
    "/sessions",
    response={201: SessionDetailOut, **WRITE_RESPONSES},
    url_name="study_session_create",
    summary="计划（或补录）学习场次",
)
def session_create(request: HttpRequest, payload: SessionIn, response: HttpResponse):
    """计划一个学习场次（即一次会议，held=true 时登记为已召开），出席者计入 hours 学时（与页面相同的规则）。
    须有维护该组织的权限（否则 404）。不符合规则时返回 422，如“学时须大于0”“结束时间不能早于开始时间”。"""
    user = request.auth
    require_capability(user, Capability.CHANGE)
    org = Organization.objects.changeable_by(user).filter(pk=payload.org).first()
    if org is None:
        raise Http404
    plan_item = None
    if payload.plan_item is not None:
        # A session follows its own org's plan or an upper org's (services.ERR_PLAN_ORG), which a branch's secretary
        # does not otherwise see: read past the scope, then kept only if its org is the session's or above it; any
        # other item is refused as one that does not exist.
        plan_item = PlanItem.objects.unrestricted().select_related("org").filter(pk=payload.plan_item).first()
        if plan_item is None or not org.path.startswith(plan_item.org.path):
            raise InvalidParams([{"field": "plan_item", "message": ERR_PLAN_ITEM}])
    session = services.create_session(
        by=user,
        org=org,
        kind=str(getattr(payload.kind, "value", payload.kind)),
        topic=payload.topic,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        place=payload.place,
        speaker=payload.speaker,
        hours=payload.hours,
        plan_item=plan_item,
        invitees=payload.invitees,
        held=payload.held,
    )
    session = _session_detail(user, session.pk)
    response["ETag"] = etag(session)
    return Status(201, session)


# --- self-reports ------------------------------------------------------------------------------------------------


class ReportParams(Schema):
    org: int | None = _org_field("党支部或上级组织 ID（含下级组织）")
    state: ReportState | None = Field(None, description=f"认定状态：{choices_help(ReportState.choices)}")


class ReportPage(PageOf):
    results: list[ReportOut]


def _reports(user):
    return Report.objects.visible_to(user).select_related("member", "org")


@router.get("/reports", response={200: ReportPage, **ERROR_RESPONSES}, url_name="study_reports", summary="自学申报")
def report_list(request: HttpRequest, filters: Query[ReportParams], pages: Query[PageParams]):
    """您权限范围内党员的自学学时申报（党员本人的令牌只看到自己的），按学习日期倒序。组织不存在或不在权限范围内时
    返回 404。申报（须上传证明）在“我的学时”页面进行。"""
    user = request.auth
    rows = _reports(user)
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if filters.state:
        rows = rows.filter(state=filters.state)
    return paginate(rows.order_by("-studied_on", "-id"), page=pages.page, page_size=pages.page_size)


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"] = Field(description="approve=认定；reject=不予认定（须填写原因）")
    comment: str = Field("", max_length=200, description="审核意见；不予认定时必填")
    version: int | None = Field(None, description="所依据的申报版本（或 If-Match 请求头）")


@router.post(
    "/reports/{int:report_id}/review",
    response={200: ReportOut, **WRITE_RESPONSES},
    url_name="study_report_review",
    summary="认定自学学时",
)
def report_review(request: HttpRequest, report_id: int, payload: ReviewIn, response: HttpResponse):
    """所在党支部（或上级组织）认定或不予认定一份待审核的申报（与页面相同的规则）；须在 If-Match 请求头中带上读取时
    得到的 ETag（或在请求体中给出 version）。须有维护该党支部的权限（否则 404）。已审核的申报不能再审核（422）。
    认定后其学时即计入该党员当年的学时。"""
    user = request.auth
    require_capability(user, Capability.CHANGE)
    report = Report.objects.changeable_by(user).select_related("org").filter(pk=report_id).first()
    if report is None:
        raise Http404
    version = write_version(request, payload.version)
    services.review_report(by=user, report=report, decision=payload.decision, comment=payload.comment, version=version)
    report = _reports(user).get(pk=report.pk)
    response["ETag"] = etag(report)
    return report


# --- the yearly plan ---------------------------------------------------------------------------------------------


class PlanParams(Schema):
    org: int | None = _org_field("组织 ID（含下级组织的计划）")
    year: int | None = _year_field()


class PlanItemOut(Schema):
    id: int
    version: int
    org: OrgRef
    year: int
    month: int = Field(description="计划月份（1–12）")
    topic: str = Field(description="培训主题")
    kind: StudyKind = Field(description=choices_help(StudyKind.choices))
    audience: str = Field(description="培训对象")
    planned_hours: str = Field(description="计划学时")
    note: str
    sessions: int = Field(description="已对应的学习场次数")

    @staticmethod
    def resolve_planned_hours(obj: PlanItem) -> str:
        return _hours(obj.planned_hours)

    @staticmethod
    def resolve_sessions(obj: PlanItem) -> int:
        return obj.session_count


class PlanPage(PageOf):
    year: int
    results: list[PlanItemOut]


@router.get("/plan", response={200: PlanPage, **ERROR_RESPONSES}, url_name="study_plan", summary="年度培训计划")
def plan(request: HttpRequest, filters: Query[PlanParams], pages: Query[PageParams]):
    """您权限范围内（或某组织及其下级组织）某年度培训计划的项目，按组织、月份排序。组织不存在或不在权限范围内时
    返回 404。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    year = _year(filters.year)
    rows = PlanItem.objects.visible_to(user).filter(year=year).select_related("org")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    rows = rows.annotate(session_count=Count("sessions")).order_by("org__path", "month", "id")
    return paginate(rows, page=pages.page, page_size=pages.page_size) | {"year": year}
