"""REST API over the org tree: the user's visible orgs with member counts, as on the tree page."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from dangjian.core.api import ERROR_RESPONSES, OrgRef, PageParams, paginate
from dangjian.core.concurrency import etag
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability

from .choices import OrgKind
from .models import Organization
from .selectors import member_counts

router = Router(tags=["党组织"])

KIND_HELP = "；".join(f"{value}={label}" for value, label in OrgKind.choices)


class OrgOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；详情接口的 ETag 即为此值")
    name: str
    code: str
    kind: OrgKind = Field(description=f"组织类型：{KIND_HELP}")
    kind_display: str = Field(description="组织类型（中文）")
    department: str = Field(description="对应业务科室")
    depth: int = Field(description="在组织树中的层级，根为 1")
    parent_id: int | None = Field(description="上级组织 ID（上级不在您的权限范围内时为 null）")
    established_on: date | None
    dissolved_on: date | None
    members_full: int = Field(description="在册正式党员人数（含下级组织）")
    members_probationary: int = Field(description="在册预备党员人数（含下级组织）")
    members_total: int

    @staticmethod
    def resolve_kind_display(obj: Organization) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_members_full(obj: Organization) -> int:
        return obj.counts.full

    @staticmethod
    def resolve_members_probationary(obj: Organization) -> int:
        return obj.counts.probationary

    @staticmethod
    def resolve_members_total(obj: Organization) -> int:
        return obj.counts.total


class OrgDetailOut(OrgOut):
    remark: str
    children: list[OrgRef] = Field(description="您权限范围内的直接下级组织（不含已撤销的）")


class OrgPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrgOut]


class OrgListParams(Schema):
    kind: OrgKind | None = Field(None, description=f"只列出该类型：{KIND_HELP}")
    include_dissolved: bool = Field(False, description="是否包含已撤销的组织")


def _annotate(user, orgs: list[Organization]) -> None:
    """Member counts and visible parents for a page of orgs: three queries, whatever the page size."""
    counts = member_counts(orgs)
    parent_paths = {o.path[: -o.steplen] for o in orgs if o.depth > 1}
    parents = dict(Organization.objects.visible_to(user).filter(path__in=parent_paths).values_list("path", "pk"))
    for org in orgs:
        org.counts = counts[org.pk]
        org.parent_id = parents.get(org.path[: -org.steplen])


@router.get("", response={200: OrgPage, **ERROR_RESPONSES}, url_name="org_list", summary="党组织列表")
def org_list(request: HttpRequest, filters: Query[OrgListParams], pages: Query[PageParams]):
    """您权限范围内的党组织，按组织树顺序；人数为在册党员（含下级组织，党小组为本小组成员）。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    orgs = Organization.objects.visible_to(user)
    if not filters.include_dissolved:
        orgs = orgs.active()
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    page = paginate(orgs, page=pages.page, page_size=pages.page_size)
    _annotate(user, page["results"])
    return page


@router.get("/{org_id}", response={200: OrgDetailOut, **ERROR_RESPONSES}, url_name="org_detail", summary="党组织详情")
def org_detail(request: HttpRequest, org_id: int, response: HttpResponse):
    """一个党组织；不存在或不在您的权限范围内时返回 404。响应头 `ETag` 为其版本。"""
    user = request.auth
    org = get_object_or_404(Organization.objects.visible_to(user), pk=org_id)
    _annotate(user, [org])
    org.children = list(Organization.objects.get_children(org).visible_to(user).active())
    response["ETag"] = etag(org)
    return org
