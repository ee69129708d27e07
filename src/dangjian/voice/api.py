"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dangjian.core import clock
from dangjian.core.api import ERROR_RESPONSES, MemberRef, OrgRef, PageParams, choices_help, paginate
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.selectors import visible_org_or_404

from . import consultations, problems
from .choices import ConsultationKind, ProblemSource, ProblemState

router = Router(tags=["党员之声"])

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations


class ConsultationParams(Schema):
    org: int | None = Field(None, ge=1, le=10**18, description="组织 ID（含下级组织）；不填为您的全部权限范围")
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
    org: int | None = Field(None, ge=1, le=10**18, description="责任党组织 ID（含下级组织）")
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
    org: int | None = Field(None, ge=1, le=10**18, description="只看该组织及其下级")


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
