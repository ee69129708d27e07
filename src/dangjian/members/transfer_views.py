"""The transfers pages: the list of the user's scope (seen from either end), its xlsx, the printable 介绍信 and the
回执. Thin: the rules are in members/transfers.py."""

import io
from functools import partial

import xlsxwriter
from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.core import clock
from dangjian.core.forms import BootstrapFormMixin, FactDateField
from dangjian.core.generic import form_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability

from . import letters, rules, transfers
from .choices import TransferKind
from .models import Transfer

LIST_TITLE = "组织关系转接"
#: Rows in one export at most (a committee's transfers of many years stay far below).
EXPORT_MAX = 20_000
SORT_LABELS = [("date", "转接日期"), ("name", "党员"), ("valid", "有效期至")]


class ReceiptForm(BootstrapFormMixin, forms.Form):
    received_on = FactDateField(label="回执日期")
    note = forms.CharField(label="说明", max_length=500, required=False, help_text="如：回执由某某党委寄回")


def _filters(request: HttpRequest) -> transfers.TransferFilters:
    return transfers.TransferFilters.from_query(request.GET)


def _query(filters: transfers.TransferFilters, **changes) -> str:
    values = {
        "q": filters.q,
        "kind": filters.kind,
        "state": filters.state,
        "year": filters.year or "",
        "sort": filters.sort,
    } | changes
    return urlencode({k: v for k, v in values.items() if v})


def transfer_list_view(request: HttpRequest) -> HttpResponse:
    """Transfers of the user's scope, either end: kind, letter state (awaiting, expiring, expired, received), year,
    name search, sort and pages."""
    require_capability(request.user, Capability.VIEW)
    filters = _filters(request)
    rows = transfers.transfer_list(fetched_by=request.user, filters=filters)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    user = request.user
    for t in page.object_list:
        t.state_label, t.state_colour = transfers.letter_state(t, today)
        t.member_visible = user.can(Capability.VIEW, t.member.org.path) or t.member.user_id == user.pk
        t.can_receipt = (
            t.kind == TransferKind.OUT and t.receipt_on is None and user.can(Capability.CHANGE, t.member.org.path)
        )
        t.has_letter = t.kind != TransferKind.IN
    sort_links = []
    for key, label in SORT_LABELS:
        desc = filters.sort == f"-{key}"
        arrow = "↓" if desc else ("↑" if filters.sort == key else "")
        sort_links.append((label, _query(filters, sort=key if desc else f"-{key}"), arrow))
    this_year = today.year
    context = {
        "title": LIST_TITLE,
        "filters": filters,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "kinds": TransferKind.choices,
        "states": list(transfers.STATES.items()),
        "years": list(range(this_year, this_year - 10, -1)),
        "sort_links": sort_links,
        "export_query": _query(filters),
        "remind_days": rules.TRANSFER_LETTER_REMIND_DAYS,
        "valid_months": rules.TRANSFER_LETTER_VALID_MONTHS,
    }
    return render(request, "members/transfer_list.html", context)


def transfer_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as xlsx."""
    require_capability(request.user, Capability.VIEW)
    rows = transfers.transfer_list(fetched_by=request.user, filters=_filters(request))[:EXPORT_MAX]
    today = clock.today()
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(LIST_TITLE)
    header = ["转接日期", "类型", "党员", "转出组织", "转入组织", "介绍信编号", "有效期至", "回执日期", "状态", "原因"]
    sheet.write_row(0, 0, header, bold)
    for i, t in enumerate(rows, start=1):
        from_name = t.from_org.name if t.from_org_id else t.external_org
        to_name = t.to_org.name if t.to_org_id else t.external_org
        sheet.write_row(
            i,
            0,
            [
                f"{t.transferred_on:%Y-%m-%d}",
                t.get_kind_display(),
                t.member.name,
                from_name,
                to_name,
                t.letter_number,
                f"{t.letter_valid_until:%Y-%m-%d}" if t.letter_valid_until else "",
                f"{t.receipt_on:%Y-%m-%d}" if t.receipt_on else "",
                transfers.letter_state(t, today)[0],
                t.reason,
            ],
        )
    sheet.set_column(0, 9, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"组织关系转接_{today:%Y%m%d}.xlsx")


def transfer_letter(request: HttpRequest, pk: int) -> FileResponse:
    """The 介绍信 (存根, letter, 回执 slip) of a transfer this system issued, as a PDF."""
    try:
        transfer = (
            Transfer.objects.at_either_end(request.user)
            .exclude(kind=TransferKind.IN)
            .select_related("member__org", "from_org", "to_org", "letter_issuer")
            .get(pk=pk)
        )
    except Transfer.DoesNotExist:
        raise Http404 from None
    pdf = io.BytesIO(letters.render_pdf(request.user, transfer))
    return FileResponse(pdf, content_type="application/pdf", filename=letters.filename(transfer))


def transfer_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """登记回执 of a letter out of the system (the issuing branch's change right)."""
    try:
        transfer = (
            Transfer.objects.changeable_by(request.user)
            .filter(kind=TransferKind.OUT)
            .select_related("member__org")
            .get(pk=pk)
        )
    except Transfer.DoesNotExist:
        raise Http404 from None
    form = ReceiptForm(request.POST or None, initial={"received_on": clock.today()})
    back = reverse("members:detail", args=[transfer.member_id])
    listing = reverse("members:transfers")
    return form_action(
        request,
        form,
        partial(transfers.record_receipt, acting_user=request.user, transfer=transfer),
        success="已登记回执",
        done_url=back,
        title="登记介绍信回执",
        breadcrumbs=[(LIST_TITLE, listing), (transfer.member.name, back)],
        cancel_url=back,
        intro=(
            f"{transfer.member.name}，{transfer.transferred_on:%Y-%m-%d} 转往{transfer.external_org}，"
            f"介绍信 {transfer.letter_number or '（无编号）'}"
            + (f"，有效期至 {transfer.letter_valid_until:%Y-%m-%d}。" if transfer.letter_valid_until else "。")
        ),
        submit_label="登记回执",
    )
