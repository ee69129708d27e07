"""Writes on the org tree. Each runs in one transaction, validates on the server and checks scope."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core.roles import Capability
from dangjian.members.choices import Status

from . import rules
from .choices import ALLOWED_PARENTS, OrgKind
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


def _check_manageable(user, org: Organization | None) -> None:
    """Creating, moving or dissolving under `org` needs manage_orgs on it (None: a root — superuser only)."""
    if org is None:
        if not user.is_superuser:
            raise PermissionDenied(ERR_OUT_OF_SCOPE)
        return
    if not user.can(Capability.MANAGE_ORGS, org.path):
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
def org_update(*, acting_user, org: Organization, **fields) -> Organization:
    """Rename or edit an org's details (not its place in the tree: see org_move)."""
    _check_manageable(acting_user, org)
    if org.is_dissolved:
        raise ValidationError(ERR_DISSOLVED)
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def org_move(*, acting_user, org: Organization, new_parent: Organization) -> Organization:
    """Move an org (with its subtree) under another parent; both places must be in the user's scope."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_manageable(acting_user, Organization.objects.get_parent(org))
    _check_manageable(acting_user, new_parent)
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": ERR_MOVE_INTO_SELF})
    _check_parent_kind(org.kind, new_parent)
    Organization.objects.move(org, new_parent, pos="last-child")
    return Organization.objects.get(pk=org.pk)


@transaction.atomic
def org_dissolve(*, acting_user, org: Organization, dissolved_on: date) -> Organization:
    """Dissolve (撤销) an org: it stays in the tree and the history, marked with the date."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_manageable(acting_user, Organization.objects.get_parent(org))
    if org.is_dissolved:
        raise ValidationError(ERR_DISSOLVED)
    from dangjian.members.models import Member

    members = Member.objects.filter(status=Status.ACTIVE, org__path__startswith=org.path).count()
    if org.kind == OrgKind.GROUP:
        members = Member.objects.filter(status=Status.ACTIVE, group=org).count()
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
    ends_on = ends_on or started_on + relativedelta(years=rules.TERM_YEARS[org.kind])
    term = CommitteeTerm(org=org, started_on=started_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    # The previous term's members leave office when the new term starts.
    CommitteeSeat.objects.filter(term__org=org, ended_on__isnull=True).exclude(term=term).update(ended_on=started_on)
    return term


@transaction.atomic
def seat_add(*, acting_user, term: CommitteeTerm, member, role: str, started_on: date) -> CommitteeSeat:
    """Put a member on a committee term with a role."""
    _check_manageable(acting_user, term.org)
    if member.status != Status.ACTIVE or not member.org.path.startswith(term.org.path):
        raise ValidationError({"member": ERR_SEAT_MEMBER_ORG})
    seat = CommitteeSeat(term=term, member=member, role=role, started_on=started_on)
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def seat_end(*, acting_user, seat: CommitteeSeat, ended_on: date) -> CommitteeSeat:
    """A committee member leaves office (离任)."""
    _check_manageable(acting_user, seat.term.org)
    if ended_on < seat.started_on:
        raise ValidationError({"ended_on": ERR_SEAT_ENDED})
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on", "updated_at"])
    return seat
