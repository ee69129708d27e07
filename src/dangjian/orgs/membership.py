"""Who is in an org: what the org pages and the §1 rules need to know about members, supplied from above.

orgs sits below members (core ← orgs ← members) and imports nothing from it. This is an extension point orgs
offers (OrgsConfig.extension_modules): the members app implements Membership in its own membership.py, which is
found at start-up like admin.py, and registers it here.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

ERR_NO_MEMBERSHIP = "no app registered a Membership (orgs.membership): is dangjian.members installed?"


@dataclass
class MemberCounts:
    full: int = 0
    probationary: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary


class Membership:
    """What orgs asks about members. Every method runs a fixed number of queries, whatever the number of orgs."""

    def counts(self, orgs: list) -> dict[int, MemberCounts]:
        """Members in register of each org's subtree (党小组: its own members), by category."""
        raise NotImplementedError

    def in_register(self, org) -> QuerySet:
        """Members in register of the org's subtree (党小组: its own members)."""
        raise NotImplementedError

    def seat_candidates(self, org) -> QuerySet:
        """Of in_register(org), those who may be elected to its committee (正式党员, 党章第七条), by name."""
        raise NotImplementedError

    def own_orgs(self, user) -> Q:
        """Orgs a user sees as their own, whatever their grants: their member record's branch and party group."""
        raise NotImplementedError


_registered: list[Membership] = []


def register_membership(provider: Membership) -> None:
    _registered[:] = [provider]


def membership() -> Membership:
    if not _registered:
        raise ImproperlyConfigured(ERR_NO_MEMBERSHIP)
    return _registered[0]
