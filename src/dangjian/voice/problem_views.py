"""问题清单: the list (filters, search, sort, xlsx), new and edit, one problem with its 整改 moves, the summary per
org. An owner who is a plain member sees the problems they own (Problem.own_records). Thin: problems.py."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, post_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.study.central_views import xlsx

from . import problems
from .choices import ProblemSource, ProblemState
from .consultation_views import _create_org, org_select
from .models import Consultation, Problem
from .problem_forms import FinishForm, ProblemForm

TITLE = "问题清单"
EXPORT_MAX = 10_000
SORT_LABELS = [("deadline", "按整改时限"), ("-deadline", "时限由远到近"), ("org", "按组织"), ("-created", "最新登记")]
HEADER = ["年度", "组织", "来源", "问题描述", "整改措施", "责任人", "整改时限", "状态", "是否逾期", "完成日期"]


def _year(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    low, high = problems.year_bounds()
    if value.isascii() and value.isdigit() and len(value) == 4 and low <= int(value) <= high:
        return int(value)
    return None


def _filtered(request: HttpRequest):
    user = request.user
    org = row_param(request, "org", Organization.objects.visible_to(user))
    owner = row_param(request, "owner", Member.objects.visible_to(user))
    state = request.GET.get("state", "")
    source = request.GET.get("source", "")
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    sort = request.GET.get("sort", "")
    filters = {
        "org": org,
        "owner": owner,
        "year": _year(request),
        "state": state if state in ProblemState.values else "",
        "source": source if source in ProblemSource.values else "",
        "overdue": overdue,
        "q": request.GET.get("q", "")[:50],
        "sort": sort if sort in problems.SORTS else "",
    }
    return problems.problems_of(fetched_by=user, **filters), filters


def problem_list(request: HttpRequest) -> HttpResponse:
    """Staff: their scope's problems; a member: the ones they own (an empty list if none)."""
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    low, high = problems.year_bounds()
    context = {
        "title": TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "states": ProblemState.choices,
        "sources": ProblemSource.choices,
        "sorts": [
            ("deadline", "按整改时限"),
            ("-deadline", "时限由远到近"),
            ("org", "按组织"),
            ("-created", "最新登记"),
        ],
        "years": list(range(high, max(low, high - 10) - 1, -1)),
        "org_select": org_select(request.user, filters["org"]) if request.user.can(Capability.VIEW) else "",
        "can_add": request.user.can(Capability.CHANGE),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/problem_list.html", context)


def problem_export(request: HttpRequest) -> FileResponse:
    rows, _filters = _filtered(request)
    header = [
        "年度",
        "组织",
        "来源",
        "问题描述",
        "整改措施",
        "责任人",
        "整改时限",
        "状态",
        "是否逾期",
        "完成日期",
        "整改结果",
    ]
    lines = [
        [
            p.year,
            p.org.name,
            p.get_source_display(),
            p.description,
            p.measure,
            p.owner.name,
            p.deadline.isoformat(),
            p.get_state_display(),
            "逾期" if p.overdue else "",
            p.done_on.isoformat() if p.done_on else "",
            p.result,
        ]
        for p in rows[:EXPORT_MAX]
    ]
    buffer = xlsx(TITLE, header, lines, widths={3: 40, 4: 40, 10: 40})
    return FileResponse(buffer, as_attachment=True, filename=f"问题清单_{clock.today():%Y%m%d}.xlsx")


def problem_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org = _create_org(request)
    form = ProblemForm(request.POST or None, user=request.user, org=org)
    return form_action(
        request,
        form,
        lambda **data: problems.create_problem(by=request.user, org=org, **data),
        success="已登记问题",
        done_url=lambda p: reverse("voice:problem", args=[p.pk]),
        title=f"登记问题：{org.name}",
        breadcrumbs=[(TITLE, reverse("voice:problems"))],
        cancel_url=reverse("voice:problems"),
        intro="其他组织的问题：在列表中筛选该组织后点击“登记问题”。",
    )


def _get(request: HttpRequest, pk: int, capability: str = Capability.VIEW) -> Problem:
    try:
        return problems.problem_get(fetched_by=request.user, pk=pk, capability=capability)
    except Problem.DoesNotExist:
        raise Http404 from None


def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _get(request, pk)
    can_change = request.user.can(Capability.CHANGE, problem.org.path)
    context = {
        "title": TITLE,
        "p": problem,
        "can_change": can_change,
        # The owner (a plain member) sees the problem, not always the consultation it came from.
        "sees_consultation": problem.opinion_id is not None
        and Consultation.objects.visible_to(request.user).filter(pk=problem.opinion.consultation_id).exists(),
        "finish_form": FinishForm(version_of=problem, initial={"done_on": clock.today()})
        if can_change and problem.state != ProblemState.DONE
        else None,
    }
    return render(request, "voice/problem_detail.html", context)


def _changeable(request: HttpRequest, pk: int) -> Problem:
    require_capability(request.user, Capability.CHANGE)
    return _get(request, pk, Capability.CHANGE)


def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _changeable(request, pk)
    form = ProblemForm(request.POST or None, user=request.user, org=problem.org, problem=problem)
    url = reverse("voice:problem", args=[pk])
    return form_action(
        request,
        form,
        lambda **data: problems.update_problem(by=request.user, problem=problem, **data),
        success="已保存问题",
        done_url=url,
        title="修改问题",
        breadcrumbs=[(TITLE, reverse("voice:problems")), ("问题", url)],
        cancel_url=url,
        intro=problem.org.name,
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@require_POST
def problem_start(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _changeable(request, pk)
    return post_action(
        request,
        lambda: problems.start_problem(by=request.user, problem=problem, version=_version(request)),
        success="已开始整改",
        done_url=reverse("voice:problem", args=[pk]),
    )


def problem_finish(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _changeable(request, pk)
    url = reverse("voice:problem", args=[pk])
    form = FinishForm(request.POST or None, version_of=problem, initial={"done_on": clock.today()})
    return form_action(
        request,
        form,
        lambda **data: problems.finish_problem(by=request.user, problem=problem, **data),
        success="已标记为已整改",
        done_url=url,
        title="整改完成",
        breadcrumbs=[(TITLE, reverse("voice:problems")), ("问题", url)],
        cancel_url=url,
        intro=problem.description[:100],
    )


@require_POST
def problem_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _changeable(request, pk)
    return post_action(
        request,
        lambda: problems.reopen_problem(by=request.user, problem=problem, version=_version(request)),
        success="已重新整改（状态改为整改中）",
        done_url=reverse("voice:problem", args=[pk]),
    )


def problem_summary(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    year = _year(request) or clock.today().year
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    low, high = problems.year_bounds()
    context = {
        "title": "问题整改情况",
        "rows": problems.problem_summary(request.user, year, org=org),
        "year": year,
        "years": list(range(high, max(low, high - 10) - 1, -1)),
    }
    return render(request, "voice/problem_summary.html", context)
