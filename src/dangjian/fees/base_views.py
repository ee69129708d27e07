"""The 党费基数 pages: the list of members' bases (with its export) and one member's fee page for staff."""

import io
import tempfile
import uuid
from pathlib import Path

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import submit
from dangjian.core.lib.filecheck import FileRefused
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.members.selectors import member_get

from . import bases, check, rules
from .base_forms import BaseForm, CheckUploadForm
from .choices import BaseSource, FeeKind
from .views import org_param

LIST_TITLE = "党费基数"
#: The export writes at most this many members (narrow the filter for more).
EXPORT_MAX = 20_000
KIND_LABELS = dict(FeeKind.choices)
SORT_COLUMNS = [
    ("name", "党员"),
    ("org", "党支部"),
    ("kind", "交纳类别"),
    ("base", "基数（元）"),
    ("month", "起始月份"),
]


def due_of(kind: str | None, base_fen: int | None, fixed_fen: int | None) -> int | None:
    if kind is None:
        return None
    try:
        return rules.monthly_due(kind, base_fen, fixed_fen)
    except ValueError:  # a row the rules no longer accept (written before them): shown blank, not a crash
        return None


def _filters(request: HttpRequest) -> dict:
    kind = request.GET.get("kind", "")
    return {
        "q": request.GET.get("q", "")[:50],
        "kind": kind if kind in FeeKind.values or kind == bases.NO_BASE else "",
        "pending": request.GET.get("pending") == "1",
        "sort": request.GET.get("sort", "")[:10],
    }


def _rows(request: HttpRequest):
    require_capability(request.user, Capability.VIEW)
    org = org_param(request)
    filters = _filters(request)
    return org, filters, bases.base_rows(fetched_by=request.user, org=org, **filters)


def _sort_links(request: HttpRequest, current: str) -> list[tuple[str, str, str]]:
    """(label, query string, arrow) of each sortable column: a click sorts by it, a second click reverses."""
    links = []
    for key, label in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        links.append((label, query.urlencode(), arrow))
    return links


def bases_list(request: HttpRequest) -> HttpResponse:
    """Members in register of the user's scope (or one org's subtree) with the base in force this month."""
    org, filters, rows = _rows(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    for member in page.object_list:
        member.due = due_of(member.b_kind, member.b_base, member.b_fixed)
        member.kind_label = KIND_LABELS.get(member.b_kind, "")
        member.pending = member.b_source == BaseSource.ROSTER
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {
        "title": LIST_TITLE,
        "org": org,
        "page": page,
        "filters": filters,
        "kinds": [*FeeKind.choices, (bases.NO_BASE, "未登记")],
        "sort_links": _sort_links(request, filters["sort"]),
        "export_query": export_query.urlencode(),
        "can_check": request.user.can(Capability.CHANGE),
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "rounding": rules.ROUNDING_NOTE,
        "source": rules.SOURCE,
    }
    return render(request, "fees/base_list.html", context)


EXPORT_HEADERS = [
    "姓名",
    "党支部",
    "交纳类别",
    "党费基数（元）",
    "农民每月交纳（元）",
    "每月应交（元）",
    "起始月份",
    "来源",
]


def bases_export(request: HttpRequest) -> FileResponse:
    """The list as filtered on the page, as xlsx (names only: no personal data on fee pages)."""
    _org, _filters_used, rows = _rows(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("党费基数")
    sheet.write_row(0, 0, EXPORT_HEADERS, workbook.add_format({"bold": True}))
    sheet.set_column(1, 1, 24)
    sources = dict(BaseSource.choices)
    for row_no, m in enumerate(rows[:EXPORT_MAX].iterator(chunk_size=1000), start=1):
        due = due_of(m.b_kind, m.b_base, m.b_fixed)
        sheet.write_row(
            row_no,
            0,
            [
                m.name,
                m.org.name,
                KIND_LABELS.get(m.b_kind, "未登记"),
                "" if m.b_base is None else rules.yuan(m.b_base),
                "" if m.b_fixed is None else rules.yuan(m.b_fixed),
                "" if due is None else rules.yuan(due),
                "" if m.b_month is None else f"{m.b_month:%Y-%m}",
                sources.get(m.b_source, ""),
            ],
        )
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"党费基数_{clock.today():%Y%m%d}.xlsx")


def member_fees(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's fee page for staff: base history, a form for a new base (CHANGE), the ledger lines."""
    require_capability(request.user, Capability.VIEW)
    try:
        member = member_get(fetched_by=request.user, pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None
    can_change = request.user.can(Capability.CHANGE, member.org.path)
    if request.method == "POST" and not can_change:
        raise Http404
    current = bases.base_in_force(member, clock.today())
    initial = {"effective_month": f"{clock.today():%Y-%m}"}
    if current is not None:
        initial["kind"] = current.kind
    form = BaseForm(request.POST or None, initial=initial) if can_change else None
    if form is not None:
        done = submit(request, form, lambda **data: bases.set_base(by=request.user, member=member, **data))
        if done is not None:
            note = f"，已重算 {done.lines_updated} 个月的应交金额" if done.lines_updated else ""
            messages.success(request, f"已登记 {member.name} 自 {done.effective_month:%Y年%-m月} 起的党费基数{note}")
            return redirect("fees:member", member.pk)
    history = list(bases.base_history(fetched_by=request.user, member=member))
    lines = list(bases.member_lines(fetched_by=request.user, member=member)[:120])
    for line in lines:
        line.balance = line.paid_fen - line.due_fen
    context = {
        "title": f"{member.name} 的党费",
        "member": member,
        "current": current,
        "history": history,
        "lines": lines,
        "form": form,
        "list_url": reverse("fees:bases"),
        "rounding": rules.ROUNDING_NOTE,
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "fees/base_member.html", context, status=status)


# ── 核定: the yearly re-check as a bulk upload ────────────────────────────────────────────────────────────────

CHECK_TITLE = "党费基数年度核定"
SESSION_KEY = "fees_check_plan"


def _check_org(request: HttpRequest):
    """The user may re-check (CHANGE somewhere); ?org= an org they may change, else 404."""
    require_capability(request.user, Capability.CHANGE)
    org = org_param(request)
    if org is not None and not request.user.can(Capability.CHANGE, org.path):
        raise Http404
    return org


def _org_query(org) -> str:
    return f"?org={org.pk}" if org is not None else ""


def check_download(request: HttpRequest) -> FileResponse:
    """The branch's sheet: a row per member in register the user may re-check."""
    org = _check_org(request)
    buffer = io.BytesIO()
    check.write_sheet(check.sheet_members(by=request.user, org=org), buffer, month=check.default_month())
    buffer.seek(0)
    name = f"党费基数核定_{org.name if org else '全部'}_{clock.today():%Y%m%d}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


def check_page(request: HttpRequest) -> HttpResponse:
    """Download the sheet; upload it filled: the preview lists every change and every problem (row and reason)."""
    org = _check_org(request)
    form = CheckUploadForm(request.POST or None, request.FILES or None, max_bytes=check.MAX_FILE_BYTES)
    context = {"title": CHECK_TITLE, "org": org, "form": form, "org_query": _org_query(org)}
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sheet.xlsx"
            with open(path, "wb") as out:
                for chunk in form.cleaned_data["sheet"].chunks():
                    out.write(chunk)
            try:
                plan = check.plan_rows(by=request.user, org=org, rows=check.read_rows(path))
            except FileRefused as refused:
                plan = check.refused_file(refused)
        token = uuid.uuid4().hex
        if plan.changes and not plan.problems:
            request.session[SESSION_KEY] = {
                "token": token,
                "org": org.pk if org else None,
                "changes": [c.as_session() for c in plan.changes],
            }
        else:
            request.session.pop(SESSION_KEY, None)
        context |= {"plan": plan, "token": token}
        return render(request, "fees/check_preview.html", context, status=200 if not plan.problems else 400)
    status = 400 if form.is_bound and form.errors else 200
    context["month"] = check.default_month()
    return render(request, "fees/check_page.html", context, status=status)


@require_POST
def check_confirm(request: HttpRequest) -> HttpResponse:
    """Write the previewed plan (kept in the session) all or nothing: 已更新 N 人, or every row's reason."""
    org = _check_org(request)
    stored = request.session.get(SESSION_KEY) or {}
    back = reverse("fees:check") + _org_query(org)
    if not stored or stored.get("token") != request.POST.get("token", "") or stored.get("org") != (org and org.pk):
        messages.error(request, "预览已失效，请重新上传核定表")
        return redirect(back)
    changes = [check.Change.from_session(c) for c in stored["changes"]]
    try:
        count = check.apply_plan(by=request.user, org=org, changes=changes)
    except ValidationError as refused:
        request.session.pop(SESSION_KEY, None)
        context = {"title": CHECK_TITLE, "org": org, "org_query": _org_query(org), "errors": refused.messages}
        return render(request, "fees/check_preview.html", context, status=400)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"已更新 {count} 人的党费基数")
    return redirect(reverse("fees:bases") + _org_query(org))
