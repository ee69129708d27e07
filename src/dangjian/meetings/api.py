"""/api/v1/meetings: the meetings' API, scoped like every other, calling the same selectors as the pages."""

from ninja import Router

router = Router(tags=["组织生活"])

# meetings: list, create, detail, attendance, sign-in

# compliance: /api/v1/meetings/compliance?org=&period=

from django.http import Http404, HttpRequest  # noqa: E402  (the compliance section's imports, kept in it)
from ninja import Field, Query, Schema  # noqa: E402

from dangjian.core.api import ERROR_RESPONSES, InvalidParams  # noqa: E402
from dangjian.core.permissions import require_capability  # noqa: E402
from dangjian.core.roles import Capability  # noqa: E402
from dangjian.orgs.models import Organization  # noqa: E402

from . import compliance, rules  # noqa: E402


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


@router.get(
    "/compliance",
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
