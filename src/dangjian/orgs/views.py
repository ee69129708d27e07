from functools import partial

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.generic import FromResult, form_action
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability

from . import services
from .capabilities import MANAGE_ORGS
from .choices import ALLOWED_PARENTS
from .forms import DissolveForm, OrgEditForm, OrgForm, OrgMoveForm, SeatEndForm, SeatForm, TermForm
from .membership import membership
from .models import CommitteeSeat, CommitteeTerm, Organization
from .selectors import (
    SEARCH_MAX_RESULTS,
    TreePage,
    current_terms,
    member_counts,
    org_warnings,
    tree_children,
    tree_page,
    tree_search,
    tree_warnings,
)


def _manageable(user):
    return Organization.objects.restrict(user, MANAGE_ORGS)


def _movable(user):
    """Orgs strictly inside the user's managed subtrees: moving or dissolving one needs the right over its parent."""
    return _manageable(user).active().exclude(path__in=user.scope_paths(MANAGE_ORGS))


def _org_form(
    request, form, action, *, org: Organization, title: str, success: FromResult, done_url: FromResult = "", **extra
) -> HttpResponse:
    """A form about `org` (or a new org under it): back to its page when cancelled, and when done unless done_url."""
    page = reverse("orgs:detail", args=[org.pk])
    return form_action(
        request,
        form,
        action,
        success=success,
        done_url=done_url or page,
        title=title,
        breadcrumbs=[("组织机构", reverse("orgs:tree")), (org.name, page)],
        cancel_url=page,
        **extra,
    )


def _url_base(name: str) -> str:
    """The URL of `name` for pk 0 without its "0/": rows append their pk, instead of a reversal per row (at 5,000 rows
    those were a third of the page's time)."""
    url = reverse(name, args=[0])
    assert url.endswith("/0/"), url
    return url[:-2]


def org_tree_view(request: HttpRequest) -> HttpResponse:
    """The org tree: whole for a small scope, else collapsed with children loaded by HTMX (?parent=); a search
    (?q=) or only the orgs with warnings (?warnings=1), each a flat list with every org's path."""
    require_capability(request.user, Capability.VIEW)
    show_dissolved = request.GET.get("dissolved") == "1"
    context = {
        "show_dissolved": show_dissolved,
        "detail_base": _url_base("orgs:detail"),
        "members_url": reverse("members:list"),
    }
    parent_pk = request.GET.get("parent", "")
    if request.htmx and parent_pk:
        if not parent_pk.isdigit():
            raise Http404
        parent = get_object_or_404(Organization.objects.visible_to(request.user), pk=int(parent_pk))
        page = tree_children(fetched_by=request.user, parent=parent, include_dissolved=show_dissolved)
        return render(request, "orgs/org_tree.html#rows", {**context, "page": page, "parent": parent})
    query = request.GET.get("q", "").strip()
    only_warnings = request.GET.get("warnings") == "1"
    context.update(query=query, only_warnings=only_warnings, search_max=SEARCH_MAX_RESULTS)
    if query:
        try:
            page = tree_search(fetched_by=request.user, query=query, include_dissolved=show_dissolved)
        except ValueError as error:
            page, context["search_error"] = TreePage(rows=[]), str(error)
        context["flat"] = True
    elif only_warnings:
        page = tree_warnings(fetched_by=request.user, include_dissolved=show_dissolved)
        context["flat"] = True
    else:
        page = tree_page(fetched_by=request.user, include_dissolved=show_dissolved)
    context["page"] = page
    return render(request, "orgs/org_tree.html", context)


def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    children = list(Organization.objects.get_children(org).visible_to(request.user))
    counts = member_counts([org, *children])
    org.counts = counts[org.pk]
    for child in children:
        child.counts = counts[child.pk]
    term = current_terms([org.pk]).get(org.pk)
    seats = CommitteeSeat.objects.visible_to(request.user)
    seats = list(seats.filter(term=term).select_related("member__org").in_role_order()) if term else []
    for seat in seats:
        # Only a link the user can follow: a seat holder's record is theirs to open where the user may view the
        # holder's branch (a plain member sees the committee's names, and their own record).
        seat.followable = (
            request.user.can(Capability.VIEW, seat.member.org.path) or seat.member.user_id == request.user.pk
        )
    context = {
        "org": org,
        "ancestors": Organization.objects.get_ancestors(org).visible_to(request.user),
        "children": children,
        "term": term,
        "seats": seats,
        "warnings": org_warnings([org]),
        "can_view_tree": request.user.can(Capability.VIEW),
        "can_view_roster": request.user.can(Capability.VIEW, org.path),
        "can_manage": request.user.can(MANAGE_ORGS, org.path),
        "can_move": not org.is_root() and request.user.can(MANAGE_ORGS, org.path[: -org.steplen]),
        "allowed_child_kinds": [k for k, parents in ALLOWED_PARENTS.items() if org.kind in parents],
    }
    return render(request, "orgs/org_detail.html", context)


def org_create(request: HttpRequest) -> HttpResponse:
    parent = get_object_or_404(_manageable(request.user).active(), pk=request.GET.get("parent") or 0)
    form = OrgForm(request.POST or None)
    form.fields["kind"].choices = [
        (kind, label) for kind, label in form.fields["kind"].choices if parent.kind in ALLOWED_PARENTS.get(kind, ())
    ]
    return _org_form(
        request,
        form,
        partial(services.org_create, acting_user=request.user, parent=parent),
        org=parent,
        title=f"在 {parent.name} 下新建组织",
        success=lambda org: f"已新建 {org.name}",
        done_url=lambda org: reverse("orgs:detail", args=[org.pk]),
    )


def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_manageable(request.user).active(), pk=pk)
    form = OrgEditForm(request.POST or None, instance=org)
    action = partial(services.org_update, acting_user=request.user, org=org)
    return _org_form(request, form, action, org=org, title=f"编辑 {org.name}", success="已保存")


def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_movable(request.user), pk=pk)
    parents = _manageable(request.user).active().exclude(path__startswith=org.path)
    parents = parents.filter(kind__in=[k for k in ALLOWED_PARENTS[org.kind] if k])
    form = OrgMoveForm(request.POST or None, parents=parents, version_of=org)
    return _org_form(
        request,
        form,
        lambda parent, version: services.org_move(
            acting_user=request.user, org=org, new_parent=parent, version=version
        ),
        org=org,
        title=f"移动 {org.name}",
        success=lambda moved: f"已将 {moved.name} 移动到 {form.cleaned_data['parent'].name} 之下",
    )


def org_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_movable(request.user), pk=pk)
    form = DissolveForm(request.POST or None, initial={"dissolved_on": clock.today()}, version_of=org)
    return _org_form(
        request,
        form,
        partial(services.org_dissolve, acting_user=request.user, org=org),
        org=org,
        title=f"撤销 {org.name}",
        success=f"已撤销 {org.name}（保留历史记录）",
        intro="撤销后组织保留在历史中，不再出现在组织树；仍有在册党员或下级组织时不能撤销。",
        submit_label="确认撤销",
    )


def term_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(_manageable(request.user).active().exclude(kind="group"), pk=pk)
    form = TermForm(request.POST or None)
    return _org_form(
        request,
        form,
        partial(services.term_create, acting_user=request.user, org=org),
        org=org,
        title=f"{org.name} 换届",
        success="已登记新一届委员会，上一届委员已同时离任",
    )


def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(CommitteeTerm.objects.restrict(request.user, MANAGE_ORGS).select_related("org"), pk=pk)
    members = membership().seat_candidates(term.org).changeable_by(request.user)
    form = SeatForm(request.POST or None, members=members)
    action = partial(services.seat_add, acting_user=request.user, term=term)
    return _org_form(request, form, action, org=term.org, title=f"{term.org.name} 增补委员", success="已增补委员")


def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_object_or_404(
        CommitteeSeat.objects.restrict(request.user, MANAGE_ORGS)
        .filter(ended_on__isnull=True)
        .select_related("term__org", "member"),
        pk=pk,
    )
    org = seat.term.org
    form = SeatEndForm(request.POST or None, initial={"ended_on": clock.today()})
    action = partial(services.seat_end, acting_user=request.user, seat=seat)
    return _org_form(request, form, action, org=org, title=f"{seat} 离任", success=f"{seat.member} 已离任")
