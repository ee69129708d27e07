"""The orgs' part of generated data: the seats of a committee by the size of its org."""

from . import rules as org_rules
from .choices import CommitteeRole

#: Roles of a branch committee (支委会) by its size (DOMAIN.md §1: 3–5).
BRANCH_SEATS = {
    3: [CommitteeRole.SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY],
    4: [CommitteeRole.SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY, CommitteeRole.DISCIPLINE],
    5: [CommitteeRole.SECRETARY, CommitteeRole.DEPUTY_SECRETARY, CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY,
        CommitteeRole.DISCIPLINE],
}  # fmt: skip
GENERAL_BRANCH_SEATS = BRANCH_SEATS[5]
COMMITTEE_SEATS = [
    CommitteeRole.SECRETARY,
    CommitteeRole.DEPUTY_SECRETARY,
    CommitteeRole.ORGANIZATION,
    CommitteeRole.PUBLICITY,
    CommitteeRole.DISCIPLINE,
    CommitteeRole.YOUTH,
    CommitteeRole.MEMBER,
]


def branch_seat_count(full_members: int) -> int:
    """Seats on a branch committee: the thresholds count 正式党员 (预备党员 cannot vote or be elected)."""
    if full_members < org_rules.MEMBERS_FOR_COMMITTEE:
        return 1  # a secretary only
    if full_members < 18:
        return 3
    return 4 if full_members < 30 else 5
