"""The members' part of scale data set L (members/scale.py), on a small set: valid people, statuses with their
history, committees, logins with their roles, and the statistics precomputed last."""

import pytest
from dateutil.relativedelta import relativedelta

from dangjian.core import clock as core_clock
from dangjian.core.lib import idcard
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.scale import ADMIN_USERNAME, SCALE_PASSWORD
from dangjian.core.tests.scale_set import MEMBERS, seed
from dangjian.members.choices import Category, Gender, Status, TransferKind
from dangjian.members.datagen import TITLES
from dangjian.members.models import Member, StatsSnapshot, StatusChange, Transfer
from dangjian.members.stats import member_stats
from dangjian.members.validation import cross_field_errors
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.scale import DEPARTMENTS, SCALE_ROOT_CODE


@pytest.fixture
def small(db):
    return seed()


def test_every_member_is_valid_and_consistent(small):
    members = list(Member.objects.select_related("org", "group"))
    assert len(members) == MEMBERS
    for member in members:
        member.full_clean()  # ID checksum, birth date and gender against the number, join age, category dates
        card = idcard.parse(member.id_number)
        assert (card.birth_date, card.is_male) == (member.birth_date, member.gender == Gender.MALE)
        assert not cross_field_errors(
            id_number=member.id_number,
            birth_date=member.birth_date,
            gender=member.gender,
            category=member.category,
            joined_on=member.joined_on,
            full_member_on=member.full_member_on,
            work_started_on=member.work_started_on,
            today=core_clock.today(),
        )
        assert member.name_pinyin and member.name_initials and member.position
        assert member.org.kind == OrgKind.BRANCH
        if member.org.numchild:
            assert member.group and member.group.path.startswith(member.org.path)
        else:
            assert member.group is None
    assert len({m.id_number for m in members}) == len(members)
    assert len({m.phone for m in members}) == len(members)
    assert 0.04 * MEMBERS <= sum(m.category == Category.PROBATIONARY for m in members) <= 0.14 * MEMBERS


def test_statuses_come_with_their_history(small):
    admin = User.objects.get(username=ADMIN_USERNAME)
    left = Member.objects.exclude(status=Status.ACTIVE)
    assert left.exists()
    for member in left:
        change = member.status_changes.get()
        assert (change.from_status, change.to_status) == (Status.ACTIVE, member.status)
        assert change.changed_on == member.status_changed_on
        assert member.full_member_on < change.changed_on <= core_clock.today()
        assert change.changed_on >= core_clock.today() - relativedelta(years=3)
        assert change.changed_by == admin
        assert change.exit_kind == member.exit_kind
        if member.status == Status.TRANSFERRED_OUT:
            transfer = member.transfers.get()
            assert transfer.kind == TransferKind.OUT and transfer.from_org == member.org and transfer.external_org
    for moved in Transfer.objects.filter(kind=TransferKind.INTERNAL).select_related("member"):
        assert moved.member.status == Status.ACTIVE
        assert moved.to_org == moved.member.org != moved.from_org
    assert StatusChange.objects.count() == left.count()


def test_every_org_has_a_committee_with_one_secretary(small):
    for org in Organization.objects.exclude(kind=OrgKind.GROUP):
        terms = list(org.terms.order_by("started_on"))
        assert terms, org.code
        current = terms[-1]
        assert current.ends_on == current.started_on + relativedelta(years=org_rules.TERM_YEARS[org.kind])
        seats = CommitteeSeat.objects.filter(term=current, ended_on__isnull=True).select_related("member__org")
        assert [s.role for s in seats].count(CommitteeRole.SECRETARY) == 1
        for seat in seats:
            assert seat.member.status == Status.ACTIVE and seat.member.category == Category.FULL
            assert seat.member.org.path.startswith(org.path)
        if len(terms) == 2:
            assert terms[0].ends_on == current.started_on
            assert not terms[0].seats.filter(ended_on__isnull=True).exists()
    assert CommitteeTerm.objects.filter(ends_on__gt=core_clock.today()).exists()


def test_logins_hold_their_roles(small):
    admin = User.objects.get(username=ADMIN_USERNAME)
    assert admin.check_password(SCALE_PASSWORD)
    assert list(admin.role_grants.values_list("role", "org__code")) == [(Role.COMMITTEE_ADMIN, SCALE_ROOT_CODE)]
    assert admin.member.committee_seats.filter(term__org__code=SCALE_ROOT_CODE, ended_on__isnull=True).exists()
    branches = Organization.objects.filter(kind=OrgKind.BRANCH)
    secretaries = RoleGrant.objects.filter(role=Role.SECRETARY)
    assert set(secretaries.values_list("org_id", flat=True)) == set(branches.values_list("pk", flat=True))
    linked = User.objects.filter(username__startswith="gw_shuji_", member__isnull=False)
    assert linked.count() >= 0.9 * branches.count()  # the rest already log in as a 机关党委 officer
    first = linked.order_by("username").first()
    branch = first.role_grants.get().org
    assert first.member.org == branch and first.full_name == first.member.name
    assert first.member.committee_seats.get(term__org=branch, ended_on__isnull=True).role == CommitteeRole.SECRETARY
    assert Member.objects.visible_to(first).count() == branch.members.count()
    assert Member.objects.visible_to(admin).count() == MEMBERS


def test_big_scopes_come_with_their_statistics_precomputed(db, settings):
    settings.STATS_PRECOMPUTE_MIN_MEMBERS = MEMBERS // 2
    result = seed()
    assert result.counts["预先计算统计的组织"] == StatsSnapshot.objects.count() >= 1
    admin = User.objects.get(username=ADMIN_USERNAME)
    precomputed = member_stats(fetched_by=admin)
    assert precomputed.org == Organization.objects.get(code=SCALE_ROOT_CODE) and precomputed.computed_at is not None
    live = member_stats(fetched_by=admin, live=True)
    assert [t.rows for t in precomputed.tables] == [t.rows for t in live.tables]
    assert precomputed.orgs.rows == live.orgs.rows


def test_departments_with_their_own_titles_appear():
    assert set(TITLES) <= set(DEPARTMENTS)  # departments with their own 职称 ladder
