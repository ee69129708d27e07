"""Reads on the roster: every list, page and export goes through member_filterset / member_get."""

from datetime import date

from django.db.models import QuerySet

from dangjian.core import clock
from dangjian.core.roles import Capability

from . import personal
from .filters import MemberFilter
from .models import Member, StatusChange, Transfer
from .personal import sees_personal_data_at


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
    """Full ID number, phone and birth date: the view-personal-data capability on the member's org, or one's own
    record (personal.sees_personal_data_at)."""
    return sees_personal_data_at(user, org_path=member.org.path, member_user_id=member.user_id)


def id_number_for(user, member: Member) -> str:
    return member.id_number if sees_personal_data(user, member) else personal.mask_id_number(member.id_number)


def phone_for(user, member: Member) -> str:
    return member.phone if sees_personal_data(user, member) else personal.mask_phone(member.phone)


def birth_date_for(user, member: Member) -> date | None:
    """The birth date, or None where it is masked (it is the ID number's middle 8 digits)."""
    return member.birth_date if sees_personal_data(user, member) else None


def age_for(user, member: Member) -> str:
    """The age in years ("41"), or where personal data is masked the statistics' age band ("41-45岁")."""
    if sees_personal_data(user, member):
        return str(member.age)
    return personal.age_band(member.birth_date, clock.today())
