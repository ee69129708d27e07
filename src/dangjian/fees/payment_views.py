"""The payment pages: one member's payment, a branch's month at once, a branch's payments (reversal, xlsx), the
import of a month's payments. Thin views: each fetches and authorises (404 outside the scope), then hands over to one
service in fees/payments.py."""

import io
import json
import tempfile
import uuid
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.generic import form_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import payment_import, payments, rules
from .payment_forms import IMPORT_COLUMNS, BulkMonthForm, ImportUploadForm, PaymentForm, ReverseForm
from .payment_import import EXPORT_MAX, export_filename, payments_xlsx
from .selectors import parse_month

LIST_TITLE = "党费缴纳记录"
#: The bulk page lists at most this many members (a bigger branch imports its month from a sheet).
BULK_PAGE_MAX = 400


def _changeable_org(request: HttpRequest) -> Organization:
    """?org=: a branch the user may change, else 404."""
    pk = id_param(request, "org")
    if pk is None:
        raise Http404
    try:
        return Organization.objects.changeable_by(request.user).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def _visible_org(request: HttpRequest) -> Organization | None:
    pk = id_param(request, "org")
    if pk is None:
        return None
    try:
        return Organization.objects.visible_to(request.user).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None


def _month(request: HttpRequest):
    """?month= (YYYY-MM; this month when absent); a bad value: this month and the message."""
    try:
        return parse_month(request.GET.get("month")), ""
    except ValueError as refused:
        return parse_month(None), str(refused)


def _list_url(org_id: int, month=None) -> str:
    query = f"?org={org_id}"
    if month is not None:
        query += f"&month={month:%Y-%m}"
    return reverse("fees:payments") + query


def pay_view(request: HttpRequest) -> HttpResponse:
    """One member's payment (?member=<pk>): months owed and ahead, the amount prefilled with what they owe."""
    require_capability(request.user, Capability.CHANGE)
    pk = id_param(request, "member")
    if pk is None:
        raise Http404
    try:
        member = Member.objects.changeable_by(request.user).select_related("org").get(pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None
    options = payments.payable_months(fetched_by=request.user, member=member)
    form = PaymentForm(request.POST or None, options=options, initial={"paid_on": clock.today()})

    def action(**data):
        payment = payments.record_payment(by=request.user, member=member, **data)
        warning = payments.backfill_warning(data["months"])
        if warning:
            messages.warning(request, warning)
        return payment

    backfill = [o.month for o in options if o.backfill]
    intro = f"{member.name}（{member.org.name}）。"
    if backfill:
        intro += f"有超过{rules.BACKFILL_WARN_MONTHS}个月的欠交月份：{payments.backfill_warning(backfill)}。"
    if not options:
        intro += "该党员目前没有可交纳的月份。"
    payment = submit(request, form, action)
    if payment is not None:
        messages.success(
            request, f"已登记 {member.name} 交纳党费 {rules.yuan(payment.amount_fen + payment.extra_fen)} 元"
        )
        return redirect(_list_url(member.org_id, rules.month_first(payment.paid_on)))
    context = {
        "form": form,
        "title": "登记党费",
        "breadcrumbs": [("党费台账", reverse("fees:ledger")), (LIST_TITLE, _list_url(member.org_id))],
        "cancel_url": _list_url(member.org_id),
        "intro": intro,
        "submit_label": "登记缴费",
        "owed_json": json.dumps({o.month.isoformat(): o.owed_fen for o in options}),
    }
    return render(request, "fees/payment_form.html", context, status=400 if form.is_bound and form.errors else 200)


def pay_month_view(request: HttpRequest) -> HttpResponse:
    """A branch's month on one page (?org=&month=): tick 已交清 per member, method and date shared, all or nothing."""
    require_capability(request.user, Capability.CHANGE)
    org = _changeable_org(request)
    month, error = _month(request)
    lines = list(payments.month_lines(fetched_by=request.user, org=org, month=month)[: BULK_PAGE_MAX + 1])
    too_many = len(lines) > BULK_PAGE_MAX
    if too_many:  # two fields a row: Django takes at most 1,000 fields a request
        lines = []
    form = BulkMonthForm(request.POST or None, lines=lines, initial={"paid_on": clock.today()})
    if request.method == "POST" and lines and form.is_valid():
        rows = [payments.MonthRow(member_id, amount) for member_id, amount in form.ticked()]
        try:
            done = payments.record_month_payments(
                by=request.user,
                org=org,
                month=month,
                rows=rows,
                paid_on=form.cleaned_data["paid_on"],
                method=form.cleaned_data["method"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except (ValidationError, PermissionDenied) as refused:
            if hasattr(refused, "error_dict"):
                for key, errors in refused.error_dict.items():
                    if key.startswith("row-"):
                        form.row_errors[key] = [m for e in errors for m in e.messages]
                    else:
                        form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, getattr(refused, "messages", [str(refused)]))
        else:
            messages.success(request, f"已登记 {len(done)} 人 {payments.month_label(month)} 的党费")
            return redirect(reverse("fees:ledger") + f"?org={org.pk}&month={month:%Y-%m}")
    context = {
        "title": f"{org.name} {payments.month_label(month)} 党费登记",
        "org": org,
        "month": month,
        "error": error,
        "form": form,
        "rows": list(form.bound_rows()),
        "has_errors": bool(form.errors or form.row_errors),
        "too_many": too_many,
        "bulk_max": BULK_PAGE_MAX,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "fees/payment_month.html", context, status=status)


def payment_list_view(request: HttpRequest) -> HttpResponse:
    """Payments of the user's scope or one org's subtree (?org=), paid in a month (?month=), newest first."""
    require_capability(request.user, Capability.VIEW)
    org = _visible_org(request)
    month, error = _month(request)
    rows = payments.payment_list(fetched_by=request.user, org=org, month=month)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    for payment in page.object_list:
        payment.can_reverse = (
            payment.reverses_id is None
            and not payment.is_reversed
            and request.user.can(Capability.CHANGE, payment.org.path)
        )
    context = {
        "title": LIST_TITLE,
        "org": org,
        "month": month,
        "error": error,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "can_change": org is not None and request.user.can(Capability.CHANGE, org.path),
    }
    return render(request, "fees/payment_list.html", context)


def payment_export(request: HttpRequest) -> FileResponse:
    """The list as filtered (?org=&month=), as xlsx."""
    require_capability(request.user, Capability.VIEW)
    org = _visible_org(request)
    month, _error = _month(request)
    buffer = io.BytesIO()
    payments_xlsx(payments.payment_list(fetched_by=request.user, org=org, month=month)[:EXPORT_MAX], buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=export_filename(org, month))


def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a payment by a reversing entry: a form asking for the reason."""
    try:
        payment = payments.payment_get(fetched_by=request.user, pk=pk, capability=Capability.CHANGE)
    except payments.Payment.DoesNotExist:
        raise Http404 from None
    form = ReverseForm(request.POST or None)
    back = _list_url(payment.org_id, rules.month_first(payment.paid_on))
    return form_action(
        request,
        form,
        partial(payments.reverse_payment, by=request.user, payment=payment),
        success="已冲正该笔缴费",
        done_url=back,
        title="冲正缴费",
        breadcrumbs=[(LIST_TITLE, back)],
        cancel_url=back,
        intro=(
            f"{payment.member.name} {payment.paid_on:%Y-%m-%d} {payment.get_method_display()} "
            f"{rules.yuan(payment.amount_fen + payment.extra_fen)} 元。冲正将登记一笔金额相反的记录，原记录保留。"
        ),
        submit_label="冲正",
    )


def payment_import_view(request: HttpRequest) -> HttpResponse:
    """Import a month's payments of a branch (?org=) from an xlsx: upload → preview (every error by row, nothing
    written) → confirm (all or nothing)."""
    require_capability(request.user, Capability.CHANGE)
    org = _changeable_org(request)
    confirming = request.method == "POST" and "preview" in request.POST
    form = ImportUploadForm(None if confirming else request.POST or None, request.FILES or None)
    context = {"title": f"{org.name} 导入党费缴纳", "org": org, "form": form, "columns": IMPORT_COLUMNS}
    result = token = None
    problem = ""  # the whole file (or the preview) refused
    try:
        if confirming:
            rows, key = payment_import.unsign_preview(request.POST["preview"], by=request.user, org=org)
            result = payment_import.import_payments(by=request.user, org=org, rows=rows, batch_key=key, dry_run=False)
            if not result.bad:
                messages.success(request, f"已导入 {result.written} 笔党费缴纳")
                return redirect(_list_url(org.pk))
        elif request.method == "POST" and form.is_valid():
            rows = _read_upload(form.cleaned_data["file"])
            key = uuid.uuid4()
            result = payment_import.import_payments(by=request.user, org=org, rows=rows, batch_key=key, dry_run=True)
            if not result.bad:
                token = payment_import.sign_preview(by=request.user, org=org, rows=rows, batch_key=key)
    except payment_import.ImportRefused as refused:
        problem = refused.message
    failed = request.method == "POST" and (problem or (result and result.bad) or (form.is_bound and form.errors))
    status = 400 if failed else 200
    context |= {"result": result, "token": token, "problem": problem}
    return render(request, "fees/payment_import.html", context, status=status)


def _read_upload(upload) -> list:
    payment_import.check_upload(upload)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        return payment_import.read_rows(copy.name)
