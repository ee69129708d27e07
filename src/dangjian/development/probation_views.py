"""预备党员 on the roster: the list of the user's 预备党员 with their 预备期满 (an extension applied), and the start of
the 转正 procedure from a member's page (services.probation_record: their record, or a new roster-origin one)."""

import io

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules, selectors, services

TITLE = "预备党员转正"
FILTERS = {"soon": f"{rules.PROBATION_REMIND_DAYS}天内期满", "overdue": "已期满未转正"}


def _rows(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    due = request.GET.get("due", "")
    due = due if due in FILTERS else ""
    sort = "name" if request.GET.get("sort") == "name" else ""
    return org, due, sort, selectors.probation_rows(request.user, org, due, sort)


def probation_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org, due, sort, rows = _rows(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": TITLE,
        "org": org,
        "due": due,
        "sort": sort,
        "filters": FILTERS,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
    }
    return render(request, "development/probation_list.html", context)


def probation_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    _org, _due, _sort, rows = _rows(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("预备党员")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(
        0, 0, ["姓名", "党支部", "入党日期", "延长预备期（月）", "预备期满", "剩余天数", "档案状态", "下一步骤"], bold
    )
    sheet.set_column(0, 1, 16)
    for number, row in enumerate(rows, start=1):
        record = row.record
        sheet.write_row(
            number,
            0,
            [
                row.member.name,
                row.member.org.name,
                row.member.joined_on.isoformat(),
                record.extended_months if record else 0,
                row.ends_on.isoformat(),
                row.days_left,
                record.get_state_display() if record else "未建档",
                row.next_step_label,
            ],
        )
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"预备党员_{clock.today():%Y%m%d}.xlsx")


@require_POST
def probation_start(request: HttpRequest, pk: int) -> HttpResponse:
    """办理转正手续: the member's record (a new roster-origin one if they have none), then its page."""
    member = get_object_or_404(Member.objects.changeable_by(request.user).select_related("org"), pk=pk)
    try:
        record = services.probation_record(by=request.user, member=member)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        return redirect(reverse("members:detail", args=[member.pk]))
    return redirect(reverse("development:detail", args=[record.pk]))
