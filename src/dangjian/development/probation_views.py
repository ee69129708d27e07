"""预备党员 on the roster: the list of the user's 预备党员 with their 预备期满 (an extension applied), and the start of
the 转正 procedure from a member's page (services.probation_record: their record, or a new roster-origin one)."""

import io
from dataclasses import dataclass
from datetime import date

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
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules, services
from .models import Applicant

TITLE = "预备党员转正"
#: ?due=soon: 预备期 ending within this many days.
SOON_DAYS = 30
FILTERS = {"soon": f"{SOON_DAYS}天内期满", "overdue": "已期满未转正"}


@dataclass
class ProbationRow:
    member: Member
    record: Applicant | None
    ends_on: date
    days_left: int  # negative: overdue

    @property
    def next_step_label(self) -> str:
        if self.record is None or self.record.next_step is None:
            return ""
        return self.record.get_next_step_display()


def probation_end_of(member: Member, record: Applicant | None) -> date:
    """预备期满: one year from the acceptance (the record's, else the 入党日期), plus the record's extension."""
    start = (record.accepted_on if record else None) or member.joined_on
    return rules.probation_end(start, record.extended_months if record else 0)


def record_of(member: Member) -> Applicant | None:
    try:
        return member.development
    except Applicant.DoesNotExist:
        return None


def probation_rows(user, org: Organization | None = None, due: str = "", sort: str = "") -> list[ProbationRow]:
    """The 预备党员 in register of the user's scope (or of `org`'s subtree), each with their record: one query (the
    record by a LEFT JOIN); 预备期满 is computed here (calendar months), so the filters and the sort are too."""
    members = Member.objects.visible_to(user).filter(category=Category.PROBATIONARY, status=Status.ACTIVE)
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    today = clock.today()
    rows = []
    for member in members.select_related("org", "development"):
        record = record_of(member)
        ends_on = probation_end_of(member, record)
        rows.append(ProbationRow(member, record, ends_on, (ends_on - today).days))
    if due == "soon":
        rows = [r for r in rows if 0 <= r.days_left <= SOON_DAYS]
    elif due == "overdue":
        rows = [r for r in rows if r.days_left < 0]
    if sort == "name":
        rows.sort(key=lambda r: (r.member.name_pinyin, r.member.pk))
    else:
        rows.sort(key=lambda r: (r.ends_on, r.member.name_pinyin, r.member.pk))
    return rows


def _rows(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    due = request.GET.get("due", "")
    due = due if due in FILTERS else ""
    sort = "name" if request.GET.get("sort") == "name" else ""
    return org, due, sort, probation_rows(request.user, org, due, sort)


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
