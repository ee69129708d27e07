"""The fees pages. Thin views: each reads through a selector or hands over to one service."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .forms import BranchPickForm
from .selectors import ledger_lines, ledger_totals, parse_month


def org_param(request: HttpRequest) -> Organization | None:
    """?org=: an org the user sees, else 404; absent or empty: none."""
    return row_param(request, "org", Organization.objects.visible_to(request.user))


def pick_branch(request: HttpRequest, title: str) -> HttpResponse:
    """A page that works on one branch, opened without ?org=: the user's only branch straight away, else a choice."""
    branches = Organization.objects.visible_to(request.user).active().filter(kind=OrgKind.BRANCH)
    only = list(branches.values_list("pk", flat=True)[:2])
    if len(only) == 1:
        return redirect(f"{request.path}?org={only[0]}")
    form = BranchPickForm(orgs=branches.order_by("path"))
    return render(request, "fees/branch_pick.html", {"form": form, "title": title})


def ledger_view(request: HttpRequest) -> HttpResponse:
    """A month's ledger: each member's due, paid and owed, of the user's scope or one org's subtree."""
    require_capability(request.user, Capability.VIEW)
    org = org_param(request)
    error = ""
    try:
        month = parse_month(request.GET.get("month"))
    except ValueError as refused:
        error, month = str(refused), parse_month(None)
    lines = ledger_lines(fetched_by=request.user, month=month, org=org)

    page = Paginator(lines, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": "党费台账",
        "org": org,
        "month": month,
        "error": error,
        "page": page,
        "totals": ledger_totals(lines),
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "can_pay": org is not None and request.user.can(Capability.CHANGE, org.path),
        "rounding": rules.ROUNDING_NOTE,
        "source": rules.SOURCE,
    }
    return render(request, "fees/ledger.html", context)
