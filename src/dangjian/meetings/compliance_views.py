"""Compliance pages: the committee's heat map (orgs × months), one org's periods and missing items, the xlsx export."""

import io
from datetime import date

import xlsxwriter
from csp.decorators import csp_update
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import compliance, rules
from .compliance import YEAR_MIN, Overview

MONTHS_SHOWN = 12


def _month_key(month) -> str:
    return f"{month[0]}-{month[1]:02d}"


def _choices(request: HttpRequest) -> dict:
    """The overview's filters from the query string; 404 for an org outside the scope, bad values fall back."""
    today = clock.today()
    org = None
    if request.GET.get("org"):
        try:
            org = compliance.compliance_org(fetched_by=request.user, org_id=request.GET["org"])
        except Organization.DoesNotExist:
            raise Http404 from None
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4 and YEAR_MIN <= int(year) <= today.year:
        last = (int(year), 12) if int(year) < today.year else rules.month_of(today)
        months = rules.months_between((int(year), 1), last)
        year = int(year)
    else:
        months, year = compliance.last_months(today, MONTHS_SHOWN), None
    try:
        activity = compliance.check_activity(request.GET.get("activity"))
    except ValueError:
        activity = None
    return {"org": org, "months": months, "year": year, "activity": activity, "today": today}


def _overview(request: HttpRequest) -> tuple[Overview, dict]:
    choices = _choices(request)
    overview = compliance.compliance_overview(
        fetched_by=request.user, root=choices["org"], months=choices["months"], activity=choices["activity"]
    )
    return overview, choices


def _heatmap_data(overview: Overview) -> dict:
    """The chart's numbers (json_script): months, org names, [x, y, percent|None, met, required] and the drill-down
    link of each cell (a branch: its missing items that month; another org: its branches' missing items)."""
    org_url = reverse("meetings:compliance_org", args=[0]).replace("/0/", "/{}/")
    values, links = [], []
    for y, row in enumerate(overview.rows):
        row_links = []
        for x, (month, cell) in enumerate(zip(overview.months, row.cells, strict=True)):
            share = cell.share
            values.append([x, y, None if share is None else round(share * 100), cell.met, cell.required, cell.due])
            row_links.append(org_url.format(row.org.pk) + f"?month={_month_key(month)}")
        links.append(row_links)
    return {
        "months": [f"{m[0]}年{m[1]}月" for m in overview.months],
        "orgs": [row.org.name for row in overview.rows],
        "values": values,
        "links": links,
    }


# ECharts writes style attributes on its SVG nodes and tooltips: allowed on this page alone (as on members' stats).
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def compliance_view(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    overview, choices = _overview(request)
    today = choices["today"]
    context = {
        "overview": overview,
        "choices": choices,
        "heatmap": _heatmap_data(overview),
        "heatmap_height": 80 + 32 * len(overview.rows),
        "by_activity": [(rules.activity_label(a), c) for a, c in overview.by_activity.items()],
        "ranked": sorted(overview.rows, key=lambda r: (-r.total.missed, r.org.path)),
        "years": list(range(today.year, today.year - 5, -1)),
        "activities": [(a, rules.activity_label(a)) for a in rules.ACTIVITY_ORDER],
        "month_keys": [_month_key(m) for m in overview.months],
        "query": request.GET.urlencode(),
        "lectures_per_year": compliance.lectures_per_year(),
    }
    return render(request, "meetings/compliance.html", context)


def compliance_org_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One org: a branch's obligations over a period (month, quarter, year), or every branch's below another org;
    ?month=YYYY-MM is the heat map's cell: the obligations shown in that month (a quarter's in its last month)."""
    require_capability(request.user, Capability.VIEW)
    try:
        org = compliance.compliance_org(fetched_by=request.user, org_id=pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    today = clock.today()
    month = request.GET.get("month", "")
    ending = False
    try:
        if month:
            period, ending = compliance.parse_period(month, today=today), True
            if period.kind != rules.MONTH:
                raise ValueError(compliance.ERR_PERIOD)
        else:
            period = compliance.parse_period(request.GET.get("period") or str(today.year), today=today)
        error = ""
    except ValueError as refused:
        period, ending, error = compliance.parse_period(str(today.year), today=today), False, str(refused)
    activity = None
    try:
        activity = compliance.check_activity(request.GET.get("activity"))
    except ValueError:
        error = error or compliance.ERR_ACTIVITY
    result = compliance.org_compliance(
        fetched_by=request.user, org=org, period=period, activity=activity, today=today, ending=ending
    )
    context = {
        "result": result,
        "org": org,
        "error": error,
        "ending": ending,
        "period_choices": _period_choices(today),
        "is_group": org.is_group,
        "is_branch": org.kind == OrgKind.BRANCH,
        "by_activity": [(rules.activity_label(a), c) for a, c in result.by_activity.items()],
    }
    return render(request, "meetings/compliance_org.html", context)


def _period_choices(today: date) -> list[tuple[str, str]]:
    """This year, its quarters so far and its months so far, then last year: the links of the org page."""
    choices = []
    for year in (today.year, today.year - 1):
        last = today.month if year == today.year else 12
        choices.append((str(year), f"{year}年"))
        choices += [(f"{year}-Q{q}", f"第{q}季度") for q in range(1, (last - 1) // 3 + 2)]
    return choices


def compliance_export(request: HttpRequest) -> FileResponse:
    """The overview as filtered on the page, as xlsx (small: written at once): the heat map's rows with each month's
    met/required, then the worst branches."""
    require_capability(request.user, Capability.VIEW)
    overview, choices = _overview(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("组织生活落实情况")
    header = ["组织", "党支部数", *(f"{m[0]}年{m[1]}月" for m in overview.months), "应开", "已开", "缺开", "进行中"]
    sheet.write_row(0, 0, header, bold)
    for i, row in enumerate(overview.rows, start=1):
        cells = [f"{c.met}/{c.required}" if c.required else "" for c in row.cells]
        t = row.total
        sheet.write_row(i, 0, [row.org.name, row.branches, *cells, t.required, t.met, t.missed, t.due])
    sheet.set_column(0, 0, 28)
    worst = workbook.add_worksheet("缺开较多的党支部")
    worst.write_row(0, 0, ["排名", "党支部", "应开", "已开", "缺开"], bold)
    for i, (org, counts) in enumerate(overview.worst, start=1):
        worst.write_row(i, 0, [i, org.name, counts.required, counts.met, counts.missed])
    worst.set_column(1, 1, 28)
    activities = workbook.add_worksheet("按会议类型")
    activities.write_row(0, 0, ["会议类型", "应开", "已开", "缺开", "进行中"], bold)
    for i, (activity, c) in enumerate(overview.by_activity.items(), start=1):
        activities.write_row(i, 0, [rules.activity_label(activity), c.required, c.met, c.missed, c.due])
    workbook.close()
    buffer.seek(0)
    name = overview.root.name if overview.root else "全部"
    span = str(choices["year"]) if choices["year"] else "近12个月"
    return FileResponse(buffer, as_attachment=True, filename=f"组织生活落实情况_{name}_{span}.xlsx")
