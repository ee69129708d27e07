"""服务承诺 pages: the register as its keepers see it (list, search, xlsx, new, edit, deactivate/reactivate) and the
public list within the organ (any logged-in user). Thin: promises.py."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core.generic import form_action, post_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization
from dangjian.study.central_views import xlsx

from . import promises
from .commitment_views import org_select
from .models import ServicePromise
from .promise_forms import PromiseForm

TITLE = "服务承诺"
SEARCH_MAX = 50
EXPORT_MAX = 10_000


def _filtered(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    active = request.GET.get("active", "")
    active = active if active in ("1", "0") else ""
    return promises.managed(request.user, org=org, q=q, active=active), {"org": org, "q": q, "active": active}


def promise_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "org_select": org_select(request.user, filters["org"], blank="全部党组织"),
        "can_create": request.user.can(Capability.CHANGE),
        "changeable": {p.pk for p in page.object_list if request.user.can(Capability.CHANGE, p.org.path)},
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/promise_list.html", context)


def promise_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    rows, _filters = _filtered(request)
    header = ["承诺部门", "服务事项", "办结时限（天）", "服务标准", "状态"]
    out = [
        [p.org.department or p.org.name, p.item, p.time_limit_days, p.standard, "有效" if p.active else "停用"]
        for p in rows[:EXPORT_MAX]
    ]
    buffer = xlsx("服务承诺", header, out, widths={0: 20, 1: 30, 3: 50})
    return FileResponse(buffer, as_attachment=True, filename="服务承诺.xlsx")


def promise_public(request: HttpRequest) -> HttpResponse:
    """The organ's service commitments, for every logged-in user (a member too: they are public)."""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    page = Paginator(promises.public(q), page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": "服务承诺公开",
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "q": q,
    }
    return render(request, "voice/promise_public.html", context)


def _changeable_orgs(user):
    return Organization.objects.changeable_by(user).filter(dissolved_on__isnull=True).order_by("path")


def promise_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org = row_param(request, "org", _changeable_orgs(request.user))
    form = PromiseForm(
        request.POST or None, orgs=_changeable_orgs(request.user), initial={"org": org.pk if org else None}
    )
    return form_action(
        request,
        form,
        lambda **data: promises.create_promise(by=request.user, **data),
        success=lambda p: f"已新增服务承诺“{p.item}”",
        done_url=reverse("voice:promises"),
        title="新增服务承诺",
        breadcrumbs=[(TITLE, reverse("voice:promises"))],
        cancel_url=reverse("voice:promises"),
    )


def _changeable(request: HttpRequest, pk: int) -> ServicePromise:
    require_capability(request.user, Capability.CHANGE)
    promise = ServicePromise.objects.changeable_by(request.user).select_related("org").filter(pk=pk).first()
    if promise is None:
        raise Http404
    return promise


def promise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    promise = _changeable(request, pk)
    form = PromiseForm(request.POST or None, promise=promise)
    return form_action(
        request,
        form,
        lambda **data: promises.update_promise(by=request.user, promise=promise, **data),
        success=lambda p: f"已保存服务承诺“{p.item}”",
        done_url=reverse("voice:promises"),
        title="修改服务承诺",
        breadcrumbs=[(TITLE, reverse("voice:promises"))],
        cancel_url=reverse("voice:promises"),
        intro=promise.org.name,
    )


@require_POST
def promise_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 an active promise, or 恢复 a deactivated one."""
    promise = _changeable(request, pk)
    return post_action(
        request,
        lambda: promises.set_active(by=request.user, promise=promise, active=not promise.active),
        success=lambda p: f"已{'恢复' if p.active else '停用'}服务承诺“{p.item}”",
        done_url=reverse("voice:promises"),
    )
