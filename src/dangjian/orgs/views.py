from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.views import submit
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member

from . import services
from .choices import ALLOWED_PARENTS
from .forms import DissolveForm, OrgEditForm, OrgForm, OrgMoveForm, SeatEndForm, SeatForm, TermForm
from .models import CommitteeSeat, CommitteeTerm, Organization
from .selectors import current_terms, member_counts, org_tree, org_warnings


def _manageable(user):
    return Organization.objects.restrict(user, Capability.MANAGE_ORGS)


def _movable(user):
    """Orgs strictly inside the user's managed subtrees: moving or dissolving one needs the right over its parent."""
    return _manageable(user).active().exclude(path__in=user.scope_paths(Capability.MANAGE_ORGS))


def _form_page(request, form, *, title: str, org: Organization | None, cancel_url: str, **extra) -> HttpResponse:
    crumbs = [("组织机构", reverse("orgs:tree"))]
    if org is not None:
        crumbs.append((org.name, reverse("orgs:detail", args=[org.pk])))
    context = {"form": form, "title": title, "breadcrumbs": crumbs, "cancel_url": cancel_url, **extra}
    return render(request, "generic/form.html", context, status=400 if form.is_bound and form.errors else 200)


def org_tree_view(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    show_dissolved = request.GET.get("dissolved") == "1"
    orgs = org_tree(fetched_by=request.user, include_dissolved=show_dissolved)
    warnings = {}
    for w in org_warnings(orgs):
        warnings.setdefault(w.org.pk, []).append(w)
    for org in orgs:
        org.warnings = warnings.get(org.pk, [])
    can_manage = request.user.can(Capability.MANAGE_ORGS)
    return render(
        request, "orgs/org_tree.html", {"orgs": orgs, "show_dissolved": show_dissolved, "can_manage": can_manage}
    )


def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    children = list(Organization.objects.get_children(org).visible_to(request.user))
    counts = member_counts([org, *children])
    org.counts = counts[org.pk]
    for child in children:
        child.counts = counts[child.pk]
    term = current_terms([org.pk]).get(org.pk)
    seats = term.seats.select_related("member").order_by("ended_on", "role") if term else []
    context = {
        "org": org,
        "ancestors": Organization.objects.get_ancestors(org).visible_to(request.user),
        "children": children,
        "term": term,
        "seats": seats,
        "warnings": org_warnings([org]),
        "can_manage": request.user.can(Capability.MANAGE_ORGS, org.path),
        "can_move": not org.is_root() and request.user.can(Capability.MANAGE_ORGS, org.path[: -org.steplen]),
        "allowed_child_kinds": [k for k, parents in ALLOWED_PARENTS.items() if org.kind in parents],
    }
    return render(request, "orgs/org_detail.html", context)


def org_create(request: HttpRequest) -> HttpResponse:
    parent = get_object_or_404(_manageable(request.user).active(), pk=request.GET.get("parent") or 0)
    form = OrgForm(request.POST or None)
    form.fields["kind"].choices = [
        (kind, label) for kind, label in form.fields["kind"].choices if parent.kind in ALLOWED_PARENTS.get(kind, ())
    ]
    if org := submit(request, form, partial(services.org_create, acting_user=request.user, parent=parent)):
        messages.success(request, f"已新建 {org.name}")
        return redirect("orgs:detail", org.pk)
    return _form_page(
        request,
        form,
        title=f"在 {parent.name} 下新建组织",
        org=parent,
        cancel_url=reverse("orgs:detail", args=[parent.pk]),
    )


def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_manageable(request.user).active(), pk=pk)
    form = OrgEditForm(request.POST or None, instance=org)
    if submit(request, form, partial(services.org_update, acting_user=request.user, org=org)):
        messages.success(request, "已保存")
        return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=f"编辑 {org.name}", org=org, cancel_url=reverse("orgs:detail", args=[pk]))


def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_movable(request.user), pk=pk)
    parents = _manageable(request.user).active().exclude(path__startswith=org.path)
    parents = parents.filter(kind__in=[k for k in ALLOWED_PARENTS[org.kind] if k])
    form = OrgMoveForm(request.POST or None, parents=parents)
    if submit(request, form, lambda parent: services.org_move(acting_user=request.user, org=org, new_parent=parent)):
        messages.success(request, f"已将 {org.name} 移动到 {form.cleaned_data['parent'].name} 之下")
        return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=f"移动 {org.name}", org=org, cancel_url=reverse("orgs:detail", args=[pk]))


def org_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_movable(request.user), pk=pk)
    form = DissolveForm(request.POST or None, initial={"dissolved_on": clock.today()})
    if submit(request, form, partial(services.org_dissolve, acting_user=request.user, org=org)):
        messages.success(request, f"已撤销 {org.name}（保留历史记录）")
        return redirect("orgs:detail", org.pk)
    return _form_page(
        request,
        form,
        title=f"撤销 {org.name}",
        org=org,
        cancel_url=reverse("orgs:detail", args=[pk]),
        intro="撤销后组织保留在历史中，不再出现在组织树；仍有在册党员或下级组织时不能撤销。",
        submit_label="确认撤销",
    )


def term_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_manageable(request.user).active().exclude(kind="group"), pk=pk)
    form = TermForm(request.POST or None)
    if submit(request, form, partial(services.term_create, acting_user=request.user, org=org)):
        messages.success(request, "已登记新一届委员会，上一届委员已同时离任")
        return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=f"{org.name} 换届", org=org, cancel_url=reverse("orgs:detail", args=[pk]))


def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(
        CommitteeTerm.objects.restrict(request.user, Capability.MANAGE_ORGS).select_related("org"), pk=pk
    )
    members = (
        Member.objects.changeable_by(request.user)
        .filter(status=Status.ACTIVE, category=Category.FULL, org__path__startswith=term.org.path)
        .order_by("name_pinyin")
    )
    form = SeatForm(request.POST or None, members=members)
    if submit(request, form, partial(services.seat_add, acting_user=request.user, term=term)):
        messages.success(request, "已增补委员")
        return redirect("orgs:detail", term.org.pk)
    return _form_page(
        request,
        form,
        title=f"{term.org.name} 增补委员",
        org=term.org,
        cancel_url=reverse("orgs:detail", args=[term.org.pk]),
    )


def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_object_or_404(
        CommitteeSeat.objects.restrict(request.user, Capability.MANAGE_ORGS)
        .filter(ended_on__isnull=True)
        .select_related("term__org", "member"),
        pk=pk,
    )
    org = seat.term.org
    form = SeatEndForm(request.POST or None, initial={"ended_on": clock.today()})
    if submit(request, form, partial(services.seat_end, acting_user=request.user, seat=seat)):
        messages.success(request, f"{seat.member} 已离任")
        return redirect("orgs:detail", org.pk)
    return _form_page(request, form, title=f"{seat} 离任", org=org, cancel_url=reverse("orgs:detail", args=[org.pk]))
