"""出口 pages: the cases of unqualified members (list, xlsx, the flags' candidates, a case with its actions, measure,
documents and closing). Thin views: each fetches and authorises (404 outside the scope), then hands over to one
service in exits.py (or documents.py)."""

import io
from functools import partial

import xlsxwriter
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.generic import form_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import documents, exits
from .case_forms import ActionForm, CaseCreateForm, CaseFilterForm, CloseForm, MeasureForm
from .choices import CaseSource, CaseState, Measure
from .models import CaseAction, Document, ExitCase

LIST_TITLE = "不合格党员处置"
EXPORT_MAX = 20_000
SORTS = {
    "": ("-opened_on", "-id"),
    "opened": ("opened_on", "id"),
    "name": ("member__name_pinyin", "id"),
    "deadline": ("deadline", "-opened_on", "id"),
}


def _filtered(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    form = CaseFilterForm(request.GET)
    cases = exits.case_list(fetched_by=request.user, org=org)
    if state := form.value("state"):
        cases = cases.filter(state=state)
    if source := form.value("source"):
        cases = cases.filter(source=source)
    if q := form.value("q").strip():
        cases = cases.filter(Q(member__name__contains=q) | Q(member__name_pinyin__startswith=q.lower()))
    return org, form, cases.order_by(*SORTS[form.value("sort")])


def case_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org, form, cases = _filtered(request)
    page = Paginator(cases, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": LIST_TITLE,
        "org": org,
        "form": form,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "can_change": request.user.can(Capability.CHANGE),
        "today": clock.today(),
    }
    return render(request, "development/case_list.html", context)


def cases_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    _org, _form, cases = _filtered(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("不合格党员处置")
    bold = workbook.add_format({"bold": True})
    headers = ["党员", "党支部", "线索来源", "线索说明", "立案日期", "处置方式", "改正期限", "状态", "处理结果",
               "结案日期", "决定内容"]  # fmt: skip
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, 1, 16)
    for number, case in enumerate(cases[:EXPORT_MAX], start=1):
        row = [
            case.member.name,
            case.org.name,
            case.get_source_display(),
            case.source_note,
            case.opened_on.isoformat(),
            case.get_measure_display(),
            case.deadline.isoformat() if case.deadline else "",
            case.get_state_display(),
            case.get_outcome_display(),
            case.closed_on.isoformat() if case.closed_on else "",
            case.decision,
        ]
        sheet.write_row(number, 0, row)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"不合格党员处置_{clock.today():%Y%m%d}.xlsx")


def candidates(request: HttpRequest) -> HttpResponse:
    """Members the flags propose for review, each with a 立案 button (a person decides)."""
    require_capability(request.user, Capability.VIEW)
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    rows = exits.candidates(request.user, org)
    for row in rows:
        row.can_open = request.user.can(Capability.CHANGE, row.member.org.path)
    context = {"title": "待核实的党员", "org": org, "rows": rows}
    return render(request, "development/case_candidates.html", context)


def case_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    member = row_param(request, "member", Member.objects.changeable_by(request.user))
    source = request.GET.get("source", "")
    initial = {"opened_on": clock.today(), "source": source if source in CaseSource.values else CaseSource.MANUAL}
    if member is not None:
        initial["member"] = member.pk
    form = CaseCreateForm(request.POST or None, user=request.user, member=member, initial=initial)
    back = reverse("development:cases")
    return form_action(
        request,
        form,
        partial(exits.open_case, by=request.user),
        success=lambda case: f"已对 {case.member.name} 立案处置",
        done_url=lambda case: reverse("development:case", args=[case.pk]),
        title="立案处置",
        breadcrumbs=[(LIST_TITLE, back)],
        cancel_url=back,
        intro="立案只是开始核实和教育的程序，不改变党员的党籍状态；结案时由支部作出决定。",
        submit_label="立案",
    )


def _case(request: HttpRequest, pk: int, capability: str = Capability.VIEW) -> ExitCase:
    cases = ExitCase.objects.visible_to(request.user)
    if capability == Capability.CHANGE:
        cases = ExitCase.objects.changeable_by(request.user)
    return get_object_or_404(cases.select_related("member", "org", "opened_by"), pk=pk)


class UploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="材料文件")


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    can_change = case.state == CaseState.OPEN and request.user.can(Capability.CHANGE, case.org.path)
    context = {
        "title": f"{case.member.name} 不合格党员处置",
        "case": case,
        "actions": CaseAction.objects.visible_to(request.user).filter(case=case).select_related("recorded_by"),
        "documents": Document.objects.visible_to(request.user).filter(case=case).select_related("uploaded_by"),
        "can_change": can_change,
        "can_upload": request.user.can(Capability.CHANGE, case.org.path),
        "action_form": ActionForm(initial={"done_on": clock.today()}) if can_change else None,
        "measure_form": (
            MeasureForm(
                version_of=case, initial={"measure": case.measure or Measure.CORRECTION, "deadline": case.deadline}
            )
            if can_change
            else None
        ),
        "upload_form": UploadForm(),
    }
    return render(request, "development/case_detail.html", context)


def _case_url(case: ExitCase) -> str:
    return reverse("development:case", args=[case.pk])


def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, Capability.CHANGE)
    form = ActionForm(request.POST or None, initial={"done_on": clock.today()})
    back = _case_url(case)
    return form_action(
        request,
        form,
        partial(exits.add_action, by=request.user, case=case),
        success="已登记处置过程",
        done_url=back,
        title="登记处置过程",
        breadcrumbs=[(LIST_TITLE, reverse("development:cases")), (case.member.name, back)],
        cancel_url=back,
    )


def case_measure(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, Capability.CHANGE)
    form = MeasureForm(
        request.POST or None, version_of=case, initial={"measure": case.measure, "deadline": case.deadline}
    )
    back = _case_url(case)
    return form_action(
        request,
        form,
        partial(exits.set_measure, by=request.user, case=case),
        success="已确定处置方式",
        done_url=back,
        title="确定处置方式",
        breadcrumbs=[(LIST_TITLE, reverse("development:cases")), (case.member.name, back)],
        cancel_url=back,
    )


def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The closing form (GET) and its confirmation (POST): 劝退, 除名, 自行脱党 take the member off the register."""
    case = _case(request, pk, Capability.CHANGE)
    form = CloseForm(request.POST or None, version_of=case, initial={"closed_on": clock.today()})
    back = _case_url(case)
    measure = case.get_measure_display() or "未确定"
    return form_action(
        request,
        form,
        partial(exits.close_case, by=request.user, case=case),
        success=lambda closed: f"已结案：{closed.get_outcome_display()}",
        done_url=back,
        title="结案",
        breadcrumbs=[(LIST_TITLE, reverse("development:cases")), (case.member.name, back)],
        cancel_url=back,
        intro=(
            f"{case.member.name}（{case.org.name}），处置方式：{measure}。结案为劝退、除名或自行脱党时，"
            "该党员的党籍状态将变为“出党”，并记入状态变更历史。此操作需要支部大会决定和上级党组织批准，请确认后提交。"
        ),
        submit_label="确认结案",
    )


@require_POST
def case_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, Capability.CHANGE)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            documents.add_document(by=request.user, file=form.cleaned_data["file"], case=case)
        except (ValidationError, PermissionDenied) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            messages.success(request, "已上传材料")
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect(_case_url(case))
