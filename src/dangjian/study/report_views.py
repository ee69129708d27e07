"""Self-reported study as the branch sees it: the list (pending first) with its filters and xlsx, one report with its
certificate, and the review (认定 / 不予认定 with the reason, made from the version shown). A member opens their
own reports here too (detail, certificate); the list is for those who see the branch."""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.forms import LongSelect
from dangjian.core.generic import submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.storage import private_download
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import visible_org_or_404

from . import selectors, services
from .choices import ReportState
from .mine_views import parse_year
from .models import Report
from .report_forms import ReviewForm

LIST_TITLE = "自学认定"
#: The xlsx lists at most this many rows.
EXPORT_MAX = 10_000
SEARCH_MAX = 50
ERR_YEAR_FILTER = "年份应为 {first} 年至 {last} 年之间的四位数字"


def _filtered(request: HttpRequest) -> tuple:
    """The reports the user sees as the query asks (?state= ?org= ?year= ?q=), and the filters as understood."""
    org = visible_org_or_404(request.user, id_param(request, "org"))
    state = request.GET.get("state", "")
    state = state if state in ReportState.values else ""
    today = clock.today()
    year, error = (None, "") if not request.GET.get("year") else parse_year(request.GET.get("year"), today.year)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    filters = {"org": org, "state": state, "year": year, "q": q, "error": error}
    rows = selectors.reports_of(fetched_by=request.user, state=state, org=org, year=year, q=q)
    return rows, filters


def _org_select(user, chosen: Organization | None) -> str:
    """The org filter written out in Python (core.forms.LongSelect): a committee's tree has thousands of orgs. Its
    党小组 are left out (a report belongs to a branch)."""
    orgs = (
        Organization.objects.visible_to(user)
        .filter(dissolved_on__isnull=True)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
        .values_list("pk", "name")
    )
    widget = LongSelect(
        attrs={"class": "form-select form-select-sm", "aria-label": "党组织"},
        choices=[("", "全部党组织"), *orgs],
    )
    return widget.render("org", chosen.pk if chosen else "")


def report_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    context = {
        "title": LIST_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "states": ReportState.choices,
        "years": list(range(today.year, max(today.year - 9, selectors.YEAR_MIN) - 1, -1)),
        "org_select": _org_select(request.user, filters["org"]),
        "query": request.GET.urlencode(),
    }
    return render(request, "study/report_list.html", context)


def report_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as xlsx."""
    import xlsxwriter

    require_capability(request.user, Capability.VIEW)
    rows, _filters = _filtered(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("自学学时申报")
    bold = workbook.add_format({"bold": True})
    heads = ["党员", "党支部", "课程/培训名称", "举办单位/平台", "学习形式", "学习日期", "学时", "认定状态", "审核意见"]
    sheet.write_row(0, 0, heads, bold)
    for line, r in enumerate(rows[:EXPORT_MAX], start=1):
        values = [r.member.name, r.org.name, r.course, r.provider, r.get_kind_display(), r.studied_on.isoformat()]
        sheet.write_row(line, 0, values)
        sheet.write_number(line, 6, float(r.hours))
        sheet.write_row(line, 7, [r.get_state_display(), r.review_comment])
    sheet.set_column(0, len(heads) - 1, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"自学学时申报_{clock.today():%Y%m%d}.xlsx")


def _visible(request: HttpRequest, pk: int) -> Report:
    try:
        return selectors.report_get(fetched_by=request.user, pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def _detail(request: HttpRequest, report: Report, form: ReviewForm | None = None) -> HttpResponse:
    can_review = report.state == ReportState.PENDING and request.user.can(Capability.CHANGE, report.org.path)
    if can_review and form is None:
        form = ReviewForm(version_of=report, initial={"decision": services.REVIEW_APPROVE})
    own = report.member.user_id == request.user.pk
    context = {
        "title": f"{report.member.name}：{report.course}",
        "r": report,
        "review_form": form if can_review else None,
        # a review refused after the report left 待审核 (someone else reviewed it meanwhile): why, without the form
        "review_refused": [] if can_review or form is None else [e for errors in form.errors.values() for e in errors],
        "own": own,
        "can_withdraw": own and report.state == ReportState.PENDING,
        "is_image": report.certificate_type.startswith("image/"),
        "sees_list": request.user.can(Capability.VIEW),
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "study/report_detail.html", context, status=status)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: the member's own, or one in the user's scope; the review form for those who may change the branch."""
    return _detail(request, _visible(request, pk))


@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """认定 / 不予认定: only who may change the report's branch (anyone else: 404); a stale form is refused."""
    require_capability(request.user, Capability.CHANGE)
    report = Report.objects.changeable_by(request.user).select_related("member", "org", "reviewed_by").filter(pk=pk)
    report = report.first()
    if report is None:
        raise Http404
    form = ReviewForm(request.POST, version_of=report)

    def action(**data):
        return services.review_report(by=request.user, report=report, **data)

    done = submit(request, form, action)
    if done is None:
        return _detail(request, report, form)
    verdict = "已认定" if done.state == ReportState.APPROVED else "不予认定"
    messages.success(request, f"{verdict}：{done.member.name} {done.course}（{done.hours} 学时）")
    return redirect(reverse("study:reports"))


def certificate(request: HttpRequest, pk: int) -> FileResponse:
    """The report's certificate, for who sees the report (404 otherwise)."""
    report = _visible(request, pk)
    return private_download(report.certificate, report.certificate_name, report.certificate_type)
