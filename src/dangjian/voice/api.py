"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.core.api import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    OrgRef,
    PageParams,
    choices_help,
    paginate,
    write_version,
)
from dangjian.core.concurrency import etag
from dangjian.orgs.selectors import visible_org_or_404

from . import proposals
from .choices import ProposalCategory, ProposalState
from .models import Proposal

router = Router(tags=["党员之声"])

# ── proposals: the same selectors and services as the pages (proposals.py); attachments only on the page

ID_MAX = 10**18


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
    """立案、不予立案、并案、交办、答复、评价、申请再次答复（与页面相同的规则）。须带版本（否则 428），版本过期 412，
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

# ── inquiries

# ── surveys

# ── consultations
