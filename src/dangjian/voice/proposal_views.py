"""党员提案's pages (thin: proposals.py decides): 我的提案 with the submit form (a member, on a phone), the reviewers'
and handlers' list with filters, search, sort, paging and xlsx, one proposal with its timeline and the forms of the
moves the user may make, the public list of adopted proposals, the yearly statistics (and xlsx)."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.forms import LongSelect
from dangjian.core.generic import form_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.storage import private_download
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import visible_org_or_404

from . import proposals, rules
from .choices import ProposalCategory, ProposalState
from .consultation_forms import FindingProblemForm
from .models import Proposal, ProposalFile
from .proposal_forms import FORMS, ProposalForm

LIST_TITLE = "党员提案"
EXPORT_MAX = 10_000
SEARCH_MAX = 50
NO_MEMBER = "您的账号未关联党员信息，不能提交党员提案"


def _year(request: HttpRequest, default: int | None = None) -> int | None:
    value = request.GET.get("year", "").strip()
    if value.isascii() and value.isdigit() and len(value) == 4 and proposals.YEAR_MIN <= int(value) <= 2100:
        return int(value)
    return default


def _years() -> list[int]:
    this = clock.today().year
    return list(range(this, max(this - 9, proposals.YEAR_MIN) - 1, -1))


def _org_select(user, name: str, chosen: Organization | None, blank: str) -> str:
    orgs = (
        Organization.objects.visible_to(user)
        .filter(dissolved_on__isnull=True)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
        .values_list("pk", "name")
    )
    widget = LongSelect(
        attrs={"class": "form-select form-select-sm", "aria-label": blank}, choices=[("", blank), *orgs]
    )
    return widget.render(name, chosen.pk if chosen else "")


def _filters(request: HttpRequest) -> proposals.Filters:
    user = request.user
    state = request.GET.get("state", "")
    category = request.GET.get("category", "")
    sort = request.GET.get("sort", "")
    return proposals.Filters(
        state=state if state in ProposalState.values else "",
        category=category if category in ProposalCategory.values else "",
        year=_year(request),
        org=visible_org_or_404(user, id_param(request, "org")),
        handler=visible_org_or_404(user, id_param(request, "handler")),
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "").strip()[:SEARCH_MAX],
        sort=sort if sort in proposals.SORTS else "-submitted_on",
    )


def proposal_list(request: HttpRequest) -> HttpResponse:
    """The proposals of the user's scope and those their orgs handle."""
    require_capability(request.user, Capability.VIEW)
    filters = _filters(request)
    rows = proposals.proposals_of(fetched_by=request.user, filters=filters)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    for p in page.object_list:
        p.overdue = proposals.is_overdue(p, today)
    context = {
        "title": LIST_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "filters": filters,
        "states": ProposalState.choices,
        "categories": ProposalCategory.choices,
        "sorts": proposals.SORT_LABELS.items(),
        "years": _years(),
        "org_select": _org_select(request.user, "org", filters.org, "全部党组织"),
        "handler_select": _org_select(request.user, "handler", filters.handler, "全部承办单位"),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/proposal_list.html", context)


def _xlsx(title: str, heads: list[str], lines, filename: str) -> FileResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(title)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, heads, bold)
    for line, values in enumerate(lines, start=1):
        sheet.write_row(line, 0, ["" if v is None else v for v in values])
    sheet.set_column(0, len(heads) - 1, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{filename}_{clock.today():%Y%m%d}.xlsx")


def _day(d) -> str:
    return d.isoformat() if d else ""


def proposal_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as xlsx (no personal data beyond the proposer's name, which the list shows too)."""
    require_capability(request.user, Capability.VIEW)
    rows = proposals.proposals_of(fetched_by=request.user, filters=_filters(request))
    heads = [
        "编号",
        "标题",
        "类别",
        "提案人",
        "所在党组织",
        "提交日期",
        "状态",
        "承办单位",
        "办理时限",
        "答复日期",
        "评价",
    ]
    lines = (
        [
            p.pk,
            p.title,
            p.get_category_display(),
            p.proposer.name,
            p.org.name,
            _day(p.submitted_on),
            p.get_state_display(),
            p.handler_org.name if p.handler_org else "",
            _day(p.deadline),
            _day(p.replied_on),
            p.get_rating_display(),
        ]
        for p in rows[:EXPORT_MAX]
    )
    return _xlsx("党员提案", heads, lines, "党员提案")


def _visible(request: HttpRequest, pk: int) -> Proposal:
    try:
        return proposals.proposal_get(fetched_by=request.user, pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


def _handler_orgs(user) -> list:
    return list(
        Organization.objects.visible_to(user)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "name")
    )


def _move_form(user, proposal: Proposal, name: str, data=None):
    form_class = FORMS[name]
    kwargs = {"version_of": proposal}
    if name == "assign":
        kwargs["orgs"] = _handler_orgs(user)
    if name == "merge":
        kwargs["candidates"] = proposals.merge_candidates(user, proposal)
    return form_class(data, prefix=name, **kwargs)


def _detail(request: HttpRequest, proposal: Proposal, bound=None) -> HttpResponse:
    user = request.user
    names = proposals.moves_for(user, proposal)
    forms = [bound if bound is not None and bound.move == n else _move_form(user, proposal, n) for n in names]
    context = {
        "title": proposal.title,
        "p": proposal,
        "files": proposals.files_of(user, proposal),
        "events": proposals.events_of(user, proposal),
        "move_labels": {n: m.label for n, m in rules.MOVES.items()} | {"submit": "提交"},
        "forms": forms,
        "overdue": proposals.is_overdue(proposal),
        "may_list_problem": proposals.may_list_problem(user, proposal),
        "own": proposal.proposer.user_id == user.pk,
        "sees_list": user.can(Capability.VIEW),
        "refused": [] if bound is None or bound.move in names else [e for es in bound.errors.values() for e in es],
    }
    status = 400 if bound is not None and bound.errors else 200
    return render(request, "voice/proposal_detail.html", context, status=status)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@require_POST
def proposal_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One move from the proposal's page: only who plays a part on it (anyone else: 404); the service decides."""
    proposal = _visible(request, pk)
    if name not in FORMS or not proposals.actors_of(request.user, proposal):
        raise Http404
    form = _move_form(request.user, proposal, name, request.POST)

    def action(version=None, **data):
        return proposals.move(request.user, proposal, name, data, version)

    done = submit(request, form, action)
    if done is None:
        return _detail(request, proposals.proposal_get(fetched_by=request.user, pk=pk), form)
    messages.success(request, f"已{rules.MOVES[name].label}：{done.title}（{done.get_state_display()}）")
    return redirect(reverse("voice:proposal", args=[done.pk]))


def proposal_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """列入问题清单: an adopted proposal as a problem of the org that handles it (who may change that org)."""
    proposal = _visible(request, pk)
    if not proposals.may_list_problem(request.user, proposal):
        raise Http404
    org = proposals.problem_org(proposal)
    url = reverse("voice:proposal", args=[proposal.pk])
    form = FindingProblemForm(request.POST or None, org=org, initial={"description": proposal.title})
    return form_action(
        request,
        form,
        lambda **data: proposals.to_problem(by=request.user, proposal=proposal, **data),
        success=lambda p: "已列入问题清单",
        done_url=lambda p: reverse("voice:problem", args=[p.pk]),
        title="提案列入问题清单",
        breadcrumbs=[("党员提案", reverse("voice:proposals")), (proposal.title, url)],
        cancel_url=url,
        intro=f"{org.name}：{proposal.title}",
    )


def proposal_file(request: HttpRequest, pk: int) -> FileResponse:
    row = ProposalFile.objects.visible_to(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    suffix = row.name.rsplit(".", 1)[-1].lower() if "." in row.name else ""
    content_type = next(
        (v[1] for s, v in proposals.FILE_SUFFIXES.items() if s == f".{suffix}"), "application/octet-stream"
    )
    return private_download(row.file, row.name, content_type)


# --- a member's own ------------------------------------------------------------------------------------------------


def _own_member(user):
    return getattr(user, "member", None) if user.is_authenticated else None


def my_proposals(request: HttpRequest) -> HttpResponse:
    """我的提案: the member's proposals with their state, and the form to submit one."""
    member = _own_member(request.user)
    rows = list(proposals.own_proposals(request.user)[:200]) if member is not None else []
    context = {
        "title": "我的提案",
        "member": member,
        "no_member": NO_MEMBER,
        "rows": rows,
        "form": ProposalForm() if member is not None else None,
    }
    return render(request, "voice/proposal_mine.html", context)


def proposal_create(request: HttpRequest) -> HttpResponse:
    """提交党员提案 (the phone form); the member's branch reviews it."""
    member = _own_member(request.user)
    if member is None:
        return render(request, "voice/proposal_mine.html", {"title": "提交提案", "no_member": NO_MEMBER})
    form = ProposalForm(request.POST or None, request.FILES or None)

    def action(**data):
        try:
            return proposals.submit(by=request.user, **data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict") and "file" in refused.error_dict:
                refused.error_dict["files"] = refused.error_dict.pop("file")
            raise

    done = submit(request, form, action)
    if done is not None:
        messages.success(request, f"已提交提案：{done.title}，待所在党组织审查")
        return redirect(reverse("voice:proposal", args=[done.pk]))
    context = {"title": "提交提案", "form": form, "member": member}
    return render(request, "voice/proposal_form.html", context, status=400 if form.is_bound and form.errors else 200)


# --- public, statistics --------------------------------------------------------------------------------------------


def proposals_public(request: HttpRequest) -> HttpResponse:
    """已立案提案公开: the adopted proposals of the organ, for every logged-in user (no proposer's name)."""
    category = request.GET.get("category", "")
    category = category if category in ProposalCategory.values else ""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    year = _year(request)
    rows = proposals.public_proposals(request.user, year=year, category=category, q=q)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": "已立案提案公开",
        "page": page,
        "categories": ProposalCategory.choices,
        "years": _years(),
        "filters": {"category": category, "q": q, "year": year},
    }
    return render(request, "voice/proposal_public.html", context)


def _stats(request: HttpRequest) -> dict:
    require_capability(request.user, Capability.VIEW)
    org = visible_org_or_404(request.user, id_param(request, "org"))
    year = _year(request, clock.today().year)
    return proposals.statistics(request.user, year, org) | {"org": org}


def proposal_stats(request: HttpRequest) -> HttpResponse:
    figures = _stats(request)
    context = {
        "title": f"{figures['year']}年党员提案统计",
        "f": figures,
        "years": _years(),
        "org_select": _org_select(request.user, "org", figures["org"], "全部党组织"),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/proposal_stats.html", context)


def proposal_stats_export(request: HttpRequest) -> FileResponse:
    f = _stats(request)
    heads = ["分组", "提交", "已审查", "立案", "立案率%", "已答复", "按期答复", "按期率%", "超期未办"]

    def line(r):
        return [r["label"], r["total"], r["decided"], r["adopted"], r["adoption"], r["replied"], r["in_time"]] + [
            r["timeliness"],
            r["overdue"],
        ]

    lines = [line(r) for r in f["categories"]] + [line(f["total"])] + [[]] + [line(r) for r in f["orgs"]]
    lines += [[]] + [line(r) for r in f["handlers"]]
    lines += [[]] + [[s["label"], s["n"], s["rate"]] for s in f["satisfaction"]]
    return _xlsx(f"{f['year']}年提案统计", heads, lines, f"{f['year']}年党员提案统计")
