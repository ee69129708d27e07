"""Pages of the 首问负责 register: the list (+ xlsx, phone masked), recording a request (on a phone), one request with
its chain and the hand-on / close forms, statistics per department and per person (+ xlsx), and 我经办的."""

import io
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param, row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.selectors import visible_org_or_404

from . import inquiries
from .choices import Channel, InquiryState, Satisfaction
from .inquiry_forms import CloseForm, HandOnForm, InquiryForm
from .models import Inquiry

LIST_TITLE = "首问负责登记"
EXPORT_MAX = 10_000
SEARCH_MAX = 50
ERR_DAY = "日期格式应为 YYYY-MM-DD"


def _day(request: HttpRequest, name: str) -> tuple[date | None, str]:
    value = request.GET.get(name, "").strip()[:10]
    if not value:
        return None, ""
    try:
        return date.fromisoformat(value), ""
    except ValueError:
        return None, ERR_DAY


def _filters(request: HttpRequest) -> tuple[inquiries.Filters, str]:
    org = visible_org_or_404(request.user, id_param(request, "org"))
    since, e1 = _day(request, "since")
    until, e2 = _day(request, "until")
    holder = row_param(request, "holder", Member.objects.visible_to(request.user))
    f = inquiries.Filters(
        state=request.GET.get("state", "") if request.GET.get("state", "") in InquiryState.values else "",
        channel=request.GET.get("channel", "") if request.GET.get("channel", "") in Channel.values else "",
        org=org,
        overdue=request.GET.get("overdue") == "1",
        since=since,
        until=until,
        holder=holder,
        q=request.GET.get("q", "").strip()[:SEARCH_MAX],
        sort=request.GET.get("sort", "-asked") if request.GET.get("sort") in inquiries.SORTS else "-asked",
    )
    return f, e1 or e2


def _rows_shown(user, rows) -> None:
    today = clock.today()
    for r in rows:
        r.phone_shown = inquiries.phone_shown(user, r)
        r.overdue = r.state == InquiryState.OPEN and r.due_on < today


def inquiry_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    f, error = _filters(request)
    rows = inquiries.register(fetched_by=request.user, filters=f)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    _rows_shown(request.user, page.object_list)
    context = {
        "title": LIST_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "f": f,
        "error": error,
        "states": InquiryState.choices,
        "channels": Channel.choices,
        "sorts": [
            ("-asked", "受理时间（新→旧）"),
            ("asked", "受理时间（旧→新）"),
            ("due", "办结时限（近→远）"),
            ("-due", "办结时限（远→近）"),
        ],
        "query": request.GET.urlencode(),
        "can_record": inquiries.can_record(request.user),
        "tab": "inquiries",
    }
    return render(request, "voice/inquiry_list.html", context)


def _xlsx(sheet_name: str, heads: list[str], lines, filename: str) -> FileResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, heads, bold)
    for n, values in enumerate(lines, start=1):
        sheet.write_row(n, 0, values)
    sheet.set_column(0, len(heads) - 1, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{filename}_{clock.today():%Y%m%d}.xlsx")


def inquiry_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as xlsx; the asker's phone masked as on the page."""
    require_capability(request.user, Capability.VIEW)
    f, _error = _filters(request)
    rows = list(inquiries.register(fetched_by=request.user, filters=f)[:EXPORT_MAX])
    _rows_shown(request.user, rows)
    heads = [
        "受理时间",
        "来访/来电人",
        "联系电话",
        "渠道",
        "事项",
        "首问责任人",
        "首问部门",
        "当前经办人",
        "当前经办部门",
    ]
    heads += ["办结时限", "状态", "超期", "办结时间", "办理结果", "满意度"]
    lines = (
        [
            f"{r.asked_at:%Y-%m-%d %H:%M}",
            r.asker,
            r.phone_shown,
            r.get_channel_display(),
            r.content,
            r.first_person.name,
            r.org.name,
            r.holder.name,
            r.holder_org.name,
            r.due_on.isoformat(),
            r.get_state_display(),
            "是" if r.overdue else "",
            f"{r.closed_at:%Y-%m-%d %H:%M}" if r.closed_at else "",
            r.result,
            r.get_satisfaction_display(),
        ]
        for r in rows
    )
    return _xlsx("首问负责登记", heads, lines, "首问负责登记")


def inquiry_create(request: HttpRequest) -> HttpResponse:
    """首问登记 by the first person asked (anyone with a Member record) or, for a member of their scope, by staff."""
    if not inquiries.can_record(request.user):
        raise Http404
    form = InquiryForm(request.POST or None, user=request.user)

    def action(**data):
        return inquiries.record_inquiry(by=request.user, **data)

    return form_action(
        request,
        form,
        action,
        success="已登记首问事项",
        done_url=lambda inquiry: reverse("voice:inquiry", args=[inquiry.pk]),
        title="首问登记",
        breadcrumbs=[("我经办的", reverse("voice:my_inquiries")), ("首问登记", "")],
        cancel_url=reverse("voice:my_inquiries"),
        submit_label="登记",
    )


def _visible(request: HttpRequest, pk: int) -> Inquiry:
    try:
        return inquiries.inquiry_with_chain(fetched_by=request.user, pk=pk)
    except Inquiry.DoesNotExist:
        raise Http404 from None


def _detail(request: HttpRequest, inquiry: Inquiry, hand_form=None, close_form=None) -> HttpResponse:
    user = request.user
    can_act = inquiry.state == InquiryState.OPEN and inquiries.may_act(user, inquiry)
    if can_act:
        hand_form = hand_form or HandOnForm(user=user, inquiry=inquiry)
        close_form = close_form or CloseForm(version_of=inquiry)
    today = clock.today()
    for link in inquiry.chain:
        link.overdue = False
    if inquiry.chain and inquiry.state == InquiryState.OPEN and inquiry.chain[-1].due_on < today:
        inquiry.chain[-1].overdue = True
    bound = [f for f in (hand_form, close_form) if f is not None and f.is_bound and f.errors]
    refused = [] if can_act else [e for f in bound for errors in f.errors.values() for e in errors]
    context = {
        "title": f"首问事项：{inquiry}",
        "i": inquiry,
        "phone": inquiries.phone_shown(user, inquiry),
        "overdue": inquiry.state == InquiryState.OPEN and inquiry.due_on < today,
        "hand_form": hand_form if can_act else None,
        "close_form": close_form if can_act else None,
        "refused": refused,
        "sees_list": user.can(Capability.VIEW),
    }
    return render(request, "voice/inquiry_detail.html", context, status=400 if bound else 200)


def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@require_POST
def inquiry_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _visible(request, pk)
    if not inquiries.may_act(request.user, inquiry):
        raise Http404
    form = HandOnForm(request.POST, user=request.user, inquiry=inquiry)

    def action(**data):
        return inquiries.hand_on(by=request.user, inquiry=inquiry, **data)

    done = submit(request, form, action)
    if done is None:
        return _detail(request, _visible(request, pk), hand_form=form)
    messages.success(request, f"已移交给 {done.to_member.name}（{done.to_org.name}），办理时限 {done.due_on:%Y-%m-%d}")
    return redirect(reverse("voice:inquiry", args=[pk]))


@require_POST
def inquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _visible(request, pk)
    if not inquiries.may_act(request.user, inquiry):
        raise Http404
    form = CloseForm(request.POST, version_of=inquiry)

    def action(**data):
        return inquiries.close_inquiry(by=request.user, inquiry=inquiry, **data)

    done = submit(request, form, action)
    if done is None:
        return _detail(request, _visible(request, pk), close_form=form)
    messages.success(request, "已办结")
    return redirect(reverse("voice:inquiry", args=[pk]))


def _stats(request: HttpRequest):
    org = visible_org_or_404(request.user, id_param(request, "org"))
    since, e1 = _day(request, "since")
    until, e2 = _day(request, "until")
    by_org = inquiries.stats_by_org(fetched_by=request.user, root=org, since=since, until=until)
    by_person = inquiries.stats_by_person(fetched_by=request.user, root=org, since=since, until=until)
    return {"org": org, "since": since, "until": until, "error": e1 or e2}, by_org, by_person


def inquiry_stats(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    filters, by_org, by_person = _stats(request)
    context = {
        "title": "首问负责统计",
        "filters": filters,
        "by_org": by_org,
        "by_person": by_person,
        "satisfactions": Satisfaction.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/inquiry_stats.html", context)


def _figure_cells(f: inquiries.Figures) -> list:
    pct = f.on_time_percent
    sat = f.satisfied_percent
    cells = [f.received, f.handed_on, f.closed, f.on_time, "" if pct is None else f"{pct}%", f.open, f.overdue]
    return cells + [f.satisfaction[s] for s in Satisfaction.values] + ["" if sat is None else f"{sat}%"]


FIGURE_HEADS = ["首问受理", "移交", "办结", "按时办结", "按时办结率", "在办", "超期", "满意", "基本满意", "不满意"]
FIGURE_HEADS += ["满意率"]


def inquiry_stats_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    _filters_, by_org, by_person = _stats(request)
    lines = [["部门", org.name, *_figure_cells(f)] for org, f in by_org]
    lines += [["个人", f"{m.name}（{m.org.name}）", *_figure_cells(f)] for m, f in by_person]
    return _xlsx("首问负责统计", ["类别", "名称", *FIGURE_HEADS], lines, "首问负责统计")


def my_inquiries(request: HttpRequest) -> HttpResponse:
    """我经办的: what the user holds (a member reaches it from the home panel)."""
    if not request.user.is_authenticated:
        raise Http404
    rows = inquiries.held_by(request.user)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    _rows_shown(request.user, page.object_list)
    context = {
        "title": "我经办的首问事项",
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "may_record": inquiries.own_member(request.user) is not None or request.user.can(Capability.CHANGE),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/inquiry_mine.html", context)
