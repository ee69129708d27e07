"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from dangjian.core import clock
from dangjian.core.api import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
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
from dangjian.orgs.selectors import visible_org_or_404

from . import commitments, promises
from .choices import CommitmentGrade, Phase
from .models import Commitment

router = Router(tags=["党员之声"])

# ── proposals

# ── commitments
ID_MAX = 10**18


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


# ── inquiries

# ── surveys

# ── consultations
