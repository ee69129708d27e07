"""学时 progress: the tree's 学时 of a year rolled up per child org (selectors.summary: one grouped query), the members
with their hours, requirement and pace (filtered, sorted, paginated), and its xlsx (the secretary's behind-pace list).
Thin: the figures come from selectors.py in a fixed number of queries whatever the number of members."""

import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import xlsxwriter
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import visible_org_or_404

from . import rules, selectors

#: The xlsx lists at most this many members.
EXPORT_MAX = 10_000
YEAR_MIN = 2000
ERR_YEAR = "年份应在 2000 年至今年之间"
SORTS = (
    ("org", "按组织"),
    ("name", "按姓名"),
    ("-hours", "学时从高到低"),
    ("hours", "学时从低到高"),
)
PACE_TEXT = (
    "进度要求：1月至9月，按已过的整月数均摊全年要求的{share}%（1月不作要求，每过一个月增加全年要求的{step}%），"
    "10月起应达到全年要求的{share}%；学时低于进度线的标为“进度落后”。已结束的年度按全年要求计是否完成。"
)
PACE_SOURCE = "全年要求：{regulation}；进度线：本系统的提示口径（需求第15号：10月前未完成全年要求的75%即为落后）"


def _year(request: HttpRequest) -> tuple[int, str]:
    """?year=: four digits from YEAR_MIN to this year; anything else → this year with a message (as development's
    statistics page)."""
    today = clock.today()
    value = request.GET.get("year", "").strip()
    if not value:
        return today.year, ""
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not YEAR_MIN <= int(value) <= today.year:
        return today.year, ERR_YEAR
    return int(value), ""


def _years() -> list[int]:
    today = clock.today()
    return list(range(today.year, max(YEAR_MIN, today.year - 9) - 1, -1))


def _org(request: HttpRequest) -> Organization | None:
    return visible_org_or_404(request.user, id_param(request, "org"))


def _query(**parts) -> str:
    return urlencode({k: v for k, v in parts.items() if v not in (None, "", False)})


def pace_note(year: int) -> dict:
    """The rule in Chinese with its source, and today's lines of `year`."""
    member_line, leader_line = selectors.lines(year)
    share = int(rules.PACE_SHARE * 100)
    step = (rules.PACE_SHARE * 100 / rules.PACE_MONTHS).quantize(Decimal("0.1"))
    return {
        "rules": [rules.RULE_MEMBER, rules.RULE_LEADER],
        "pace": PACE_TEXT.format(share=share, step=step),
        "source": PACE_SOURCE.format(regulation=rules.REGULATION),
        "member_line": member_line.quantize(Decimal("0.1")),
        "leader_line": leader_line.quantize(Decimal("0.1")),
        "today": clock.today(),
    }


@dataclass
class ProgressRow:
    org: Organization
    figures: selectors.Figures
    drill_url: str  # the child's own rows ("" for a branch: its members are the drill-down)
    members_url: str
    behind_url: str


def progress(request: HttpRequest) -> HttpResponse:
    """One row per child org of ?org= (or of the user's top org), rolled up from its branches; totals on top."""
    require_capability(request.user, Capability.VIEW)
    year, error = _year(request)
    chosen = _org(request)
    parent, orgs = selectors.row_orgs(fetched_by=request.user, org=chosen)
    page = Paginator(orgs, page_size(request)).get_page(request.GET.get("page"))
    figures = selectors.summary(fetched_by=request.user, year=year, root=parent, orgs=list(page.object_list))
    progress_url, members_url = reverse("study:progress"), reverse("study:members")
    rows = []
    for org, counts in figures.rows:
        drill = "" if org.kind == OrgKind.BRANCH or org == parent else f"{progress_url}?{_query(org=org.pk, year=year)}"
        rows.append(
            ProgressRow(
                org,
                counts,
                drill,
                f"{members_url}?{_query(org=org.pk, year=year)}",
                f"{members_url}?{_query(org=org.pk, year=year, behind=1)}",
            )
        )
    up = ""
    if chosen is not None:
        above_path = chosen.path[: -Organization.steplen]
        above = Organization.objects.visible_to(request.user).filter(path=above_path).first() if above_path else None
        up = f"{progress_url}?{_query(org=above.pk if above else '', year=year)}"
    context = {
        "title": "学时进度",
        "org": parent,
        "chosen": chosen,
        "year": year,
        "error": error,
        "years": _years(),
        "total": figures.total,
        "rows": rows,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "up_url": up,
        "members_url": f"{members_url}?{_query(org=parent.pk if parent else '', year=year)}",
        "behind_url": f"{members_url}?{_query(org=parent.pk if parent else '', year=year, behind=1)}",
        "note": pace_note(year),
    }
    return render(request, "study/progress.html", context)


@dataclass
class MemberRow:
    member: object
    reason: str  # why the requirement: the seat held in the year, or a member's
    percent: int  # of the requirement, at most 100 (the bar)


SEAT_LABELS = dict(CommitteeRole.choices)


def _reason(member) -> str:
    if member.leader:
        return f"任{SEAT_LABELS.get(member.seat_role, '支委会委员')}" if member.seat_role else "任支委会委员"
    return "党员"


def as_row(member) -> MemberRow:
    percent = int(min(Decimal(100), member.hours * 100 / member.required)) if member.required else 0
    return MemberRow(member, _reason(member), percent)


def _members(request: HttpRequest) -> dict:
    year, error = _year(request)
    org = _org(request)
    q = request.GET.get("q", "").strip()[: selectors.SEARCH_MAX]
    behind = request.GET.get("behind", "") == "1"
    sort = request.GET.get("sort", "")
    if sort not in dict(SORTS):
        sort = ""
    rows = selectors.progress_list(fetched_by=request.user, year=year, root=org, q=q, behind=behind, sort=sort)
    return {"year": year, "error": error, "org": org, "q": q, "behind": behind, "sort": sort, "rows": rows}


def member_list(request: HttpRequest) -> HttpResponse:
    """The members with their 学时 of a year (sessions, approved reports, total), requirement and pace; filtered by
    org (its subtree), year, behind, a name; sorted; paginated."""
    require_capability(request.user, Capability.VIEW)
    found = _members(request)
    page = Paginator(found["rows"], page_size(request)).get_page(request.GET.get("page"))
    orgs = (
        Organization.objects.visible_to(request.user)
        .active()
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
        .only("pk", "name", "path", "depth")
    )
    org = found["org"]
    context = {
        **found,
        "title": "党员学时",
        "page": page,
        "member_rows": [as_row(m) for m in page.object_list],
        "orgs": orgs,
        "sorts": SORTS,
        "years": _years(),
        "page_sizes": PAGE_SIZES,
        "query": _query(
            org=org.pk if org else "",
            year=found["year"],
            q=found["q"],
            behind=found["behind"] and 1,
            sort=found["sort"],
        ),
        "note": pace_note(found["year"]),
    }
    return render(request, "study/members.html", context)


EXPORT_HEADER = [
    "姓名",
    "所在党组织",
    "集中学习学时",
    "自学认定学时",
    "学时合计",
    "全年要求",
    "要求依据",
    "完成比例",
    "进度",
]


def members_xlsx(rows, year: int) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(f"{year}年党员学时")
    sheet.write_row(0, 0, EXPORT_HEADER, bold)
    for i, member in enumerate(rows, start=1):
        row = as_row(member)
        sheet.write_string(i, 0, member.name)
        sheet.write_string(i, 1, member.org.name)
        sheet.write_number(i, 2, float(member.session_hours))
        sheet.write_number(i, 3, float(member.report_hours))
        sheet.write_number(i, 4, float(member.hours))
        sheet.write_number(i, 5, float(member.required))
        sheet.write_string(i, 6, row.reason)
        sheet.write_string(i, 7, f"{row.percent}%")
        sheet.write_string(i, 8, "进度落后" if member.behind else "正常")
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 8, 12)
    sheet.freeze_panes(1, 1)
    workbook.close()
    buffer.seek(0)
    return buffer


def member_export(request: HttpRequest) -> FileResponse:
    """The same filtered list as xlsx (at most EXPORT_MAX members)."""
    require_capability(request.user, Capability.VIEW)
    found = _members(request)
    name = found["org"].name if found["org"] else "全部"
    suffix = "_进度落后" if found["behind"] else ""
    buffer = members_xlsx(found["rows"][:EXPORT_MAX], found["year"])
    return FileResponse(buffer, as_attachment=True, filename=f"党员学时_{name}_{found['year']}{suffix}.xlsx")
