import io
from functools import partial

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from dangjian.core import clock
from dangjian.core.generic import FromResult, form_action, post_action
from dangjian.core.jobs import job_start
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import CommitteeSeat, Organization

from . import exports, services
from .accounts import may_create_login
from .choices import Status
from .forms import MemberForm, MoveForm, StatusChangeForm, TransferInForm, TransferOutForm
from .models import Member
from .sections import sections_for
from .selectors import (
    age_for,
    birth_date_for,
    id_number_for,
    member_filterset,
    member_get,
    member_history,
    phone_for,
)
from .stats import ALL_TABLES, MSG_RECOUNTED, MemberStats, member_stats, stats_org, stats_recount
from .tables import MemberTable


def _changeable_orgs(user):
    return Organization.objects.changeable_by(user).active()


def _member_form(request, form, action, *, member: Member | None, title: str, success: FromResult, **extra):
    """A form about `member` (None: a new one): to the member's page when done, back where it came from if not."""
    crumbs = [("党员花名册", reverse("members:list"))]
    if member is not None:
        crumbs.append((member.name, reverse("members:detail", args=[member.pk])))
    return form_action(
        request,
        form,
        action,
        success=success,
        done_url=lambda done: reverse("members:detail", args=[done.pk]),
        title=title,
        breadcrumbs=crumbs,
        cancel_url=crumbs[-1][1],
        **extra,
    )


def _member(request, pk: int, capability: str = Capability.VIEW) -> Member:
    try:
        return member_get(fetched_by=request.user, pk=pk, capability=capability)
    except Member.DoesNotExist:
        raise Http404 from None


def member_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    filterset = member_filterset(fetched_by=request.user, filters=request.GET)
    table = MemberTable(filterset.qs, user=request.user, order_by=request.GET.get("sort"))
    # Not RequestConfig's pagination: it takes ?per_page= as given (any size; a negative one is a 500).
    RequestConfig(request, paginate=False).configure(table)
    table.paginate(per_page=page_size(request))
    table.page = table.paginator.get_page(request.GET.get("page"))
    context = {
        "table": table,
        "filter_form": filterset.form,
        "more_filters": filterset.narrowing_besides_search,
        "import_job": filterset.form.cleaned_data.get("import_job") if filterset.is_valid() else None,
        "search_note": filterset.search_note,
        "can_create": request.user.can(Capability.CHANGE),
        "page_sizes": PAGE_SIZES,
        "per_page": table.paginator.per_page,
    }
    template = "members/member_list.html#results" if request.htmx else "members/member_list.html"
    return render(request, template, context)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    changes, transfers = member_history(fetched_by=request.user, member=member)
    can_change = request.user.can(Capability.CHANGE, member.org.path)
    context = {
        "member": member,
        "id_number": id_number_for(request.user, member),
        "phone": phone_for(request.user, member),
        "birth_date": birth_date_for(request.user, member),
        "age": age_for(request.user, member),
        "changes": changes,
        "transfers": transfers,
        "seats": CommitteeSeat.objects.visible_to(request.user)
        .filter(member=member)
        .select_related("term__org")
        .order_by("-started_on"),
        "can_change": can_change,
        # Links only where they lead: the roster needs VIEW somewhere; the org page shows the orgs the user sees.
        "can_view_roster": request.user.can(Capability.VIEW),
        "can_view_org": Organization.objects.visible_to(request.user).filter(pk=member.org_id).exists(),
        "is_active": member.status == Status.ACTIVE,
        "is_transferred_out": member.status == Status.TRANSFERRED_OUT,
        # 创建登录账号: for whoever may give the member the role 党员 (members/accounts.py).
        "manages_login": may_create_login(request.user, member),
        "sections": sections_for(request.user, member),
    }
    return render(request, "members/member_detail.html", context)


def member_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    orgs = _changeable_orgs(request.user)
    form = MemberForm(request.POST or None, orgs=orgs, initial={"org": request.GET.get("org")}, user=request.user)
    return _member_form(
        request,
        form,
        partial(services.member_create, acting_user=request.user),
        member=None,
        title="登记党员",
        success=lambda member: f"已登记党员 {member.name}",
    )


def member_group_options(request: HttpRequest) -> HttpResponse:
    """The member form's 所在党小组 select for the 所在党支部 chosen (?org=): that branch's groups only, each named
    with its branch. The form's org select fetches it when it changes (HTMX). A branch the user may not change is
    404, as everywhere; none chosen gives the select with no group."""
    require_capability(request.user, Capability.CHANGE)
    value = request.GET.get("org", "")
    orgs = _changeable_orgs(request.user)
    if value and (not value.isdigit() or not orgs.filter(kind=OrgKind.BRANCH, pk=int(value)).exists()):
        raise Http404
    form = MemberForm(initial={"org": value or None}, orgs=orgs, user=request.user)
    return HttpResponse(str(form["group"]))


def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Capability.CHANGE)
    form = MemberForm(
        request.POST or None,
        instance=member,
        orgs=_changeable_orgs(request.user),
        personal_data=request.user.can(Capability.VIEW_PERSONAL, member.org.path),
        user=request.user,
    )
    action = partial(services.member_update, acting_user=request.user, member=member)
    return _member_form(request, form, action, member=member, title=f"编辑 {member.name}", success="已保存")


def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Capability.CHANGE)
    form = StatusChangeForm(request.POST or None, initial={"changed_on": clock.today()}, version_of=member)
    return _member_form(
        request,
        form,
        partial(services.member_change_status, acting_user=request.user, member=member),
        member=member,
        title=f"{member.name} 党籍状态变更",
        success="党籍状态已变更，历史已记录",
        intro=f"当前状态：{member.get_status_display()}。变更后党员仍保留在花名册历史中。",
    )


def member_transfer_out(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Capability.CHANGE)
    form = TransferOutForm(request.POST or None, initial={"transferred_on": clock.today()}, version_of=member)
    action = partial(services.member_transfer_out, acting_user=request.user, member=member)
    title = f"{member.name} 组织关系转出"
    return _member_form(request, form, action, member=member, title=title, success="已办理组织关系转出")


def member_transfer_in(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Capability.CHANGE)
    form = TransferInForm(
        request.POST or None,
        orgs=_changeable_orgs(request.user),
        initial={"transferred_on": clock.today()},
        version_of=member,
    )
    action = partial(services.member_transfer_in, acting_user=request.user, member=member)
    title = f"{member.name} 组织关系转入"
    return _member_form(request, form, action, member=member, title=title, success="已办理组织关系转入")


def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Capability.CHANGE)
    form = MoveForm(
        request.POST or None,
        orgs=_changeable_orgs(request.user).exclude(pk=member.org_id),
        initial={"transferred_on": clock.today()},
        version_of=member,
    )
    action = partial(services.member_move, acting_user=request.user, member=member)
    title = f"{member.name} 系统内组织关系调整"
    return _member_form(request, form, action, member=member, title=title, success="已调整所在党支部")


@require_POST
def member_export(request: HttpRequest) -> HttpResponse:
    """Export the roster as filtered on the page (the filters ride in the query string) as a background job."""
    require_capability(request.user, Capability.VIEW)
    filters = exports.export_filters({**request.GET.dict(), **request.POST.dict()})
    job = job_start(
        acting_user=request.user, kind=exports.EXPORT_KIND, title=exports.EXPORT_TITLE, params={"filters": filters}
    )
    return redirect("core:job_detail", job.pk)


def member_template(request: HttpRequest) -> FileResponse:
    """The blank import template (no data in it; anyone who sees the roster may have it)."""
    require_capability(request.user, Capability.VIEW)
    buffer = io.BytesIO()
    exports.roster_template(buffer, branches=exports.template_branches(request.user))
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=exports.TEMPLATE_FILENAME)


def _stats(request: HttpRequest, **kwargs) -> MemberStats:
    """The statistics the request asks for; 404 for an org outside the user's scope or an unknown table."""
    try:
        return member_stats(fetched_by=request.user, org_id=request.GET.get("org"), **kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


# ECharts writes style attributes (its SVG nodes, the tooltip's HTML), which the site-wide policy refuses: allowed on
# this page alone. Scripts stay as strict as everywhere (only our own files).
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def member_stats_view(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    context = {"stats": _stats(request), "precompute_minutes": settings.STATS_PRECOMPUTE_MINUTES}
    return render(request, "members/stats.html", context)


@require_POST
def member_stats_recount(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a big scope's statistics now instead of waiting for the periodic task."""
    require_capability(request.user, Capability.VIEW)
    try:
        org = stats_org(fetched_by=request.user, org_id=pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    return post_action(
        request,
        partial(stats_recount, acting_user=request.user, org=org),
        success=MSG_RECOUNTED,
        done_url=f"{reverse('members:stats')}?org={org.pk}",
    )


def member_stats_export(request: HttpRequest) -> FileResponse:
    """One statistics table, or all of them (table=all), as xlsx: small, so written at once rather than as a job."""
    require_capability(request.user, Capability.VIEW)
    key = request.GET.get("table", "")
    if key == ALL_TABLES:
        stats = _stats(request)
        tables, filename = [stats.orgs, *stats.tables], exports.stats_filename(stats)
    else:
        stats = _stats(request, only=key)
        table = stats.table(key)
        tables, filename = [table], exports.stats_filename(stats, table)
    buffer = io.BytesIO()
    exports.stats_tables_xlsx(stats, tables, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename)
