"""Reads on the roster: every list, page and export goes through member_filterset / member_get."""

from django.db.models import QuerySet

from dangjian.core.lib import idcard
from dangjian.core.roles import Capability

from .filters import MemberFilter
from .models import Member, StatusChange, Transfer


def member_filterset(*, fetched_by, filters: dict | None = None) -> MemberFilter:
    """The roster filter over the user's visible members (its form renders the filter bar)."""
    members = Member.objects.visible_to(fetched_by).select_related("org", "group")
    return MemberFilter(filters, members, request_user=fetched_by)


def member_get(*, fetched_by, pk: int, capability: str = Capability.VIEW) -> Member:
    """One member within the user's scope; Member.DoesNotExist outside it as for no such member (the views answer
    404 for both, so existence is not disclosed)."""
    return Member.objects.restrict(fetched_by, capability).select_related("org", "group", "user").get(pk=pk)


def member_history(*, fetched_by, member: Member) -> tuple[QuerySet[StatusChange], QuerySet[Transfer]]:
    changes = StatusChange.objects.visible_to(fetched_by).filter(member=member).select_related("changed_by")
    transfers = (
        Transfer.objects.visible_to(fetched_by).filter(member=member).select_related("from_org", "to_org", "handled_by")
    )
    return changes, transfers


def sees_personal_data(user, member: Member) -> bool:
    """Full ID number and phone: the view-personal-data capability on the member's org, or one's own record."""
    return sees_personal_data_at(user, org_path=member.org.path, member_user_id=member.user_id)


def sees_personal_data_at(user, *, org_path: str, member_user_id: int | None) -> bool:
    """sees_personal_data() for a member known by their org's path and login alone (an export's plain rows)."""
    return member_user_id == user.pk or user.can(Capability.VIEW_PERSONAL, org_path)


def id_number_for(user, member: Member) -> str:
    return member.id_number if sees_personal_data(user, member) else idcard.mask(member.id_number)


def phone_for(user, member: Member) -> str:
    return member.phone if sees_personal_data(user, member) else idcard.mask_phone(member.phone)
