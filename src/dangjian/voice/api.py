"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from datetime import date, datetime
from typing import Any

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
from dangjian.members.models import Member
from dangjian.orgs.selectors import visible_org_or_404

from . import commitments, consultations, inquiries, problems, promises, proposals, surveys
from .choices import (
    Audience,
    Channel,
    CommitmentGrade,
    ConsultationKind,
    InquiryState,
    Phase,
    ProblemSource,
    ProblemState,
    ProposalCategory,
    ProposalState,
    Satisfaction,
    SurveyState,
)
from .models import Commitment, Inquiry, Proposal, ServicePromise, Survey

router = Router(tags=["党员之声"])

#: The largest id a query or body may name (bounded before any query sees it).
ID_MAX = 10**18

# ── proposals: the same selectors and services as the pages (proposals.py); attachments only on the page


class ProposalOut(Schema):
    id: int
    title: str
    category: str = Field(description=choices_help(ProposalCategory.choices))
    content: str
    org: OrgRef = Field(description="提交时提案人所在党组织（审查）")
    proposer: str = Field(description="提案人姓名")
    year: int
    submitted_on: date
    state: str = Field(description=choices_help(ProposalState.choices))
    reject_reason: str
    merged_into: int | None = Field(None, alias="merged_into_id")
    handler_org: OrgRef | None = Field(None, description="承办单位")
    deadline: date | None
    overdue: bool
    reply: str
    replied_on: date | None
    asked_again: bool
    rating: str
    rating_note: str
    version: int

    @staticmethod
    def resolve_proposer(obj: Proposal) -> str:
        return obj.proposer.name

    @staticmethod
    def resolve_overdue(obj: Proposal) -> bool:
        return proposals.is_overdue(obj)


class ProposalPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProposalOut]


class ProposalParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="提案人所在党组织 ID（含下级）")
    handler: int | None = Field(None, ge=1, le=ID_MAX, description="承办单位 ID（含下级）")
    state: ProposalState | None = Field(None, description=choices_help(ProposalState.choices))
    category: ProposalCategory | None = None
    year: int | None = Field(None, ge=proposals.YEAR_MIN, le=2100)
    overdue: bool = Field(False, description="只列超过办理时限仍在承办中的")
    q: str = Field("", max_length=50, description="标题、内容或提案人")


@router.get(
    "/proposals", response={200: ProposalPage, **ERROR_RESPONSES}, url_name="voice_proposals", summary="党员提案"
)
def proposal_list(request: HttpRequest, filters: Query[ProposalParams], pages: Query[PageParams]):
    """您审查（所在党组织及下级）、承办的提案，以及您本人的提案；组织不在权限范围内时返回 404。"""
    user = request.auth
    f = proposals.Filters(
        state=str(getattr(filters.state, "value", filters.state) or ""),
        category=str(getattr(filters.category, "value", filters.category) or ""),
        year=filters.year,
        org=visible_org_or_404(user, filters.org),
        handler=visible_org_or_404(user, filters.handler),
        overdue=filters.overdue,
        q=filters.q.strip(),
    )
    rows = proposals.proposals_of(fetched_by=user, filters=f)
    return paginate(rows, page=pages.page, page_size=pages.page_size)


def _proposal(user, pk: int) -> Proposal:
    try:
        return proposals.proposal_get(fetched_by=user, pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


@router.get(
    "/proposals/{int:proposal_id}",
    response={200: ProposalOut, **ERROR_RESPONSES},
    url_name="voice_proposal",
    summary="一件提案",
)
def proposal_detail(request: HttpRequest, proposal_id: int, response: HttpResponse):
    """一件提案（ETag 为其版本，办理时带上）。"""
    proposal = _proposal(request.auth, proposal_id)
    response["ETag"] = etag(proposal)
    return proposal


class ProposalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100)
    category: ProposalCategory
    content: str = Field(min_length=1, max_length=10000)


@router.post(
    "/proposals",
    response={201: ProposalOut, **WRITE_RESPONSES},
    url_name="voice_proposal_create",
    summary="提交提案",
)
def proposal_create(request: HttpRequest, payload: ProposalIn, response: HttpResponse):
    """令牌用户（须有党员记录）提交一件提案，由其所在党组织审查；附件在页面上传。无党员记录时返回 403。"""
    user = request.auth
    done = proposals.submit(by=user, title=payload.title, category=str(payload.category.value), content=payload.content)
    proposal = _proposal(user, done.pk)
    response["ETag"] = etag(proposal)
    return Status(201, proposal)


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=20, description="accept、reject、merge、assign、reply、rate、ask_again")
    facts: dict[str, Any] = Field(
        default_factory=dict,
        description="reason、merge_into、handler_org、deadline（YYYY-MM-DD）、reply、rating、rating_note、note",
    )
    version: int | None = Field(None, description="所依据的提案版本（或 If-Match 请求头）")


@router.post(
    "/proposals/{int:proposal_id}/moves",
    response={200: ProposalOut, **WRITE_RESPONSES},
    url_name="voice_proposal_moves",
    summary="办理提案",
)
def proposal_move(request: HttpRequest, proposal_id: int, payload: MoveIn, response: HttpResponse):
    """立案、不予立案、并案、交办、答复、评价、申请再次答复（与页面相同的规则）。须带版本（If-Match 请求头或 version，
    否则 428），版本过期 412，
    不符合规则 422（中文原因）。与该提案无关的用户返回 404。"""
    user = request.auth
    proposal = _proposal(user, proposal_id)
    if not proposals.actors_of(user, proposal):
        raise Http404
    version = write_version(request, payload.version)
    facts = {k: v for k, v in payload.facts.items() if isinstance(v, str | int | None)}
    proposals.move(user, proposal, payload.name, facts, version)
    proposal = _proposal(user, proposal_id)
    response["ETag"] = etag(proposal)
    return proposal


# ── commitments


class FulfilmentOut(Schema):
    phase: Phase = Field(description=choices_help(Phase.choices))
    done: str = Field(description="践诺情况")
    recorded_on: date
    has_evidence: bool = Field(description="是否上传了佐证材料（文件在页面上查看）")

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class CommitmentOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；评诺时须带上（If-Match 或 version）")
    org: OrgRef = Field(description="承诺时所在党组织（组织承诺：该组织）")
    member: MemberRef | None = Field(description="党员；组织承诺为空")
    year: int
    content: str = Field(description="承诺事项")
    measures: str = Field(description="可衡量的标准")
    published_on: date
    grade: str = Field(description=f"评诺等次：{choices_help(CommitmentGrade.choices)}；未评诺为空")
    grade_note: str
    graded_on: date | None
    fulfilments: list[FulfilmentOut] = Field(description="践诺记录（年中、年终各一条）")

    @staticmethod
    def resolve_fulfilments(obj: Commitment) -> list:
        return list(obj.fulfilments.all())


class CommitmentParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="组织 ID（含下级组织）；不填为您的全部权限范围")
    year: int | None = Field(None, ge=2000, le=2100, description="年度（YYYY）；不填为今年")
    graded: bool | None = Field(None, description="true=已评诺；false=未评诺")
    kind: str | None = Field(None, pattern="^(member|org)$", description="member=党员承诺；org=组织承诺")


class CommitmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CommitmentOut]


def _commitments(user):
    rows = Commitment.objects.visible_to(user).select_related("org", "member")
    return rows.prefetch_related(commitments.fulfilments())


@router.get(
    "/commitments", response={200: CommitmentPage, **ERROR_RESPONSES}, url_name="voice_commitments", summary="承诺践诺"
)
def commitment_list(request: HttpRequest, filters: Query[CommitmentParams], pages: Query[PageParams]):
    """您权限范围内某年度的承诺（党员本人的令牌只看到自己的），含践诺记录和评诺。组织不在权限范围内时返回 404。"""
    user = request.auth
    rows = _commitments(user).filter(year=filters.year or clock.today().year)
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if filters.graded is not None:
        rows = rows.exclude(grade="") if filters.graded else rows.filter(grade="")
    if filters.kind:
        rows = rows.filter(member__isnull=filters.kind == "org")
    return paginate(rows.order_by("org__path", "member__name_pinyin", "id"), page=pages.page, page_size=pages.page_size)


@router.get(
    "/commitments/{int:commitment_id}",
    response={200: CommitmentOut, **ERROR_RESPONSES},
    url_name="voice_commitment",
    summary="一项承诺",
)
def commitment_get(request: HttpRequest, commitment_id: int, response: HttpResponse):
    """一项承诺及其践诺、评诺；不在权限范围内时返回 404。响应头 ETag 为评诺时所需的版本。"""
    row = _commitments(request.auth).filter(pk=commitment_id).first()
    if row is None:
        raise Http404
    response["ETag"] = etag(row)
    return row


class GradeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    grade: str = Field(max_length=20, description=f"评诺等次：{choices_help(CommitmentGrade.choices)}")
    note: str = Field("", max_length=500, description="评诺意见")
    version: int | None = Field(None, description="所依据的承诺版本（或 If-Match 请求头）")


@router.post(
    "/commitments/{int:commitment_id}/grade",
    response={200: CommitmentOut, **WRITE_RESPONSES},
    url_name="voice_commitment_grade",
    summary="评诺",
)
def commitment_grade(request: HttpRequest, commitment_id: int, payload: GradeIn, response: HttpResponse):
    """党支部（组织承诺：上级组织）在年终践诺登记后评诺（与页面相同的规则）；须带上读取时得到的 ETag（If-Match）或
    version。无权评诺时返回 404；未登记年终践诺等返回 422。"""
    user = request.auth
    require_capability(user, Capability.CHANGE)
    row = _commitments(user).filter(pk=commitment_id).first()
    if row is None or not commitments.may_grade(user, row):
        raise Http404
    version = write_version(request, payload.version)
    commitments.grade(by=user, commitment=row, version=version, grade=payload.grade, note=payload.note)
    row = _commitments(user).get(pk=row.pk)
    response["ETag"] = etag(row)
    return row


class PromiseOut(Schema):
    id: int
    org_id: int = Field(description="承诺部门所在党组织的 ID（公开列表不给出党组织名称）")
    department: str = Field(description="部门名称")
    item: str = Field(description="服务事项")
    time_limit_days: int = Field(description="办结时限（天）")
    standard: str = Field(description="服务标准")

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.org.department


class PromiseParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="组织 ID（含下级组织）；不填为全部")


class PromisePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PromiseOut]


@router.get("/promises", response={200: PromisePage, **ERROR_RESPONSES}, url_name="voice_promises", summary="服务承诺")
def promise_list(request: HttpRequest, filters: Query[PromiseParams], pages: Query[PageParams]):
    """机关各部门有效的服务承诺（在机关内公开：任何令牌都可读取），按组织和事项排序。"""
    org = visible_org_or_404(request.auth, filters.org)
    rows = promises.active_promises([org.path] if org is not None else None)
    return paginate(rows, page=pages.page, page_size=pages.page_size)


# ── inquiries: the 首问负责 register (inquiries.py), the same selectors and services as the pages


class HandOffOut(Schema):
    id: int
    from_member: MemberRef
    to_member: MemberRef
    to_org: OrgRef
    at: datetime
    due_on: date = Field(description="接收人的办结时限")
    note: str


class InquiryOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；移交、办结时须带上（If-Match 或 version）")
    org: OrgRef = Field(description="首问部门（党组织）")
    first_person: MemberRef = Field(description="首问责任人")
    asker: str
    asker_phone: str = Field(description="联系电话（个人信息：无权查看时只显示前 3 位和后 4 位）")
    channel: Channel = Field(description=choices_help(Channel.choices))
    content: str
    asked_at: datetime
    promise: int | None = Field(description="对应服务承诺 ID")
    due_on: date = Field(description="当前经办人的办结时限")
    holder: MemberRef = Field(description="当前经办人")
    holder_org: OrgRef
    state: InquiryState = Field(description=choices_help(InquiryState.choices))
    overdue: bool = Field(description="办理中且已过办结时限")
    closed_at: datetime | None
    result: str
    satisfaction: str = Field(description=f"来访人满意度：{choices_help(Satisfaction.choices)}；未办结为空")

    @staticmethod
    def resolve_promise(obj: Inquiry) -> int | None:
        return obj.promise_id

    @staticmethod
    def resolve_asker_phone(obj: Inquiry) -> str:
        return obj.phone_shown

    @staticmethod
    def resolve_overdue(obj: Inquiry) -> bool:
        return obj.state == InquiryState.OPEN and obj.due_on < inquiries.clock.today()


class InquiryDetailOut(InquiryOut):
    chain: list[HandOffOut] = Field(description="移交记录（按时间）")


class InquiryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InquiryOut]


class InquiryParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="组织 ID（首问部门或当前经办部门在其下）")
    state: InquiryState | None = Field(None, description=choices_help(InquiryState.choices))
    channel: Channel | None = Field(None, description=choices_help(Channel.choices))
    overdue: bool = Field(False, description="仅超期")
    since: date | None = Field(None, description="受理日期起")
    until: date | None = Field(None, description="受理日期止")
    q: str = Field("", max_length=50, description="搜索事项或来访人")


def _shown(user, inquiry: Inquiry) -> Inquiry:
    inquiry.phone_shown = inquiries.phone_shown(user, inquiry)
    return inquiry


def _inquiry_detail(user, inquiry_id: int) -> Inquiry:
    try:
        return _shown(user, inquiries.inquiry_with_chain(fetched_by=user, pk=inquiry_id))
    except Inquiry.DoesNotExist:
        raise Http404 from None


@router.get(
    "/inquiries", response={200: InquiryPage, **ERROR_RESPONSES}, url_name="voice_inquiries", summary="首问登记"
)
def inquiry_list(request: HttpRequest, filters: Query[InquiryParams], pages: Query[PageParams]):
    """您权限范围内的首问事项（含您首问或经办的），按受理时间倒序。联系电话按个人信息规则遮盖。"""
    user = request.auth
    f = inquiries.Filters(
        state=str(getattr(filters.state, "value", filters.state) or ""),
        channel=str(getattr(filters.channel, "value", filters.channel) or ""),
        org=visible_org_or_404(user, filters.org),
        overdue=filters.overdue,
        since=filters.since,
        until=filters.until,
        q=filters.q.strip(),
    )
    page = paginate(inquiries.register(fetched_by=user, filters=f), page=pages.page, page_size=pages.page_size)
    page["results"] = [_shown(user, r) for r in page["results"]]
    return page


@router.get(
    "/inquiries/{int:inquiry_id}",
    response={200: InquiryDetailOut, **ERROR_RESPONSES},
    url_name="voice_inquiry",
    summary="首问事项及其移交记录",
)
def inquiry_detail(request: HttpRequest, inquiry_id: int, response: HttpResponse):
    """一个首问事项及其移交链；不存在或不在您的权限范围内时返回 404。"""
    inquiry = _inquiry_detail(request.auth, inquiry_id)
    response["ETag"] = etag(inquiry)
    return inquiry


class InquiryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    asker: str = Field(min_length=1, max_length=50, description="来访/来电人")
    asker_phone: str = Field("", max_length=20, pattern=r"^[0-9+\- ]*$", description="联系电话（可不填）")
    channel: Channel = Field(description=choices_help(Channel.choices))
    content: str = Field(min_length=1, max_length=2000, description="事项")
    asked_at: datetime = Field(description="受理时间（不能晚于现在）")
    promise: int | None = Field(None, ge=1, le=ID_MAX, description="对应服务承诺 ID；不填按默认时限")
    first_person: int | None = Field(
        None, ge=1, le=ID_MAX, description="首问责任人（党员 ID）；不填为本人；管理人员可代其权限范围内的党员登记"
    )


@router.post(
    "/inquiries",
    response={201: InquiryDetailOut, **WRITE_RESPONSES},
    url_name="voice_inquiry_create",
    summary="首问登记",
)
def inquiry_create(request: HttpRequest, payload: InquiryIn, response: HttpResponse):
    """登记一个首问事项（与页面相同的规则）：首问责任人为本人（须有党员档案），管理人员可代其权限范围内的党员登记。
    不符合规则时返回 422，如“受理时间不能晚于今天”。"""
    user = request.auth
    if not user.can(Capability.CHANGE) and inquiries.own_member(user) is None:
        raise Http404
    asked_at = payload.asked_at if timezone.is_aware(payload.asked_at) else timezone.make_aware(payload.asked_at)
    promise = None
    if payload.promise is not None:
        # Checked by the service against the promises the user may file under (422 otherwise).
        promise = ServicePromise.objects.unrestricted().filter(pk=payload.promise).first()
        if promise is None:
            raise InvalidParams([{"field": "promise", "message": inquiries.ERR_PROMISE}])
    first_person = None
    if payload.first_person is not None:
        first_person = Member(pk=payload.first_person)
    inquiry = inquiries.record_inquiry(
        by=user,
        asker=payload.asker,
        asker_phone=payload.asker_phone,
        channel=str(getattr(payload.channel, "value", payload.channel)),
        content=payload.content,
        asked_at=asked_at,
        promise=promise,
        first_person=first_person,
    )
    inquiry = _inquiry_detail(user, inquiry.pk)
    response["ETag"] = etag(inquiry)
    return Status(201, inquiry)


def _actable(user, inquiry_id: int) -> Inquiry:
    inquiry = _inquiry_detail(user, inquiry_id)
    if not inquiries.may_act(user, inquiry):
        raise Http404
    return inquiry


class HandOffIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_member: int = Field(ge=1, le=ID_MAX, description="接收人（党员 ID，须在您的权限范围内）")
    note: str = Field(min_length=1, max_length=500, description="移交说明")
    version: int | None = Field(None, description="所依据的版本（或 If-Match 请求头）")


@router.post(
    "/inquiries/{int:inquiry_id}/handoff",
    response={200: InquiryDetailOut, **WRITE_RESPONSES},
    url_name="voice_inquiry_handoff",
    summary="移交首问事项",
)
def inquiry_handoff(request: HttpRequest, inquiry_id: int, payload: HandOffIn, response: HttpResponse):
    """当前经办人（或有权维护其所在党组织的人员）将事项移交给另一名党员；须带版本（If-Match 或 version，缺少时 428，
    过期时 412）。已办结的事项不能移交（422）。"""
    user = request.auth
    inquiry = _actable(user, inquiry_id)
    version = write_version(request, payload.version)
    inquiries.hand_on(
        by=user, inquiry=inquiry, to_member=Member(pk=payload.to_member), note=payload.note, version=version
    )
    # The receiver is in the user's scope (inquiries.receivers), so the inquiry stays in their sight.
    inquiry = _inquiry_detail(user, inquiry_id)
    response["ETag"] = etag(inquiry)
    return inquiry


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(min_length=1, max_length=2000, description="办理结果")
    satisfaction: Satisfaction = Field(description=choices_help(Satisfaction.choices))
    version: int | None = Field(None, description="所依据的版本（或 If-Match 请求头）")


@router.post(
    "/inquiries/{int:inquiry_id}/close",
    response={200: InquiryDetailOut, **WRITE_RESPONSES},
    url_name="voice_inquiry_close",
    summary="办结首问事项",
)
def inquiry_close(request: HttpRequest, inquiry_id: int, payload: CloseIn, response: HttpResponse):
    """当前经办人（或有权维护其所在党组织的人员）办结事项，登记结果和来访人满意度；须带版本（If-Match 或 version，
    缺少时 428，过期时 412）。
    已办结的事项不能再办结（422）。"""
    user = request.auth
    inquiry = _actable(user, inquiry_id)
    version = write_version(request, payload.version)
    inquiries.close_inquiry(
        by=user,
        inquiry=inquiry,
        result=payload.result,
        satisfaction=str(getattr(payload.satisfaction, "value", payload.satisfaction)),
        version=version,
    )
    inquiry = _inquiry_detail(user, inquiry_id)
    response["ETag"] = etag(inquiry)
    return inquiry


# ── surveys


class SurveyParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="发起组织 ID（含下级组织）")
    state: SurveyState | None = Field(
        None, description=choices_help(SurveyState.choices) + "（已过截止日期的算已结束）"
    )
    q: str = Field("", max_length=50, description="标题包含")


class SurveyOut(Schema):
    id: int
    version: int
    org: OrgRef
    title: str
    intro: str
    audience: Audience = Field(description=choices_help(Audience.choices))
    anonymous: bool
    state: str = Field(description="状态（已过截止日期的算已结束）")
    opens_on: date | None
    closes_on: date
    questions: int
    responses: int

    @staticmethod
    def resolve_state(obj: Survey) -> str:
        return surveys.shown_state(obj)

    @staticmethod
    def resolve_questions(obj: Survey) -> int:
        return obj.n_questions

    @staticmethod
    def resolve_responses(obj: Survey) -> int:
        return obj.n_responses


class SurveyPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SurveyOut]


@router.get("/surveys", response={200: SurveyPage, **ERROR_RESPONSES}, url_name="voice_surveys", summary="问卷")
def survey_list(request: HttpRequest, filters: Query[SurveyParams], pages: Query[PageParams]):
    """您权限范围内组织发起的问卷（与“问卷调查”页面相同），按截止日期倒序。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    rows = surveys.surveys_of(user, state=filters.state or "", q=filters.q.strip(), org=org)
    return paginate(rows.order_by("-closes_on", "-id"), page=pages.page, page_size=pages.page_size)


def _visible_survey(user, survey_id: int) -> Survey:
    require_capability(user, Capability.VIEW)
    survey = Survey.objects.visible_to(user).select_related("org").filter(pk=survey_id).first()
    if survey is None or survey.state == SurveyState.DRAFT:
        raise Http404
    return survey


class OptionOut(Schema):
    label: str
    count: int
    percent: float


class QuestionResultOut(Schema):
    position: int
    kind: str
    text: str
    answered: int
    options: list[OptionOut]
    average: float | None
    texts: list[str] = Field(description="文字回答（匿名问卷随机排列，不含填写人）")


class GroupOut(Schema):
    label: str
    responses: int


class ResultsOut(Schema):
    survey: int
    anonymous: bool
    responses: int
    questions: list[QuestionResultOut]
    by_depth: list[GroupOut]
    by_kind: list[GroupOut]
    hidden_groups: int = Field(description="匿名问卷中因答卷少于 3 份而不显示的分组数")


@router.get(
    "/surveys/{int:survey_id}/results",
    response={200: ResultsOut, **ERROR_RESPONSES},
    url_name="voice_survey_results",
    summary="问卷结果",
)
def survey_results(request: HttpRequest, survey_id: int):
    """各题选项的人次与比例、1–5分题的平均分与分布、文字回答，以及按组织层级、类型的答卷数（与结果页相同）。"""
    survey = _visible_survey(request.auth, survey_id)
    r = surveys.results(survey)
    questions = [
        {
            "position": q.question.position,
            "kind": q.question.kind,
            "text": q.question.text,
            "answered": q.answered,
            "options": [vars(o) for o in q.options],
            "average": q.average,
            "texts": q.texts,
        }
        for q in r.questions
    ]
    return {
        "survey": survey.pk,
        "anonymous": survey.anonymous,
        "responses": r.responses,
        "questions": questions,
        "by_depth": [vars(g) for g in r.by_depth],
        "by_kind": [vars(g) for g in r.by_kind],
        "hidden_groups": r.hidden_groups,
    }


class RawOut(Schema):
    org: str | None = Field(description="填写组织（匿名问卷为空）")
    name: str | None = Field(description="填写人（匿名问卷为空）")
    answered_on: date | None
    answers: list[str] = Field(description="按题目顺序的回答（多选以“；”分隔）")


class RawPage(Schema):
    questions: list[str]
    results: list[RawOut]


@router.get(
    "/surveys/{int:survey_id}/answers",
    response={200: RawPage, **ERROR_RESPONSES},
    url_name="voice_survey_answers",
    summary="问卷原始答卷",
)
def survey_answers(request: HttpRequest, survey_id: int):
    """每份答卷一行：实名问卷带组织、姓名和日期；匿名问卷不含任何身份信息，且随机排列。"""
    survey = _visible_survey(request.auth, survey_id)
    questions, rows = surveys.raw_rows(survey, limit=10_000)
    out = [
        {
            "org": None if survey.anonymous else r.org,
            "name": None if survey.anonymous else (r.name or None),
            "answered_on": r.answered_on,
            "answers": r.cells,
        }
        for r in rows
    ]
    return {"questions": [q.text for q in questions], "results": out}


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: int | None = Field(None, ge=1, le=ID_MAX, description="以组织名义填写时的组织 ID（组织问卷必填）")
    answers: dict[int, int | list[int] | str | None] = Field(
        description="题目 ID → 选项序号（从 0 起）、多选的序号列表、1–5 分或文字", max_length=100
    )


class AnsweredOut(Schema):
    survey: int
    anonymous: bool


@router.post(
    "/surveys/{int:survey_id}/answers",
    response={201: AnsweredOut, **WRITE_RESPONSES},
    url_name="voice_survey_answer",
    summary="填写问卷",
)
def survey_answer(request: HttpRequest, survey_id: int, payload: AnswerIn):
    """以党员本人（党员问卷）或所维护组织（组织问卷，给出 org）的名义填写一次。不在填写范围内：404；回答有误或已
    填写过：422，附中文原因，不写入任何内容。匿名问卷的答卷不记录填写人。"""
    user = request.auth
    found = surveys.answerable_or_none(user, survey_id, payload.org)
    if found is None:
        raise Http404
    survey, org = found
    surveys.answer(by=user, survey=survey, answers=payload.answers, org=org)
    return Status(201, {"survey": survey.pk, "anonymous": survey.anonymous})


# ── consultations


class ConsultationParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="组织 ID（含下级组织）；不填为您的全部权限范围")
    kind: ConsultationKind | None = Field(None, description=f"形式：{choices_help(ConsultationKind.choices)}")
    year: int | None = Field(None, ge=2000, le=2100, description="年度（YYYY）")
    q: str = Field("", max_length=50, description="主题或参加人员包含的文字")


class ConsultationOut(Schema):
    id: int
    org: OrgRef
    kind: str
    held_on: date
    topic: str
    participants: str
    summary: str
    meeting: int | None = Field(None, alias="meeting_id")
    talk: int | None = Field(None, alias="talk_id")
    opinion_count: int


class ConsultationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ConsultationOut]


@router.get(
    "/consultations",
    response={200: ConsultationPage, **ERROR_RESPONSES},
    url_name="voice_consultations",
    summary="座谈会、个别交流",
)
def consultation_list(request: HttpRequest, filters: Query[ConsultationParams], pages: Query[PageParams]):
    """您权限范围内的座谈会、个别交流，按日期倒序。组织不存在或不在权限范围内时返回 404。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    rows = consultations.consultations_of(
        fetched_by=user, org=org, kind=filters.kind or "", year=filters.year, q=filters.q
    )
    return paginate(rows, page=pages.page, page_size=pages.page_size)


class ProblemParams(Schema):
    org: int | None = Field(None, ge=1, le=ID_MAX, description="责任党组织 ID（含下级组织）")
    year: int | None = Field(None, ge=2000, le=2100, description="年度（YYYY）")
    state: ProblemState | None = Field(None, description=f"整改状态：{choices_help(ProblemState.choices)}")
    source: ProblemSource | None = Field(None, description=f"来源：{choices_help(ProblemSource.choices)}")
    overdue: bool | None = Field(None, description="true：只看逾期未整改的；false：只看未逾期的")
    q: str = Field("", max_length=50, description="问题、措施或责任人包含的文字")


class ProblemOut(Schema):
    id: int
    org: OrgRef
    year: int
    source: str
    survey: int | None = Field(None, alias="survey_id")
    opinion: int | None = Field(None, alias="opinion_id")
    proposal: int | None = Field(None, alias="proposal_id")
    description: str
    measure: str
    owner: MemberRef
    deadline: date
    state: str
    done_on: date | None
    result: str
    overdue: bool
    version: int


class ProblemPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProblemOut]


@router.get("/problems", response={200: ProblemPage, **ERROR_RESPONSES}, url_name="voice_problems", summary="问题清单")
def problem_list(request: HttpRequest, filters: Query[ProblemParams], pages: Query[PageParams]):
    """您权限范围内的问题清单（责任人本人的令牌只看到自己负责的），按整改时限排序。逾期：未整改且今天已过整改时限。"""
    user = request.auth
    org = visible_org_or_404(user, filters.org)
    rows = problems.problems_of(
        fetched_by=user,
        org=org,
        year=filters.year,
        state=filters.state or "",
        source=filters.source or "",
        overdue=filters.overdue,
        q=filters.q,
    )
    return paginate(rows, page=pages.page, page_size=pages.page_size)


class SummaryParams(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度（YYYY）；不填为今年")
    org: int | None = Field(None, ge=1, le=ID_MAX, description="只看该组织及其下级")


class ProblemSummaryOut(Schema):
    org: OrgRef
    total: int
    open: int
    progress: int
    done: int
    overdue: int


class ProblemSummary(Schema):
    year: int
    results: list[ProblemSummaryOut]


@router.get(
    "/problems/summary",
    response={200: ProblemSummary, **ERROR_RESPONSES},
    url_name="voice_problem_summary",
    summary="问题整改情况（按组织汇总，含下级）",
)
def problem_summary(request: HttpRequest, filters: Query[SummaryParams]):
    """每个组织（含其下级组织）该年度问题的总数、待整改、整改中、已整改、逾期数。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    year = filters.year or clock.today().year
    return {"year": year, "results": problems.problem_summary(user, year, org=org)}
