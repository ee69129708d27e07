"""/api/v1/development: development records (scoped like the pages; the 公民身份号码 and phone masked as the roster's
are), one record with its steps, recording a step (services.record_step, the page's rules), and the funnel."""

from datetime import date

from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
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
from dangjian.meetings.models import Meeting
from dangjian.members.personal import mask_id_number, mask_phone, sees_personal_data_at
from dangjian.orgs.selectors import visible_org_or_404

from . import rules, selectors, services
from .choices import Origin, State
from .models import Applicant, StepPerson, StepRecord

router = Router(tags=["发展党员"])

MASK_HELP = "无“查看完整个人信息”权限时（本人记录除外）"
ERR_MEETING = "会议不存在或不在您的权限范围内"
STAGE_HELP = "；".join(f"{i}={name}" for i, name in enumerate(rules.STAGES))


def _sees_personal(user, obj: Applicant) -> bool:
    return sees_personal_data_at(user, org_path=obj.org.path, member_user_id=obj.member_user_id)


class ApplicantParams(Schema):
    org: int | None = Field(None, description="党支部或上级组织 ID（含下级组织）")
    stage: int | None = Field(None, ge=0, le=len(rules.STAGES) - 1, description=f"所处阶段：{STAGE_HELP}")
    state: State | None = Field(None, description=f"状态：{choices_help(State.choices)}")


class ApplicantOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；详情接口的 ETag 即为此值")
    name: str
    gender: str
    id_number: str = Field(description=f"公民身份号码；{MASK_HELP}只显示后4位")
    phone: str = Field(description=f"联系电话；{MASK_HELP}只显示前3位和后4位")
    org: OrgRef = Field(description="所在党支部")
    origin: Origin = Field(description=choices_help(Origin.choices))
    state: State = Field(description=choices_help(State.choices))
    stage: int = Field(description=f"所处阶段：{STAGE_HELP}")
    stage_label: str
    last_step: int = Field(description="已登记的最后步骤（1–25）")
    next_step: int | None = Field(description="下一步骤；无则为 null")
    next_step_label: str | None
    ready_on: date | None = Field(description="下一步骤最早可登记的日期")
    due_on: date | None = Field(description="下一步骤的期限（最后一天）")
    review_due_on: date | None = Field(description="下次半年考察记录的期限")
    accepted_on: date | None = Field(description="支部大会接收为预备党员的日期（预备期起算日）")
    extended_months: int = Field(description="延长预备期的月数")
    probation_ends_on: date | None = Field(description="预备期满的日期（已接收为预备党员时）")
    member: MemberRef | None = Field(description="花名册记录（接收为预备党员后）")

    @staticmethod
    def resolve_id_number(obj: Applicant, context) -> str:
        user = context["request"].auth
        return obj.id_number if _sees_personal(user, obj) else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Applicant, context) -> str:
        user = context["request"].auth
        return obj.phone if _sees_personal(user, obj) else mask_phone(obj.phone)

    @staticmethod
    def resolve_stage_label(obj: Applicant) -> str:
        return rules.STAGES[obj.stage]

    @staticmethod
    def resolve_next_step_label(obj: Applicant) -> str | None:
        return rules.BY_NUMBER[obj.next_step].label if obj.next_step else None

    @staticmethod
    def resolve_probation_ends_on(obj: Applicant) -> date | None:
        return rules.probation_end(obj.accepted_on, obj.extended_months) if obj.accepted_on else None


class PersonOut(Schema):
    id: int = Field(description="党员 ID")
    name: str
    role: str = Field(description="身份：talker=谈话人；contact=培养联系人；sponsor=入党介绍人")
    role_label: str


class FlagOut(Schema):
    rule: str
    message: str


class StepOut(Schema):
    number: int = Field(description="步骤（1–25）")
    label: str
    round: int = Field(description="轮次：延长预备期后第22—24步重新登记，轮次加 1")
    done_on: date
    note: str
    people: list[PersonOut]
    meeting: int | None = Field(description="支部党员大会（会议 ID）")
    voting_members: int | None
    present_voting: int | None
    in_favour: int | None
    decision: str | None = Field(description=f"第23步的决定：{choices_help(rules.DECISIONS.items())}")
    extend_months: int
    flags: list[FlagOut] = Field(description="规则提示（如谈话、审批逾期）：已登记，不影响效力")


class ApplicantDetailOut(ApplicantOut):
    steps: list[StepOut]
    ended_on: date | None
    ended_reason: str
    full_member_on: date | None

    @staticmethod
    def resolve_steps(obj: Applicant) -> list[dict]:
        return obj.steps_out


class ApplicantPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ApplicantOut]


def _applicants(user):
    return (
        Applicant.objects.visible_to(user)
        .select_related("org", "member")
        .annotate(member_user_id=F("member__user_id"))
        .order_by("org__path", "name_pinyin", "id")
    )


@router.get(
    "/applicants",
    response={200: ApplicantPage, **ERROR_RESPONSES},
    url_name="development_applicants",
    summary="发展党员档案",
)
def applicant_list(request: HttpRequest, filters: Query[ApplicantParams], pages: Query[PageParams]):
    """您权限范围内的发展党员档案（本人的档案也在内），按党支部、姓名排序。组织不存在或不在权限范围内时返回 404。"""
    user = request.auth
    rows = _applicants(user)
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if filters.stage is not None:
        rows = rows.filter(stage=filters.stage)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return paginate(rows, page=pages.page, page_size=pages.page_size)


def _detail(user, pk: int) -> Applicant:
    applicant = _applicants(user).filter(pk=pk).first()
    if applicant is None:
        raise Http404
    # The record's own steps and their people: read with the record, which is in scope.
    people = Prefetch("people", queryset=StepPerson.objects.select_related("member").order_by("role", "id"))
    steps = StepRecord.objects.unrestricted().filter(applicant=applicant).prefetch_related(people)
    applicant.steps_out = [
        {
            "number": s.step,
            "label": s.spec.label,
            "round": s.round,
            "done_on": s.done_on,
            "note": s.note,
            "people": [
                {"id": p.member_id, "name": p.member.name, "role": p.role, "role_label": p.get_role_display()}
                for p in s.people.all()
            ],
            "meeting": s.meeting_id,
            "voting_members": s.voting_members,
            "present_voting": s.present_voting,
            "in_favour": s.in_favour,
            "decision": s.decision or None,
            "extend_months": s.extend_months,
            "flags": s.flags or [],
        }
        for s in steps.order_by("step", "round")
    ]
    return applicant


@router.get(
    "/applicants/{int:applicant_id}",
    response={200: ApplicantDetailOut, **ERROR_RESPONSES},
    url_name="development_applicant",
    summary="发展党员档案详情",
)
def applicant_detail(request: HttpRequest, applicant_id: int, response: HttpResponse):
    """一份档案及其已登记的步骤（日期、人员、会议与表决、决定、提示）；不存在或不在权限范围内时返回 404。"""
    applicant = _detail(request.auth, applicant_id)
    response["ETag"] = etag(applicant)
    return applicant


class StepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    step: int = Field(ge=1, le=len(rules.STEPS), description="步骤（1–25）")
    done_on: date = Field(description="日期（YYYY-MM-DD），不能晚于今天")
    note: str = Field("", max_length=2000, description="情况说明")
    people: list[int] = Field(
        default_factory=list, max_length=10, description="第2步谈话人、第5步培养联系人、第8步入党介绍人（党员 ID）"
    )
    meeting: int | None = Field(None, description="第15、23步：支部党员大会（会议 ID），应到、实到人数取自其出席记录")
    voting_members: int | None = Field(None, ge=0, description="应到会有表决权人数（未给出会议时）")
    present_voting: int | None = Field(None, ge=0, description="实到会有表决权人数（未给出会议时）")
    in_favour: int | None = Field(None, ge=0, description="赞成人数")
    decision: str = Field("", max_length=20, description=f"第23步：{choices_help(rules.DECISIONS.items())}")
    extend_months: int = Field(0, ge=0, le=rules.EXTEND_MAX_MONTHS, description="延长预备期的月数（6–12）")
    version: int | None = Field(None, description="所依据的档案版本（或 If-Match 请求头）")


@router.post(
    "/applicants/{int:applicant_id}/steps",
    response={200: ApplicantDetailOut, **WRITE_RESPONSES},
    url_name="development_step",
    summary="登记一个步骤",
)
def step_record(request: HttpRequest, applicant_id: int, payload: StepIn, response: HttpResponse):
    """按《中国共产党发展党员工作细则》的程序登记一个步骤（与页面相同的规则）；须在 If-Match 请求头中带上读取档案时
    得到的 ETag（或在请求体中给出 version）。须有维护该档案的权限（否则 404）；第17、24步由上级党委登记（否则 403）。
    不符合规则时返回 422，message 与 errors 说明原因（如“尚未记录……”“入党积极分子经过一年以上培养教育和考察……”）。
    成功时返回登记后的档案和新的 ETag。"""
    user = request.auth
    require_capability(user, Capability.CHANGE)
    applicant = Applicant.objects.changeable_by(user).select_related("org").filter(pk=applicant_id).first()
    if applicant is None:
        raise Http404
    version = write_version(request, payload.version)
    meeting = None
    if payload.meeting is not None:
        meeting = Meeting.objects.visible_to(user).filter(pk=payload.meeting).first()
        if meeting is None:
            raise InvalidParams([{"field": "meeting", "message": ERR_MEETING}])
    vote = services.Vote(payload.voting_members, payload.present_voting, payload.in_favour)
    services.record_step(
        by=user,
        applicant=applicant,
        step=payload.step,
        done_on=payload.done_on,
        note=payload.note,
        people=payload.people,
        meeting=meeting,
        vote=vote,
        decision=payload.decision,
        extend_months=payload.extend_months,
        version=version,
    )
    applicant = _detail(user, applicant.pk)
    response["ETag"] = etag(applicant)
    return applicant


class FunnelParams(Schema):
    org: int | None = Field(None, description="组织 ID（含下级组织）；不填为您的全部权限范围")


class StageOut(Schema):
    stage: int
    label: str
    count: int


class FunnelOut(Schema):
    org: OrgRef | None
    stages: list[StageOut] = Field(description="各阶段进行中的档案数（培养考察中、预备期）")
    overdue: int = Field(description="下一步骤已过期限的档案数")
    review_due: int = Field(description=f"半年考察记录{rules.DUE_WITHIN_DAYS}天内到期或已逾期的档案数")
    year: int
    confirmed: int = Field(description="本年转正人数（按转正日期）")
    ended: int = Field(description="本年终止的档案数（按终止日期）")


@router.get("/funnel", response={200: FunnelOut, **ERROR_RESPONSES}, url_name="development_funnel", summary="发展进度")
def funnel(request: HttpRequest, filters: Query[FunnelParams]):
    """各阶段人数（与“发展进度”页面相同）：您权限范围内或某组织及其下级组织的。组织不存在或不在权限范围内时返回 404。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    total = selectors.funnel(fetched_by=user, root=org).total
    return {
        "org": org,
        "stages": [{"stage": i, "label": name, "count": n} for i, (name, n) in enumerate(total.pairs)],
        "overdue": total.overdue,
        "review_due": total.review_due,
        "year": clock.today().year,
        "confirmed": total.confirmed,
        "ended": total.ended,
    }
