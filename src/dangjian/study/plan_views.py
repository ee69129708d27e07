"""The yearly training plan (年度培训计划) of an org: its items by month with their execution (sessions linked,
held, hours), totals per form of study, items not carried out (未落实); its xlsx; new, edit and delete an item.
Thin: the figures come from selectors.plan_of, the writes from plans.py."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, post_action
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.shell import active_grant
from dangjian.orgs.models import Organization

from . import plans, selectors
from .central_views import xlsx
from .models import PlanItem
from .plan_forms import PlanItemForm

TITLE = "年度培训计划"


def _year(request: HttpRequest) -> int:
    """?year=: a year a plan may be kept for; anything else is this year."""
    value = request.GET.get("year", "")
    low, high = plans.year_bounds()
    if value.isascii() and value.isdigit() and len(value) == 4 and low <= int(value) <= high:
        return int(value)
    return clock.today().year


def _org(request: HttpRequest) -> Organization:
    """?org= (an org the user sees, else 404); absent: the org of the grant the user works under, else the top of
    what they see."""
    visible = Organization.objects.visible_to(request.user)
    org = row_param(request, "org", visible)
    if org is not None:
        return org
    grant = active_grant(request)
    org = visible.filter(pk=grant.org_id).first() if grant is not None else None
    org = org or visible.order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


def plan_url(org_id: int, year: int) -> str:
    return f"{reverse('study:plan')}?org={org_id}&year={year}"


def plan(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org, year = _org(request), _year(request)
    today = clock.today()
    low, high = plans.year_bounds(today)
    context = {
        "title": TITLE,
        "plan": selectors.plan_of(fetched_by=request.user, org=org, year=year, today=today),
        "org": org,
        "year": year,
        "years": list(range(high, max(low, today.year - 9) - 1, -1)),
        "orgs": Organization.objects.visible_to(request.user).filter(dissolved_on__isnull=True).order_by("path"),
        "can_change": request.user.can(Capability.CHANGE, org.path) and org.dissolved_on is None,
        "today": today,
    }
    return render(request, "study/plan.html", context)


def plan_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    org, year = _org(request), _year(request)
    page = selectors.plan_of(fetched_by=request.user, org=org, year=year)
    header = ["月份", "培训主题", "培训形式", "培训对象", "计划学时", "已开展场次", "已完成学时", "执行情况", "备注"]
    rows = [
        [
            f"{item.month}月",
            item.topic,
            item.get_kind_display(),
            item.audience,
            float(item.planned_hours),
            item.held_count,
            float(item.held_hours),
            "未落实" if item.unrealised else ("已落实" if item.held_count else "未开展"),
            item.note,
        ]
        for item in page.items
    ]
    rows.append([])
    rows += [
        ["", line.label, "", f"{line.items}项", float(line.planned_hours), line.held, float(line.held_hours),
         f"未落实 {line.unrealised} 项"]
        for line in [*page.kinds, page.total]
    ]  # fmt: skip
    buffer = xlsx(f"{year}年培训计划", header, rows, widths={1: 36, 3: 20, 8: 24})
    return FileResponse(buffer, as_attachment=True, filename=f"培训计划_{org.name}_{year}.xlsx")


def _changeable_orgs(user):
    return Organization.objects.changeable_by(user).filter(dissolved_on__isnull=True).order_by("path")


def item_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org = row_param(request, "org", _changeable_orgs(request.user))
    initial = {"org": org.pk if org else None, "year": _year(request), "month": clock.today().month}
    form = PlanItemForm(request.POST or None, orgs=_changeable_orgs(request.user), initial=initial)
    return form_action(
        request,
        form,
        lambda **data: plans.create_item(by=request.user, **data),
        success=lambda item: f"已添加培训计划项目“{item.topic}”",
        done_url=lambda item: plan_url(item.org_id, item.year),
        title="新增培训计划项目",
        breadcrumbs=[(TITLE, reverse("study:plan"))],
        cancel_url=plan_url(org.pk, initial["year"]) if org else reverse("study:plan"),
        intro="中心组学习另行安排（学习场次中登记），不列入培训计划。",
    )


def _changeable(request: HttpRequest, pk: int) -> PlanItem:
    require_capability(request.user, Capability.CHANGE)
    item = PlanItem.objects.changeable_by(request.user).select_related("org").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    form = PlanItemForm(request.POST or None, item=item)
    return form_action(
        request,
        form,
        lambda **data: plans.update_item(by=request.user, item=item, **data),
        success=lambda saved: f"已保存培训计划项目“{saved.topic}”",
        done_url=lambda saved: plan_url(saved.org_id, saved.year),
        title="修改培训计划项目",
        breadcrumbs=[(TITLE, plan_url(item.org_id, item.year))],
        cancel_url=plan_url(item.org_id, item.year),
        intro=f"{item.org.name}",
    )


@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _changeable(request, pk)
    return post_action(
        request,
        lambda: plans.delete_item(by=request.user, item=item),
        success=lambda unlinked: (
            f"已删除培训计划项目“{item.topic}”" + (f"，{unlinked} 场学习已保留并取消与其的对应" if unlinked else "")
        ),
        done_url=plan_url(item.org_id, item.year),
    )
