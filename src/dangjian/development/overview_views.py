"""The overview of development work: the funnel by stage (and per branch), the due and overdue steps, the yearly
statistics per branch, each with its xlsx. Thin: the figures come from selectors.py in a fixed number of queries."""

from csp.decorators import csp_update
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.core import clock
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from . import rules, selectors, stats

#: The xlsx lists at most this many rows.
EXPORT_MAX = 10_000
YEAR_MIN = 2000
ERR_YEAR = "年份应在 2000 年至今年之间"


def _org(request: HttpRequest) -> Organization | None:
    """?org=: an org the user sees, else 404; absent or empty: none."""
    return row_param(request, "org", Organization.objects.visible_to(request.user))


def _query(**parts) -> str:
    return "&".join(f"{k}={v}" for k, v in parts.items() if v not in (None, ""))


# ECharts writes style attributes on its SVG nodes and tooltips: allowed on this page alone (as on fees' report).
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def funnel(request: HttpRequest) -> HttpResponse:
    """Records by stage in the user's scope (or ?org='s subtree), this year's 转正 and ended records, the chart, and
    a table per branch (paginated): one grouped query over the records, rolled up."""
    require_capability(request.user, Capability.VIEW)
    org = _org(request)
    page = Paginator(selectors.branches_in(fetched_by=request.user, root=org), page_size(request))
    page = page.get_page(request.GET.get("page"))
    figures = selectors.funnel(fetched_by=request.user, root=org, branches=list(page.object_list))
    chart = {"stages": [{"name": name, "value": n} for name, n in figures.total.pairs]}
    context = {
        "title": "发展进度",
        "org": org,
        "year": clock.today().year,
        "total": figures.total,
        "rows": figures.rows,
        "stages": rules.STAGES,
        "chart": chart,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "soon_days": rules.DUE_WITHIN_DAYS,
    }
    return render(request, "development/funnel.html", context)


def _due(request: HttpRequest) -> dict:
    kind = request.GET.get("kind", "")
    if kind not in selectors.KINDS:
        kind = ""
    org = _org(request)
    return {"org": org, "kind": kind, "rows": selectors.due_rows(fetched_by=request.user, root=org, kind=kind)}


def due_list(request: HttpRequest) -> HttpResponse:
    """Steps due within 30 days or overdue, records that may proceed, 考察 records due, and 预备期 ending soon (the
    roster's 预备党员 without a record included), filtered by org and kind, paginated."""
    require_capability(request.user, Capability.VIEW)
    found = _due(request)
    page = Paginator(found["rows"], page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    rows = [selectors.as_due_row(values, today) for values in page.object_list]
    context = {
        **found,
        "title": "待办步骤",
        "page": page,
        "due_rows": rows,
        "kinds": selectors.KINDS,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "query": _query(org=found["org"].pk if found["org"] else "", kind=found["kind"]),
        "soon_days": rules.DUE_WITHIN_DAYS,
        "remind_days": rules.PROBATION_REMIND_DAYS,
    }
    return render(request, "development/due.html", context)


def due_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    found = _due(request)
    today = clock.today()
    rows = [selectors.as_due_row(values, today) for values in found["rows"][:EXPORT_MAX]]
    name = found["org"].name if found["org"] else "全部"
    return FileResponse(stats.due_xlsx(rows), as_attachment=True, filename=f"发展党员待办_{name}_{today}.xlsx")


def _year(request: HttpRequest) -> tuple[int, str]:
    today = clock.today()
    value = request.GET.get("year", "").strip()
    if not value:
        return today.year, ""
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not YEAR_MIN <= int(value) <= today.year:
        return today.year, ERR_YEAR
    return int(value), ""


def _stats(request: HttpRequest, *, limit: int | None = None) -> dict:
    org = _org(request)
    year, error = _year(request)
    branches = selectors.branches_in(fetched_by=request.user, root=org)
    if limit is None:
        page = Paginator(branches, page_size(request)).get_page(request.GET.get("page"))
        targets = list(page.object_list)
    else:
        page, targets = None, list(branches[:limit])
    total, rows = selectors.year_stats(fetched_by=request.user, year=year, root=org, branches=targets)
    today = clock.today()
    return {
        "title": "发展党员年度统计",
        "org": org,
        "year": year,
        "error": error,
        "years": list(range(today.year, max(YEAR_MIN, today.year - 9) - 1, -1)),
        "columns": selectors.STAT_COLUMNS,
        "total": total,
        "rows": rows,
        "page": page,
        "query": _query(org=org.pk if org else "", year=year),
    }


def stats_view(request: HttpRequest) -> HttpResponse:
    """Per branch for a year: applications, 积极分子, 发展对象, accepted, 转正, extended, cancelled; totals."""
    require_capability(request.user, Capability.VIEW)
    context = _stats(request)
    context["page_sizes"] = PAGE_SIZES
    context["per_page"] = context["page"].paginator.per_page
    return render(request, "development/stats.html", context)


def stats_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    context = _stats(request, limit=EXPORT_MAX)
    name = context["org"].name if context["org"] else "全部"
    buffer = stats.stats_xlsx(context["total"], context["rows"], context["year"])
    return FileResponse(buffer, as_attachment=True, filename=f"发展党员统计_{name}_{context['year']}.xlsx")
