"""服务承诺 (issue 16): a department's public service commitments — item, time limit (days), standard — kept by the
department's branch (CHANGE on the org): create, edit (versioned), deactivate / reactivate. The public list is read
by any logged-in user of the organ (our reading: the commitments are public by nature); `active_promises` is what
the assessment module and the 首问 register read (the time limit per item)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.orgs.models import Organization

from .models import ServicePromise

#: Who wrote a row: set by the service from `by` (null once the user is deleted), never a user input.
WRITERS = ["created_by", "graded_by", "recorded_by"]
ERR_SCOPE = "您无权维护该部门的服务承诺"
ERR_DISSOLVED = "该组织已撤销，不能新增服务承诺"
ERR_LIMIT = "办结时限应为 1 至 {limit} 天"
ERR_DUPLICATE = "该部门已有同名服务事项“{item}”"
ERR_BLANK = "请填写{label}"
ERR_ALREADY = "该服务承诺已是{state}状态"
#: The longest time limit a promise may state (a year).
LIMIT_MAX = 365
FIELDS = ("item", "time_limit_days", "standard")


def _check(*, org: Organization, item: str, time_limit_days: int, standard: str, pk: int | None = None) -> None:
    errors = {}
    if not (item or "").strip():
        errors["item"] = ERR_BLANK.format(label="服务事项")
    if not (standard or "").strip():
        errors["standard"] = ERR_BLANK.format(label="服务标准")
    if time_limit_days is None or not 1 <= time_limit_days <= LIMIT_MAX:
        errors["time_limit_days"] = ERR_LIMIT.format(limit=LIMIT_MAX)
    if "item" not in errors:
        # The org's own items, whoever sees them: the unique constraint would refuse a duplicate anyway.
        same = ServicePromise.objects.unrestricted().filter(org=org, item=item.strip()).exclude(pk=pk)
        if same.exists():
            errors["item"] = ERR_DUPLICATE.format(item=item.strip())
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_promise(*, by, org: Organization, item: str, time_limit_days: int, standard: str) -> ServicePromise:
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_SCOPE)
    if org.dissolved_on is not None:
        raise ValidationError({"org": ERR_DISSOLVED})
    _check(org=org, item=item, time_limit_days=time_limit_days, standard=standard)
    promise = ServicePromise(
        org=org, item=item.strip(), time_limit_days=time_limit_days, standard=standard.strip(), created_by=by
    )
    promise.full_clean(exclude=WRITERS)
    promise.save()
    return promise


def _locked(by, promise: ServicePromise) -> ServicePromise:
    locked = (
        ServicePromise.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=promise.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked


@transaction.atomic
def update_promise(
    *, by, promise: ServicePromise, version: int | None, item: str, time_limit_days: int, standard: str
) -> ServicePromise:
    locked = _locked(by, promise)
    check_version(locked, version)
    _check(org=locked.org, item=item, time_limit_days=time_limit_days, standard=standard, pk=locked.pk)
    locked.item, locked.time_limit_days, locked.standard = item.strip(), time_limit_days, standard.strip()
    locked.full_clean(exclude=WRITERS)
    locked.save()
    return locked


@transaction.atomic
def set_active(*, by, promise: ServicePromise, active: bool) -> ServicePromise:
    """Deactivate (停用: no longer offered; kept for the 首问 requests that name it) or reactivate a promise."""
    locked = _locked(by, promise)
    if locked.active == active:
        raise ValidationError(ERR_ALREADY.format(state="有效" if active else "停用"))
    locked.active = active
    locked.save()
    return locked


# ── selectors ────────────────────────────────────────────────────────────────────────────────────────────────────


def active_promises(org_paths: list[str] | None = None) -> QuerySet[ServicePromise]:
    """The active promises of the orgs under `org_paths` (all when None), by org and item: what the assessment
    module and the 首问 register read (time_limit_days per item). Unrestricted: service commitments are public
    within the organ; callers that show them to a user read this list as it is."""
    rows = ServicePromise.objects.unrestricted().filter(active=True).select_related("org")
    if org_paths is not None:
        rows = rows.filter(subtree_q("org__path", org_paths)) if org_paths else rows.none()
    return rows.order_by("org__path", "item")


def managed(user, *, org: Organization | None = None, q: str = "", active: str = "") -> QuerySet[ServicePromise]:
    """The register as its keepers see it (VIEW scope), filtered."""
    rows = ServicePromise.objects.visible_to(user).select_related("org")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if active in ("1", "0"):
        rows = rows.filter(active=active == "1")
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(item__contains=q) | Q(standard__contains=q) | Q(org__name__contains=q))
    return rows.order_by("org__path", "item", "pk")


def public(q: str = "") -> QuerySet[ServicePromise]:
    """The public list within the organ: every active promise (any logged-in user reads it; see active_promises).
    Shown by department name only: the party org's own name stays within the scope of who sees it."""
    rows = active_promises()
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(item__contains=q) | Q(standard__contains=q) | Q(org__department__contains=q))
    return rows
