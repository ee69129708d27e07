"""/api/v1/meetings: the meetings' API, scoped like every other, calling the same selectors as the pages."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.core.api import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    InvalidParams,
    MemberRef,
    OrgRef,
    PageParams,
    choices_help,
    paginate,
)
from dangjian.core.concurrency import etag
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import compliance, rules, services, signin
from .choices import AbsenceReason, Activity, MeetingStatus, Presence, ReviewState, SignedBy
from .models import Attendance, Meeting, MeetingActivity

router = Router(tags=["组织生活"])


# meetings: list, create, detail, attendance, sign-in

ERR_ORG = "组织不存在或不在您的权限范围内"
ERR_MEMBER = "党员不存在或不在您的权限范围内"
ERR_RANGE = "开始日期不能晚于结束日期"


class MeetingFilterParams(Schema):
    org: int | None = Field(None, description="召开组织 ID（含下级组织召开的会议）")
    activity: Activity | None = Field(None, description=f"活动类型：{choices_help(Activity.choices)}")
    status: MeetingStatus | None = Field(None, description=f"状态：{choices_help(MeetingStatus.choices)}")
    date_from: date | None = Field(None, alias="from", description="开始日期不早于（YYYY-MM-DD）")
    date_to: date | None = Field(None, alias="to", description="开始日期不晚于（YYYY-MM-DD）")


class MeetingOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；详情接口的 ETag 即为此值")
    topic: str
    org: OrgRef = Field(description="召开组织")
    starts_at: datetime
    ends_at: datetime
    place: str
    status: MeetingStatus = Field(description=choices_help(MeetingStatus.choices))
    review_state: ReviewState = Field(description=choices_help(ReviewState.choices))
    backfilled: bool = Field(description="补录（会后超过规定天数才登记）")
    activities: list[Activity] = Field(description=f"活动类型（一次会议可计为多种）：{choices_help(Activity.choices)}")

    @staticmethod
    def resolve_activities(obj: Meeting) -> list[str]:
        return sorted(a.activity for a in obj.activities.all())


class AttendanceSummary(Schema):
    invited: int = Field(description="应到人数（您权限范围内）")
    present: int
    absent: int
    unknown: int = Field(description="未登记")


class MeetingDetailOut(MeetingOut):
    host: MemberRef | None
    recorder: MemberRef | None
    lecturer: MemberRef | None
    minutes: str
    resolutions: str
    attendance: AttendanceSummary
    signin_open: bool = Field(description="现在是否在签到时间内")


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]


def _meetings(user):
    # The activities of meetings already fetched in scope are theirs: read with them, whoever may see the meeting.
    activities = Prefetch("activities", queryset=MeetingActivity.objects.unrestricted().order_by("activity"))
    return Meeting.objects.visible_to(user).select_related("org").prefetch_related(activities)


def _visible_org(user, pk: int, field: str = "org") -> Organization:
    org = Organization.objects.visible_to(user).filter(pk=pk).first()
    if org is None:
        raise InvalidParams([{"field": field, "message": ERR_ORG}])
    return org


@router.get("", response={200: MeetingPage, **ERROR_RESPONSES}, url_name="meeting_list", summary="会议列表")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilterParams], pages: Query[PageParams]):
    """您权限范围内的会议（含您作为应到人员的会议），按开始时间倒序。"""
    user = request.auth
    queryset = _meetings(user)
    if filters.org is not None:
        queryset = queryset.filter(subtree_q("org__path", [_visible_org(user, filters.org).path]))
    if filters.activity:
        queryset = queryset.filter(activities__activity=filters.activity)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidParams([{"field": "from", "message": ERR_RANGE}])
    if filters.date_from:
        queryset = queryset.filter(starts_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(starts_at__date__lte=filters.date_to)
    return paginate(queryset, page=pages.page, page_size=pages.page_size)


def _summary(user, meeting: Meeting) -> dict:
    counts = (
        Attendance.objects.visible_to(user)
        .filter(meeting=meeting)
        .aggregate(
            invited=Count("id"),
            present=Count("id", filter=Q(presence=Presence.PRESENT)),
            absent=Count("id", filter=Q(presence=Presence.ABSENT)),
            unknown=Count("id", filter=Q(presence=Presence.UNKNOWN)),
        )
    )
    return counts


def _detail(user, meeting: Meeting) -> Meeting:
    meeting.attendance = _summary(user, meeting)
    meeting.signin_open = signin.window_open(meeting)
    return meeting


def _get(user, meeting_id: int) -> Meeting:
    try:
        return _meetings(user).select_related("host", "recorder", "lecturer").get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None


@router.get(
    "/{int:meeting_id}",
    response={200: MeetingDetailOut, **ERROR_RESPONSES},
    url_name="meeting_detail",
    summary="会议详情",
)
def meeting_detail(request: HttpRequest, meeting_id: int, response: HttpResponse):
    """一次会议，含活动类型和出席情况汇总；不存在或不在您的权限范围内时返回 404。"""
    meeting = _get(request.auth, meeting_id)
    response["ETag"] = etag(meeting)
    return _detail(request.auth, meeting)


class MeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: int = Field(description="召开组织 ID")
    activities: list[Activity] = Field(
        min_length=1, max_length=len(Activity.values), description=choices_help(Activity.choices)
    )
    topic: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    host: int | None = Field(None, description="主持人（党员 ID）")
    recorder: int | None = Field(None, description="记录人（党员 ID）")
    lecturer: int | None = Field(None, description="党课主讲人（党员 ID）")
    held: bool = Field(False, description="已召开（补录已经召开的会议）；否则为计划")
    invitees: list[int] | None = Field(
        None,
        min_length=1,
        max_length=services.INVITEES_MAX,
        description="应到人员（党员 ID，须为该组织的在册党员）；不填则按会议类型确定：本组织在册党员，支委会为现任委员",
    )


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _member(user, pk: int | None, field: str) -> Member | None:
    if pk is None:
        return None
    member = Member.objects.visible_to(user).filter(pk=pk).first()
    if member is None:
        raise InvalidParams([{"field": field, "message": ERR_MEMBER}])
    return member


@router.post(
    "", response={201: MeetingDetailOut, **WRITE_RESPONSES}, url_name="meeting_create", summary="计划（或补录）会议"
)
def meeting_create(request: HttpRequest, payload: MeetingIn, response: HttpResponse):
    """计划一次会议（held=true 时登记为已召开）；应到人员为 invitees 所列党员，不填时按会议类型确定（与页面相同）。
    须有维护该组织的权限（否则 404）。"""
    user = request.auth
    require_capability(user, Capability.CHANGE)
    org = Organization.objects.changeable_by(user).filter(pk=payload.org).first()
    if org is None:
        raise Http404
    people = {name: _member(user, getattr(payload, name), name) for name in ("host", "recorder", "lecturer")}
    meeting = services.create_meeting(
        by=user,
        org=org,
        activities=[a.value if hasattr(a, "value") else a for a in payload.activities],
        topic=payload.topic,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        place=payload.place,
        held=payload.held,
        invitees=payload.invitees,
        **people,
    )
    meeting = _get(user, meeting.pk)
    response["ETag"] = etag(meeting)
    return Status(201, _detail(user, meeting))


class AttendanceOut(Schema):
    id: int
    member: MemberRef
    org: OrgRef = Field(description="所在党支部（会议时）")
    presence: Presence = Field(description=choices_help(Presence.choices))
    absence_reason: AbsenceReason | None = Field(description=f"缺席原因：{choices_help(AbsenceReason.choices)}")
    absence_note: str
    signed_in_at: datetime | None
    signed_by: SignedBy | None = Field(description=f"签到方式：{choices_help(SignedBy.choices)}")

    @staticmethod
    def resolve_absence_reason(obj: Attendance) -> str | None:
        return obj.absence_reason or None

    @staticmethod
    def resolve_signed_by(obj: Attendance) -> str | None:
        return obj.signed_by or None


class AttendancePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AttendanceOut]


@router.get(
    "/{int:meeting_id}/attendance",
    response={200: AttendancePage, **ERROR_RESPONSES},
    url_name="meeting_attendance",
    summary="会议出席情况",
)
def meeting_attendance(request: HttpRequest, meeting_id: int, pages: Query[PageParams]):
    """一次会议的应到人员及其出席情况（您权限范围内的）。"""
    user = request.auth
    meeting = _get(user, meeting_id)
    rows = (
        Attendance.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("member", "org")
        .order_by("member__name_pinyin", "id")
    )
    return paginate(rows, page=pages.page, page_size=pages.page_size)


class AttendancePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    presence: Presence = Field(description=choices_help(Presence.choices))
    absence_reason: AbsenceReason | Literal[""] | None = Field(
        None, description="缺席时必填：" + choices_help(AbsenceReason.choices)
    )
    absence_note: str = Field("", max_length=200)


@router.api_operation(
    ["PUT", "PATCH"],
    "/{int:meeting_id}/attendance/{int:attendance_id}",
    response={200: AttendanceOut, **WRITE_RESPONSES},
    url_name="meeting_attendance_update",
    summary="登记一名应到人员的出席情况",
)
def meeting_attendance_update(request: HttpRequest, meeting_id: int, attendance_id: int, payload: AttendancePatch):
    """由会议记录人或有维护权限者登记出席、缺席（须注明原因）或未登记；否则 404。"""
    user = request.auth
    try:
        meeting = signin.manageable_meeting(user, meeting_id)
        attendance = Attendance.objects.visible_to(user).get(pk=attendance_id, meeting=meeting)
    except (Meeting.DoesNotExist, Attendance.DoesNotExist):
        raise Http404 from None
    reason = payload.absence_reason or ""
    mark = services.Mark(
        presence=str(getattr(payload.presence, "value", payload.presence)),
        reason=str(getattr(reason, "value", reason)),
        note=payload.absence_note,
    )
    services.set_attendance(by=user, meeting=meeting, member_id=attendance.member_id, mark=mark)
    return Attendance.objects.visible_to(user).select_related("member", "org").get(pk=attendance.pk)


class SigninIn(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field("", max_length=300, description="二维码链接中的 t 参数")
    code: str = Field("", max_length=20, description="大屏上显示的6位签到码（无 token 时）")


class SigninOut(Schema):
    status: Literal["signed_in", "already"] = Field(
        description="signed_in=本次签到成功；already=此前已签到，未重复记录"
    )
    message: str
    signed_in_at: datetime


@router.post(
    "/{int:meeting_id}/signin",
    response={200: SigninOut, **ERROR_RESPONSES},
    url_name="meeting_signin",
    summary="本人签到",
)
def meeting_signin(request: HttpRequest, meeting_id: int, payload: SigninIn):
    """令牌所属用户本人签到（与扫码签到页相同的规则）：须为应到人员、在签到时间内，凭二维码 token 或6位签到码。
    拒绝时 422，message 说明原因（链接无效、二维码已过期、不在签到时间内、不在应到人员中、会议已取消）。"""
    user = request.auth
    try:
        meeting = Meeting.objects.visible_to(user).select_related("org").get(pk=meeting_id)
    except Meeting.DoesNotExist:
        raise Http404 from None
    try:
        result = signin.sign_in(user=user, meeting=meeting, token=payload.token.strip(), code=payload.code.strip())
    except DjangoValidationError as error:
        field = "token" if payload.token else "code"
        raise InvalidParams([{"field": field, "message": m} for m in error.messages]) from None
    return {
        "status": "already" if result.already else "signed_in",
        "message": result.message,
        "signed_in_at": result.attendance.signed_in_at,
    }


# compliance: /api/v1/compliance?org=&period= (the state of any org, not one meeting's: its own resource)

compliance_router = Router(tags=["组织生活"])
mounts = {"compliance": compliance_router}


class ComplianceParams(Schema):
    org: int | None = Field(None, description="组织 id（默认：您权限范围的最上级组织）")
    period: str = Field("", max_length=10, description="期间：2026（年）、2026-Q1（季度）、2026-03（月）；默认本月")


class ComplianceCounts(Schema):
    required: int
    met: int
    missed: int
    due: int


class ComplianceActivity(ComplianceCounts):
    activity: str
    label: str


class ComplianceItem(Schema):
    activity: str
    label: str
    first_month: str
    last_month: str
    required: int
    held: int
    state: str = Field(description="met 已落实 / missed 缺开 / due 本期尚未结束")


class ComplianceBranch(Schema):
    id: int
    name: str
    items: list[ComplianceItem]


class ComplianceOut(Schema):
    org_id: int
    org_name: str
    period: str
    period_label: str
    total: ComplianceCounts
    activities: list[ComplianceActivity]
    branches: list[ComplianceBranch]


def _counts(c) -> dict:
    return {"required": c.required, "met": c.met, "missed": c.missed, "due": c.due}


def _month(m) -> str:
    return f"{m[0]}-{m[1]:02d}"


@compliance_router.get(
    "",
    response={200: ComplianceOut, **ERROR_RESPONSES},
    url_name="meeting_compliance",
    summary="组织生活落实情况",
)
def meeting_compliance(request: HttpRequest, params: Query[ComplianceParams]):
    """所选组织（党支部，或其下各党支部）在该期间内应开、已开的组织生活，按会议类型汇总，并列出每个党支部的各项要求及其状态
    （met 已落实、missed 缺开、due 本期尚未结束）。期间内只计其自身期间完全落在其中的要求（月：当月的；年：全年的）。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org, period = params.org, params.period
    try:
        chosen = compliance.compliance_org(fetched_by=user, org_id=org) if org is not None else None
    except Organization.DoesNotExist:
        raise Http404 from None
    if chosen is None:
        tops = compliance.top_orgs(user)
        if not tops:
            raise Http404
        chosen = tops[0]
    try:
        parsed = compliance.parse_period(period)
    except ValueError as refused:
        raise InvalidParams([{"field": "period", "message": str(refused)}]) from None
    result = compliance.org_compliance(fetched_by=user, org=chosen, period=parsed)
    return {
        "org_id": chosen.pk,
        "org_name": chosen.name,
        "period": parsed.key,
        "period_label": parsed.label,
        "total": _counts(result.total),
        "activities": [
            {"activity": a, "label": rules.activity_label(a), **_counts(c)} for a, c in result.by_activity.items()
        ],
        "branches": [
            {
                "id": b.org.pk,
                "name": b.org.name,
                "items": [
                    {
                        "activity": o.activity,
                        "label": o.label,
                        "first_month": _month(o.first),
                        "last_month": _month(o.last),
                        "required": o.required,
                        "held": o.held,
                        "state": o.state,
                    }
                    for o in b.items
                ],
            }
            for b in result.branches
        ],
    }
