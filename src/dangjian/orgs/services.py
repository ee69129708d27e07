"""Writes on the org tree. Each runs in one transaction, validates on the server and checks scope."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from dangjian.core.concurrency import check_version
from dangjian.core.lib.dates import format_cn_date
from dangjian.core.validators import check_not_future

from . import rules
from .capabilities import MANAGE_ORGS
from .choices import ALLOWED_PARENTS, OrgKind
from .membership import membership
from .models import CommitteeSeat, CommitteeTerm, Organization

ERR_PARENT_KIND = "{kind}不能设在{parent}之下"
ERR_ROOT_KIND = "{kind}不能作为最上级组织"
ERR_MOVE_INTO_SELF = "不能把组织移动到它自己或它的下级组织之下"
ERR_OUT_OF_SCOPE = "您无权维护该组织"
ERR_DISSOLVE_MEMBERS = "该组织仍有{n}名在册党员，请先办理组织关系转接后再撤销"
ERR_DISSOLVE_CHILDREN = "该组织仍有{n}个未撤销的下级组织，请先撤销或移走下级组织"
ERR_DISSOLVED = "该组织已撤销"
ERR_SEAT_MEMBER_ORG = "委员须为本组织（含下级组织）的在册党员"
ERR_SEAT_ENDED = "离任日期不能早于任职日期"
ERR_TERM_ORG_KIND = "党小组不设委员会"
ERR_MOVE_GROUP_MEMBERS = "该党小组仍有{n}名在册党员，移到其他党支部前请先调整这些党员的党小组"
ERR_TERM_BEFORE_CURRENT = "新一届的开始日期须晚于上一届的开始日期（{date}）"
#: 党章第七条: 预备党员 have no right to vote, elect or be elected (表决权、选举权和被选举权).
ERR_SEAT_PROBATIONARY = "预备党员没有被选举权，不能担任委员（党章第七条）"


def _full_clean_on_fields(obj, constraint_fields: dict[str, str]) -> None:
    """full_clean(), with the messages of the named constraints moved to the field the user can correct: Django
    reports conditional UniqueConstraint and CheckConstraint violations as form-wide (NON_FIELD_ERRORS)."""
    try:
        obj.full_clean()
    except ValidationError as error:
        fields = {
            c.violation_error_message: constraint_fields[c.name]
            for c in obj._meta.constraints
            if c.name in constraint_fields
        }
        errors = error.update_error_dict({})
        for item in errors.pop(NON_FIELD_ERRORS, []):
            errors.setdefault(fields.get(str(item.message), NON_FIELD_ERRORS), []).append(item)
        raise ValidationError(errors) from error


def _check_manageable(user, org: Organization | None) -> None:
    """Creating, moving or dissolving under `org` needs manage_orgs on it (None: a root — superuser only)."""
    if org is None:
        if not user.is_superuser:
            raise PermissionDenied(ERR_OUT_OF_SCOPE)
        return
    if not user.can(MANAGE_ORGS, org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)


def _check_parent_kind(kind: str, parent: Organization | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    label = OrgKind(kind).label
    if parent is None and None not in allowed:
        raise ValidationError({"parent": ERR_ROOT_KIND.format(kind=label)})
    if parent is not None and parent.kind not in allowed:
        raise ValidationError({"parent": ERR_PARENT_KIND.format(kind=label, parent=parent.get_kind_display())})
    if parent is not None and parent.is_dissolved:
        raise ValidationError({"parent": ERR_DISSOLVED})


@transaction.atomic
def org_create(*, acting_user, parent: Organization | None, **fields) -> Organization:
    """Add an org under `parent` (or a new root, for a superuser)."""
    _check_manageable(acting_user, parent)
    org = Organization(**fields)
    _check_parent_kind(org.kind, parent)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Organization.objects.add_root(instance=org)
    return Organization.objects.add_child(parent, instance=org)


@transaction.atomic
def org_update(*, acting_user, org: Organization, version: int | None = None, **fields) -> Organization:
    """Rename or edit an org's details (not its place in the tree: see org_move). `version`: the one the edit was
    made from; refused with StaleEdit if the org changed since (None: act on the org as it is now)."""
    stored = Organization.objects.select_for_update().get(pk=org.pk)
    _check_manageable(acting_user, stored)
    check_version(stored, version)
    if stored.is_dissolved:
        raise ValidationError(ERR_DISSOLVED)
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    # Only the edited fields: the tree columns (path, depth, numchild) stay as a move in between left them.
    org.save(update_fields=[*fields, "updated_at"])
    return org


@transaction.atomic
def org_move(*, acting_user, org: Organization, new_parent: Organization, version: int | None = None) -> Organization:
    """Move an org (with its subtree) under another parent; both places must be in the user's scope."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_manageable(acting_user, Organization.objects.get_parent(org))
    check_version(org, version)
    _check_manageable(acting_user, new_parent)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": ERR_MOVE_INTO_SELF})
    _check_parent_kind(org.kind, new_parent)
    if org.kind == OrgKind.GROUP and not org.path.startswith(new_parent.path):
        # A member's 党小组 must lie in their 党支部 (members.models.ERR_GROUP_NOT_IN_BRANCH).
        members = membership().in_register(org).count()
        if members:
            raise ValidationError({"parent": ERR_MOVE_GROUP_MEMBERS.format(n=members)})
    Organization.objects.move(org, new_parent, pos="last-child")
    # treebeard moves with queryset updates, past save(): the move is a new version all the same.
    Organization.objects.filter(pk=org.pk).update(version=F("version") + 1)
    return Organization.objects.get(pk=org.pk)


@transaction.atomic
def org_dissolve(*, acting_user, org: Organization, dissolved_on: date, version: int | None = None) -> Organization:
    """Dissolve (撤销) an org: it stays in the tree and the history, marked with the date."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_manageable(acting_user, Organization.objects.get_parent(org))
    check_version(org, version)
    if org.is_dissolved:
        raise ValidationError(ERR_DISSOLVED)
    check_not_future(dissolved_on=dissolved_on)
    members = membership().in_register(org).count()
    if members:
        raise ValidationError(ERR_DISSOLVE_MEMBERS.format(n=members))
    children = Organization.objects.get_descendants(org).filter(dissolved_on__isnull=True).count()
    if children:
        raise ValidationError(ERR_DISSOLVE_CHILDREN.format(n=children))
    org.dissolved_on = dissolved_on
    org.save(update_fields=["dissolved_on", "updated_at"])
    return org


@transaction.atomic
def term_create(*, acting_user, org: Organization, started_on: date, ends_on: date | None = None) -> CommitteeTerm:
    """Open a new committee term (换届); the default length comes from rules.TERM_YEARS."""
    _check_manageable(acting_user, org)
    if org.kind == OrgKind.GROUP:
        raise ValidationError(ERR_TERM_ORG_KIND)
    if org.is_dissolved:
        raise ValidationError(ERR_DISSOLVED)
    check_not_future(started_on=started_on)  # before the term's own checks: a future term would end seats early
    current = CommitteeTerm.objects.filter(org=org).order_by("-started_on").first()
    if current and started_on <= current.started_on:
        raise ValidationError({"started_on": ERR_TERM_BEFORE_CURRENT.format(date=format_cn_date(current.started_on))})
    ends_on = ends_on or started_on + relativedelta(years=rules.TERM_YEARS[org.kind])
    term = CommitteeTerm(org=org, started_on=started_on, ends_on=ends_on)
    _full_clean_on_fields(term, {"term_ends_after_start": "ends_on"})
    term.save()
    # The previous term's members leave office when the new term starts. Saved one by one (a committee has a
    # handful of seats) so each leaving is in the audit log, which a queryset update() would skip.
    for seat in (
        CommitteeSeat.objects.select_for_update().filter(term__org=org, ended_on__isnull=True).exclude(term=term)
    ):
        seat.ended_on = started_on
        seat.save(update_fields=["ended_on", "updated_at"])
    return term


@transaction.atomic
def seat_add(*, acting_user, term: CommitteeTerm, member, role: str, started_on: date) -> CommitteeSeat:
    """Put a member on a committee term with a role."""
    _check_manageable(acting_user, term.org)
    if not membership().in_register(term.org).filter(pk=member.pk).exists():
        raise ValidationError({"member": ERR_SEAT_MEMBER_ORG})
    if not membership().seat_candidates(term.org).filter(pk=member.pk).exists():
        raise ValidationError({"member": ERR_SEAT_PROBATIONARY})
    seat = CommitteeSeat(term=term, member=member, role=role, started_on=started_on)
    _full_clean_on_fields(seat, {"one_current_secretary": "role", "unique_current_seat": "member"})
    seat.save()
    return seat


@transaction.atomic
def seat_end(*, acting_user, seat: CommitteeSeat, ended_on: date) -> CommitteeSeat:
    """A committee member leaves office (离任)."""
    _check_manageable(acting_user, seat.term.org)
    check_not_future(ended_on=ended_on)
    if ended_on < seat.started_on:
        raise ValidationError({"ended_on": ERR_SEAT_ENDED})
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on", "updated_at"])
    return seat
