"""Reads over the org tree (orgs.selectors): member counts, the DOMAIN.md §1 warnings, and a constant query count."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.lib.dates import format_cn_date
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.choices import Category, Status
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs import rules, selectors
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.selectors import MemberCounts, member_counts, org_tree, org_warnings
from dangjian.orgs.tests.factories import OrgFactory

TODAY = date(2026, 6, 15)
IN_TWO_YEARS = TODAY + relativedelta(years=2)


# ── member_counts ───────────────────────────────────────────────────────────


def test_counts_add_up_the_subtree(world):
    orgs = [world.committee, world.general, world.branch_a, world.group_a, world.branch_b]
    counts = member_counts(orgs)
    assert counts[world.committee.pk] == MemberCounts(full=3)
    assert counts[world.general.pk] == MemberCounts(full=2)
    assert counts[world.branch_a.pk] == MemberCounts(full=2)
    assert counts[world.branch_b.pk] == MemberCounts(full=1)
    # A 党小组 counts its own members (王小明), not the rest of its branch (张宏伟).
    assert counts[world.group_a.pk] == MemberCounts(full=1)


def test_counts_split_full_and_probationary(world):
    MemberFactory(org=world.branch_a, group=world.group_a, category=Category.PROBATIONARY, full_member_on=None)
    MemberFactory(org=world.branch_b, category=Category.PROBATIONARY, full_member_on=None)
    counts = member_counts([world.committee, world.branch_a, world.group_a, world.branch_b])
    assert counts[world.committee.pk] == MemberCounts(full=3, probationary=2)
    assert counts[world.committee.pk].total == 5
    assert counts[world.branch_a.pk] == MemberCounts(full=2, probationary=1)
    assert counts[world.group_a.pk] == MemberCounts(full=1, probationary=1)
    assert counts[world.branch_b.pk] == MemberCounts(full=1, probationary=1)


@pytest.mark.parametrize("status", [Status.TRANSFERRED_OUT, Status.SUSPENDED, Status.DECEASED])
def test_members_not_in_register_are_not_counted(world, status):
    MemberFactory(org=world.branch_a, group=world.group_a, status=status)
    counts = member_counts([world.committee, world.branch_a, world.group_a])
    assert counts[world.committee.pk].total == 3
    assert counts[world.branch_a.pk].total == 2
    assert counts[world.group_a.pk].total == 1


def test_counts_of_a_single_org_still_cover_its_subtree(world):
    assert member_counts([world.general])[world.general.pk] == MemberCounts(full=2)
    assert member_counts([]) == {}


def test_org_tree_attaches_counts_and_levels(world):
    orgs = org_tree(fetched_by=world.secretary_a)
    assert orgs == [world.branch_a, world.group_a]
    assert [(o.level, o.counts.total) for o in orgs] == [(0, 2), (1, 1)]


# ── org_warnings ────────────────────────────────────────────────────────────


def make_branch(
    world,
    *,
    full: int,
    probationary: int = 0,
    seats: int = 1,
    term_ends: date | None = IN_TWO_YEARS,
) -> Organization:
    """A branch under the committee with the given members, and (unless term_ends is None) a current term with
    `seats` current seats taken by its full members (the first one as 书记)."""
    branch = OrgFactory(name="测试党支部", parent=world.committee)
    members = [MemberFactory(org=branch) for _ in range(full)]
    for _ in range(probationary):
        MemberFactory(org=branch, category=Category.PROBATIONARY, full_member_on=None)
    if term_ends is not None:
        term = CommitteeTerm.objects.create(
            org=branch, started_on=term_ends - relativedelta(years=3), ends_on=term_ends
        )
        assert seats <= len(members), "each seat needs its own full member"
        for i, member in enumerate(members[:seats]):
            role = CommitteeRole.SECRETARY if i == 0 else CommitteeRole.MEMBER
            CommitteeSeat.objects.create(term=term, member=member, role=role, started_on=term.started_on)
    return branch


def warnings_of(world, org: Organization, today: date = TODAY) -> list[tuple[str, str, str]]:
    """(level, message, source) of the warnings org_tree + org_warnings give the admin for `org`."""
    return [
        (w.level, w.message, w.source)
        for w in org_warnings(org_tree(fetched_by=world.admin), today=today)
        if w.org == org
    ]


def test_the_rules_are_the_regulations_numbers():
    # 支部条例 第五条: "凡是有正式党员3人以上的，都应当成立党支部".
    assert rules.MIN_FULL_MEMBERS_FOR_BRANCH == 3
    # 机关条例 第七条 / 支部条例: "有正式党员7人以上的党支部，应当设立党支部委员会。党支部委员会由3至5人组成，
    # 一般不超过7人" and "正式党员不足7人的党支部，设1名书记，必要时可以设1名副书记".
    assert rules.MEMBERS_FOR_COMMITTEE == 7
    assert rules.COMMITTEE_SIZE_NORMAL == (3, 5)
    assert rules.COMMITTEE_SIZE_MAX == 7
    assert rules.SMALL_BRANCH_MAX_LEADERS == 2


def test_a_branch_with_fewer_than_3_full_members_is_flagged(world):
    # 支部条例 第五条: a branch needs at least 3 full members (else a 联合党支部). 预备党员 do not count.
    branch = make_branch(world, full=rules.MIN_FULL_MEMBERS_FOR_BRANCH - 1, probationary=2)
    message = selectors.WARN_FEW_FULL_MEMBERS.format(
        full=rules.MIN_FULL_MEMBERS_FOR_BRANCH - 1, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH
    )
    assert warnings_of(world, branch) == [("warning", message, selectors.SOURCE_FEW_FULL_MEMBERS)]


def test_a_branch_with_exactly_3_full_members_is_not_flagged(world):
    # 支部条例 第五条: "正式党员3人以上" includes 3.
    branch = make_branch(world, full=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
    assert warnings_of(world, branch) == []


def test_a_branch_over_50_members_gets_an_info(world):
    # 支部条例 第五条: a branch usually has no more than 50 members; 机关条例: 50–100 → a 党总支 may be set up.
    limit = rules.BRANCH_USUAL_MAX_MEMBERS
    branch = make_branch(world, full=limit - 2, probationary=3, seats=3)
    message = selectors.WARN_LARGE_BRANCH.format(total=limit + 1, maximum=limit)
    assert warnings_of(world, branch) == [("info", message, selectors.SOURCE_LARGE_BRANCH)]


def test_a_branch_of_exactly_50_is_not_flagged(world):
    branch = make_branch(world, full=rules.BRANCH_USUAL_MAX_MEMBERS, seats=3)
    assert warnings_of(world, branch) == []


def test_a_branch_of_7_without_a_committee_is_flagged(world):
    # 机关条例 第七条: "正式党员7人以上的党支部，设立支部委员会".
    no_term = make_branch(world, full=rules.MEMBERS_FOR_COMMITTEE, term_ends=None)
    no_seats = make_branch(world, full=rules.MEMBERS_FOR_COMMITTEE, seats=0)
    expected = [("warning", selectors.WARN_NO_COMMITTEE.format(full=7), selectors.SOURCE_COMMITTEE)]
    assert warnings_of(world, no_term) == expected
    assert warnings_of(world, no_seats) == expected


def test_probationary_members_do_not_make_a_committee_due(world):
    # 机关条例 第七条 counts 正式党员: 6 full + 3 probationary is still "正式党员不足7人" (1 secretary suffices).
    branch = make_branch(world, full=rules.MEMBERS_FOR_COMMITTEE - 1, probationary=3, seats=1)
    assert warnings_of(world, branch) == []


@pytest.mark.parametrize("seats", [rules.COMMITTEE_SIZE_NORMAL[0] - 1, rules.COMMITTEE_SIZE_MAX + 1])
def test_a_committee_of_the_wrong_size_is_flagged(world, seats):
    # 机关条例 第七条: "党支部委员会由3至5人组成，一般不超过7人" — 2 and 8 are outside.
    branch = make_branch(world, full=8, seats=seats)
    message = selectors.WARN_COMMITTEE_SIZE.format(seats=seats, low=3, high=5, maximum=rules.COMMITTEE_SIZE_MAX)
    assert warnings_of(world, branch) == [("warning", message, selectors.SOURCE_COMMITTEE)]


@pytest.mark.parametrize("seats", [rules.COMMITTEE_SIZE_NORMAL[0], rules.COMMITTEE_SIZE_MAX])
def test_a_committee_within_the_limits_is_not_flagged(world, seats):
    branch = make_branch(world, full=8, seats=seats)
    assert warnings_of(world, branch) == []


def test_a_small_branch_with_a_committee_gets_an_info(world):
    # 机关条例 第七条: "正式党员不足7人的党支部，设1名书记，必要时可以设1名副书记" — 3 seats is more than needed.
    branch = make_branch(world, full=rules.MEMBERS_FOR_COMMITTEE - 1, seats=rules.SMALL_BRANCH_MAX_LEADERS + 1)
    message = selectors.WARN_SMALL_BRANCH_SEATS.format(threshold=rules.MEMBERS_FOR_COMMITTEE, seats=3)
    assert warnings_of(world, branch) == [("info", message, selectors.SOURCE_COMMITTEE)]


def test_a_small_branch_with_a_secretary_and_a_deputy_is_not_flagged(world):
    branch = make_branch(world, full=rules.MEMBERS_FOR_COMMITTEE - 1, seats=rules.SMALL_BRANCH_MAX_LEADERS)
    assert warnings_of(world, branch) == []


def term_levels(world, ends_on: date) -> list[tuple[str, str]]:
    branch = make_branch(world, full=3, term_ends=ends_on)
    return [
        (level, message) for level, message, source in warnings_of(world, branch) if source == selectors.SOURCE_TERM
    ]


def test_a_term_expiring_within_3_months_gets_an_info(world):
    # 选举条例: remind 3 months (rules.TERM_REMIND_BEFORE) before the term ends.
    for ends_on in (TODAY + relativedelta(months=2), TODAY + rules.TERM_REMIND_BEFORE, TODAY):
        assert term_levels(world, ends_on) == [
            ("info", selectors.WARN_TERM_EXPIRING.format(ends_on=format_cn_date(ends_on)))
        ]


def test_a_term_ending_in_4_months_is_not_flagged(world):
    assert term_levels(world, TODAY + relativedelta(months=4)) == []
    assert term_levels(world, TODAY + rules.TERM_REMIND_BEFORE + timedelta(days=1)) == []


def test_an_expired_term_is_a_warning(world):
    # 选举条例: the election is due at term end; a delay needs approval and is normally ≤1 year.
    for ends_on in (TODAY - timedelta(days=1), TODAY - rules.TERM_OVERDUE_LIMIT):
        assert term_levels(world, ends_on) == [
            ("warning", selectors.WARN_TERM_EXPIRED.format(ends_on=format_cn_date(ends_on)))
        ]


def test_a_term_expired_more_than_a_year_ago_is_a_danger(world):
    # 选举条例: a delay is normally at most 1 year (rules.TERM_OVERDUE_LIMIT); beyond it, flag.
    ends_on = TODAY - rules.TERM_OVERDUE_LIMIT - timedelta(days=1)
    assert term_levels(world, ends_on) == [
        ("danger", selectors.WARN_TERM_OVERDUE.format(ends_on=format_cn_date(ends_on)))
    ]


def test_only_the_latest_term_counts(world):
    branch = make_branch(world, full=3, term_ends=TODAY - relativedelta(years=2))
    CommitteeTerm.objects.create(
        org=branch, started_on=TODAY - relativedelta(months=1), ends_on=TODAY + relativedelta(years=3)
    )
    assert [s for _, _, s in warnings_of(world, branch)] == []


def test_the_committees_term_is_checked_too(world):
    # 中办2018年意见: the 机关党委 term is 5 years; its expiry is flagged like a branch's.
    CommitteeTerm.objects.create(org=world.committee, started_on=date(2020, 1, 1), ends_on=date(2025, 1, 1))
    found = [
        (w.level, w.message)
        for w in org_warnings(org_tree(fetched_by=world.admin), today=TODAY)
        if w.org == world.committee
    ]
    assert found == [("danger", selectors.WARN_TERM_OVERDUE.format(ends_on=format_cn_date(date(2025, 1, 1))))]


def test_dissolved_orgs_and_groups_get_no_warnings(world):
    orgs = org_tree(fetched_by=world.admin, include_dissolved=True)
    warned = {w.org for w in org_warnings(orgs, today=TODAY)}
    assert world.group_a not in warned
    branch = make_branch(world, full=0, term_ends=None)
    Organization.objects.filter(pk=branch.pk).update(dissolved_on=date(2026, 1, 1))
    warned = {w.org for w in org_warnings(org_tree(fetched_by=world.admin, include_dissolved=True), today=TODAY)}
    assert branch not in warned


# ── query count ─────────────────────────────────────────────────────────────


def grow_tree(committee: Organization, *, branches: int, members_per_branch: int) -> None:
    """`branches` branches under the committee, each with a group, a term, a secretary and some members."""
    for _ in range(branches):
        branch = OrgFactory(parent=committee)
        group = OrgFactory(kind=OrgKind.GROUP, parent=branch)
        members = [MemberFactory(org=branch, group=group if i % 2 else None) for i in range(members_per_branch)]
        MemberFactory(org=branch, status=Status.TRANSFERRED_OUT)
        term = CommitteeTerm.objects.create(org=branch, started_on=date(2024, 1, 1), ends_on=date(2027, 1, 1))
        CommitteeSeat.objects.create(
            term=term, member=members[0], role=CommitteeRole.SECRETARY, started_on=date(2024, 1, 1)
        )


def count_tree_queries(admin: User) -> tuple[int, int]:
    fetched_by = User.objects.get(pk=admin.pk)  # a fresh user, as in a request: grants not yet loaded
    with CaptureQueriesContext(connection) as queries:
        orgs = org_tree(fetched_by=fetched_by)
        org_warnings(orgs, today=TODAY)
    return len(queries), len(orgs)


def test_the_tree_and_its_warnings_take_the_same_queries_whatever_its_size(db):
    committee = OrgFactory(name="机关党委", kind=OrgKind.COMMITTEE, code="Q")
    admin = UserFactory(username="q_admin")
    RoleGrant.objects.create(user=admin, role=Role.COMMITTEE_ADMIN, org=committee)

    grow_tree(committee, branches=2, members_per_branch=3)
    small_queries, small_orgs = count_tree_queries(admin)
    grow_tree(Organization.objects.get(pk=committee.pk), branches=5, members_per_branch=3)
    large_queries, large_orgs = count_tree_queries(admin)

    assert (small_orgs, large_orgs) == (5, 15)
    assert large_queries == small_queries
