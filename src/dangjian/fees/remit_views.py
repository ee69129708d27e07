"""上缴 pages: a branch's remittances (the form, prefilled with what it collected and has not yet remitted for the
month; the list with reversal; the xlsx), each handing over to one service (fees.remittances)."""

import io
import uuid
from functools import partial

import xlsxwriter
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.forms import BootstrapFormMixin, FactDateField
from dangjian.core.generic import form_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind

from . import remittances, rules
from .models import LedgerLine, Remittance
from .selectors import parse_month
from .views import org_param, pick_branch

#: Rows of one xlsx export of a branch's remittances.
EXPORT_MAX = 10_000


class MonthField(forms.Field):
    """ "2026-03" (an <input type=month>) → date(2026, 3, 1)."""

    widget = forms.TextInput(attrs={"type": "month", "maxlength": 7})

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as refused:
            raise forms.ValidationError(str(refused)) from None


class RemittanceForm(BootstrapFormMixin, forms.Form):
    month = MonthField(label="所属月份")
    amount_fen = forms.CharField(label="上缴金额（元）", max_length=20)
    remitted_on = FactDateField(label="上缴日期")
    reference = forms.CharField(label="凭证/流水号", max_length=remittances.REFERENCE_MAX, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_amount_fen(self) -> int:
        try:
            return rules.yuan_to_fen(self.cleaned_data["amount_fen"])
        except ValueError as refused:
            raise forms.ValidationError(str(refused)) from None


class ReverseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="冲正原因", max_length=remittances.REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


def _branch(request: HttpRequest):
    """?org=: a branch the user sees (404 otherwise, and when absent)."""
    org = org_param(request)
    if org is None or org.kind != OrgKind.BRANCH:
        raise Http404
    return org


def open_amount(*, fetched_by, org, month) -> int:
    """Collected − remitted for the branch's month (what the form proposes), never below 0: two aggregates."""
    collected = LedgerLine.objects.visible_to(fetched_by).filter(org=org, month=month).aggregate(s=Sum("paid_fen"))
    remitted = Remittance.objects.visible_to(fetched_by).filter(org=org, month=month).aggregate(s=Sum("amount_fen"))
    return max((collected["s"] or 0) - (remitted["s"] or 0), 0)


def remit_view(request: HttpRequest) -> HttpResponse:
    """A branch's remittances, and the form to record one (for those who may change the branch)."""
    require_capability(request.user, Capability.VIEW)
    if not request.GET.get("org"):
        return pick_branch(request, "党费上缴")
    org = _branch(request)
    can_change = request.user.can(Capability.CHANGE, org.path)
    if request.method == "POST" and not can_change:
        raise Http404
    form = None
    if can_change:
        today = clock.today()
        try:
            month = parse_month(request.GET.get("month"), rules.add_months(rules.month_first(today), -1))
        except ValueError:
            month = rules.add_months(rules.month_first(today), -1)
        initial = {
            "month": f"{month:%Y-%m}",
            "amount_fen": rules.yuan(open_amount(fetched_by=request.user, org=org, month=month)),
            "remitted_on": today,
            "submission_key": uuid.uuid4(),
        }
        form = RemittanceForm(request.POST or None, initial=initial)
        done = submit(request, form, partial(remittances.record_remittance, by=request.user, org=org))
        if done is not None:
            messages.success(request, f"已登记 {done.month:%Y年%m月} 上缴 {rules.yuan(done.amount_fen)} 元")
            return redirect(f"{reverse('fees:remit')}?org={org.pk}")
    rows = (
        Remittance.objects.visible_to(request.user)
        .filter(org=org)
        .select_related("recorded_by", "reverses")
        .order_by("-month", "-id")
    )
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    reversed_ids = set(
        Remittance.objects.visible_to(request.user)
        .filter(org=org, reverses_id__in=[r.pk for r in page.object_list])
        .values_list("reverses_id", flat=True)
    )
    context = {
        "title": "党费上缴",
        "org": org,
        "form": form,
        "page": page,
        "reversed_ids": reversed_ids,
        "can_change": can_change,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
    }
    return render(request, "fees/remit_list.html", context, status=400 if form and form.is_bound else 200)


def remit_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse one remittance, with a reason (the form; its POST runs the service)."""
    remittance = get_object_or_404(Remittance.objects.changeable_by(request.user).select_related("org"), pk=pk)
    back = f"{reverse('fees:remit')}?org={remittance.org_id}"
    return form_action(
        request,
        ReverseForm(request.POST or None),
        partial(remittances.reverse_remittance, by=request.user, remittance=remittance),
        success="已冲正该上缴记录",
        done_url=back,
        title=f"冲正上缴：{remittance.month:%Y年%m月} {rules.yuan(remittance.amount_fen)} 元",
        breadcrumbs=[("党费上缴", back)],
        cancel_url=back,
        intro="冲正会登记一条金额相反的记录并保留原记录，不能撤销。",
        submit_label="冲正",
    )


def remit_export(request: HttpRequest) -> FileResponse:
    """The branch's remittances as xlsx."""
    require_capability(request.user, Capability.VIEW)
    org = _branch(request)
    rows = (
        Remittance.objects.visible_to(request.user)
        .filter(org=org)
        .select_related("recorded_by")
        .order_by("-month", "-id")[:EXPORT_MAX]
    )
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    sheet = workbook.add_worksheet("党费上缴")
    sheet.write_row(0, 0, ["党支部", "所属月份", "金额（元）", "上缴日期", "凭证/流水号", "冲正原因", "登记人"], bold)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [org.name, f"{r.month:%Y-%m}"])
        sheet.write_number(i, 2, r.amount_fen / 100, money)  # a cell's number (xlsx keeps doubles): whole fen / 100
        who = (r.recorded_by.full_name or r.recorded_by.username) if r.recorded_by else ""
        sheet.write_row(i, 3, [r.remitted_on.isoformat(), r.reference, r.reason, who])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 6, 14)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"党费上缴_{org.name}.xlsx")
