"""The committee's reconciliation (due / collected / remitted per branch and month) and the collection reports (by
month and year, the trend chart, the yearly 党费收缴情况 per branch), each with its xlsx. Thin: the numbers come
from fees.reconciliation in a fixed number of grouped queries; the sheets from fees.reports."""

from csp.decorators import csp_update
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.core import clock
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability

from . import reconciliation as rec
from . import reports, rules
from .views import org_param

#: The printable 收缴情况 lists at most this many branches (beyond: the xlsx, or an org lower in the tree).
PRINT_MAX = 500
#: The xlsx lists at most this many rows.
EXPORT_MAX = 10_000


def _choices(request: HttpRequest) -> dict:
    today = clock.today()
    error = ""
    try:
        year = rec.parse_year(request.GET.get("year"), today)
    except ValueError as refused:
        error, year = str(refused), today.year
    rolled = request.GET.get("view") == "children"
    return {
        "org": org_param(request),
        "year": year,
        "months": rec.year_months(year, today),
        "error": error,
        "rolled": rolled,
        "years": list(range(today.year, max(rec.YEAR_MIN, today.year - 9) - 1, -1)),
        "today": today,
    }


def _rows(request: HttpRequest, choices: dict, *, limit: int | None = None):
    """The page of rows (branches, or child orgs rolled up) and its paginator page (None when `limit` is given)."""
    user, org, months = request.user, choices["org"], choices["months"]
    if choices["rolled"]:
        orgs = rec.child_orgs(fetched_by=user, root=org)
    else:
        orgs = rec.branches_of(fetched_by=user, root=org, year=choices["year"])
    if limit is not None:
        targets, page = list(orgs[:limit]), None
    else:
        page = Paginator(orgs, page_size(request)).get_page(request.GET.get("page"))
        targets = list(page.object_list)
    if choices["rolled"]:
        rows = rec.rolled_rows(fetched_by=user, orgs=targets, months=months)
    else:
        rows = rec.branch_rows(fetched_by=user, branches=targets, months=months)
    return rows, page


def _query(choices: dict, **more) -> str:
    parts = [f"org={choices['org'].pk}" if choices["org"] else "", f"year={choices['year']}"]
    parts += [f"{k}={v}" for k, v in more.items() if v]
    return "&".join(p for p in parts if p)


def reconcile_view(request: HttpRequest) -> HttpResponse:
    """Due, collected and remitted per branch (or child org, rolled up) and month of a year, differences marked."""
    require_capability(request.user, Capability.VIEW)
    choices = _choices(request)
    rows, page = _rows(request, choices)
    context = {
        **choices,
        "title": "党费收缴与上缴对账",
        "rows": rows,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "query": _query(choices, view="children" if choices["rolled"] else ""),
        "labels": rec.STATE_LABELS,
    }
    return render(request, "fees/reconcile.html", context)


def reconcile_totals(request: HttpRequest) -> HttpResponse:
    """The subtree's totals by month (an HTMX fragment the page loads after its rows: over a whole tree it is the
    one aggregate of every ledger line of the year, the page's slowest query)."""
    require_capability(request.user, Capability.VIEW)
    choices = _choices(request)
    total = rec.totals(fetched_by=request.user, root=choices["org"], months=choices["months"])
    return render(request, "fees/reconcile_totals.html", {**choices, "total": total})


def reconcile_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    choices = _choices(request)
    rows, _ = _rows(request, choices, limit=EXPORT_MAX)
    total = rec.totals(fetched_by=request.user, root=choices["org"], months=choices["months"])
    buffer = reports.reconciliation_xlsx(rows, total, choices["months"])
    name = choices["org"].name if choices["org"] else "全部"
    return FileResponse(buffer, as_attachment=True, filename=f"党费对账_{name}_{choices['year']}.xlsx")


def _report(request: HttpRequest, choices: dict, *, limit: int | None = None) -> dict:
    user, org = request.user, choices["org"]
    branches = rec.branches_of(fetched_by=user, root=org, year=choices["year"])
    if limit is not None:
        targets, page = list(branches[: limit + 1]), None
    else:
        page = Paginator(branches, page_size(request)).get_page(request.GET.get("page"))
        targets = list(page.object_list)
    total = rec.totals(fetched_by=user, root=org, months=choices["months"])
    shown = targets[:limit] if limit else targets
    return {
        **choices,
        "title": "党费收缴情况",
        "total": total,
        "year_rows": rec.year_rows(fetched_by=user, branches=shown, year=choices["year"]),
        "truncated": limit is not None and len(targets) > limit,
        "page": page,
        "query": _query(choices),
        "rounding": rules.ROUNDING_NOTE,
        "source": rules.SOURCE,
    }


def trend_data(total: rec.Row, months) -> dict:
    """The chart's numbers (json_script): months and due / collected / remitted per month, in yuan strings."""
    return {
        "months": [f"{m.month}月" for m in months],
        "due": [rules.yuan(c.due) for c in total.cells],
        "collected": [rules.yuan(c.collected) for c in total.cells],
        "remitted": [rules.yuan(c.remitted) for c in total.cells],
    }


# ECharts writes style attributes on its SVG nodes and tooltips: allowed on this page alone (as on the heat map).
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def report_view(request: HttpRequest) -> HttpResponse:
    """The year of an org's subtree by month (table and trend chart) and the 收缴情况 per branch (paginated)."""
    require_capability(request.user, Capability.VIEW)
    context = _report(request, _choices(request))
    context["trend"] = trend_data(context["total"], context["months"])
    context["page_sizes"] = PAGE_SIZES
    context["per_page"] = context["page"].paginator.per_page
    return render(request, "fees/report.html", context)


def report_print(request: HttpRequest) -> HttpResponse:
    """The same for paper: every branch (up to PRINT_MAX), no navigation, print CSS."""
    require_capability(request.user, Capability.VIEW)
    context = _report(request, _choices(request), limit=PRINT_MAX)
    context["print_max"] = PRINT_MAX
    return render(request, "fees/report_print.html", context)


def report_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    context = _report(request, _choices(request), limit=EXPORT_MAX)
    buffer = reports.report_xlsx(context["total"], context["months"], context["year_rows"], context["year"])
    name = context["org"].name if context["org"] else "全部"
    return FileResponse(buffer, as_attachment=True, filename=f"党费收缴情况_{name}_{context['year']}.xlsx")
