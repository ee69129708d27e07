"""Scale data set L and `seed-scale`, on a small set: exact counts, a sound tree, valid people, the same data for
the same seed, producers in order, and refusals. (The full 100,000-member set is for `make bench`, not tests.)"""

from datetime import date
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.db import transaction

from dangjian.core import scale
from dangjian.core.datagen import TITLES
from dangjian.core.demo import demo_seed
from dangjian.core.lib import idcard
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.scale import (
    ADMIN_USERNAME,
    ERR_EXISTS,
    ERR_PRODUCTION,
    SCALE_PASSWORD,
    SCALE_ROOT_CODE,
    ScaleSeedError,
    allocate,
    chinese_number,
    org_counts,
    scale_producer,
    scale_producers,
    scale_seed,
)
from dangjian.members.choices import Category, Gender, Status, TransferKind
from dangjian.members.models import Member, StatsSnapshot, StatusChange, Transfer
from dangjian.members.stats import member_stats
from dangjian.members.validation import cross_field_errors
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import ALLOWED_PARENTS, CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization

TODAY = date.today()
MEMBERS, ORGS = 300, 40


def seed(**kwargs):
    return scale_seed(**{"members": MEMBERS, "orgs": ORGS, "today": TODAY, **kwargs})


@pytest.fixture
def small(db):
    return seed()


def subtree(model, lookup: str):
    return model.objects.filter(**{f"{lookup}__startswith": Organization.objects.get(code=SCALE_ROOT_CODE).path})


def test_the_command_builds_exactly_what_was_asked(db):
    out = StringIO()
    call_command("seed-scale", "--members", str(MEMBERS), "--orgs", str(ORGS), "--seed", "7", stdout=out)
    assert "已生成规模测试数据" in out.getvalue() and ADMIN_USERNAME in out.getvalue()
    assert Organization.objects.count() == ORGS
    assert Member.objects.count() == MEMBERS
    kinds = {kind: Organization.objects.filter(kind=kind).count() for kind in OrgKind.values}
    assert kinds == org_counts(ORGS)


def test_the_tree_is_sound(small):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get(code=SCALE_ROOT_CODE)
    assert root.is_root() and root.kind == OrgKind.COMMITTEE
    by_path = {o.path: o for o in Organization.objects.all()}
    for org in by_path.values():
        parent = by_path.get(org.path[: -Organization.steplen])
        assert (parent.kind if parent else None) in ALLOWED_PARENTS[org.kind], org.code
        assert org.numchild == sum(1 for p in by_path if p.startswith(org.path) and len(p) == len(org.path) + 4)
        if org.kind == OrgKind.BRANCH:
            assert org.department and org.members.count() >= scale.MIN_BRANCH_SIZE
        if org.kind == OrgKind.GENERAL_BRANCH:
            assert org.numchild >= 2
    # treebeard reads the tree the same way
    assert Organization.objects.get_parent(Organization.objects.get(code=f"{SCALE_ROOT_CODE}001")) == root
    assert Organization.objects.get_descendant_count(root) == ORGS - 1


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
            today=TODAY,
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
        assert member.full_member_on < change.changed_on <= TODAY
        assert change.changed_on >= TODAY - relativedelta(years=3)
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
    assert CommitteeTerm.objects.filter(ends_on__gt=TODAY).exists()


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


def snapshot() -> list[tuple]:
    return list(
        Member.objects.order_by("org__path", "id").values_list(
            "name", "id_number", "phone", "org__code", "group__code", "status", "joined_on", "fee_base"
        )
    )


def test_the_same_seed_gives_the_same_set(db):
    class Undo(Exception):
        pass

    runs = []
    for seed_value in (5, 5, 6):
        with pytest.raises(Undo), transaction.atomic():
            seed(seed=seed_value)
            runs.append((snapshot(), list(Organization.objects.values_list("path", "code", "name"))))
            raise Undo
    assert not Organization.objects.exists()
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]


def test_producers_run_in_order_and_a_later_module_adds_its_own(db):
    seen = {}

    @scale_producer(order=99)
    def produce_test_records(ctx):
        seen["orgs"] = len(ctx.orgs)
        seen["members"] = len(ctx.members)
        seen["admin"] = ctx.users[ADMIN_USERNAME]
        seen["draw"] = ctx.rng.random()

    name = f"{__name__}.{produce_test_records.__qualname__}"
    try:
        names = [p.name for p in scale_producers()]
        assert names[:5] == [
            "dangjian.core.scale.produce_orgs",
            "dangjian.members.scale.produce_members",
            "dangjian.core.scale.produce_committees",
            "dangjian.core.scale.produce_accounts",
            "dangjian.members.scale.produce_history",
        ]
        assert names[-2:] == [name, "dangjian.members.scale.produce_stats_snapshots"]  # derived figures last
        orders = [p.order for p in scale_producers()]
        assert orders == sorted(orders)
        result = seed()
    finally:
        scale._producers.pop(name)
    assert seen["orgs"] == ORGS and seen["members"] == MEMBERS
    assert seen["admin"] == User.objects.get(username=ADMIN_USERNAME).pk
    assert name in result.seconds


def test_big_scopes_come_with_their_statistics_precomputed(db, settings):
    settings.STATS_PRECOMPUTE_MIN_MEMBERS = MEMBERS // 2
    result = seed()
    assert result.counts["预先计算统计的组织"] == StatsSnapshot.objects.count() >= 1
    admin = User.objects.get(username=ADMIN_USERNAME)
    precomputed = member_stats(fetched_by=admin)
    assert precomputed.org == result.root and precomputed.computed_at is not None
    live = member_stats(fetched_by=admin, live=True)
    assert [t.rows for t in precomputed.tables] == [t.rows for t in live.tables]
    assert precomputed.orgs.rows == live.orgs.rows


def test_it_sits_beside_the_demo_set(db):
    demo = demo_seed(today=TODAY)
    result = seed()
    assert result.root.path > demo.committee.path
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert subtree(Member, "org__path").count() == MEMBERS
    assert Member.objects.values("id_number").distinct().count() == Member.objects.count()


def test_it_refuses_a_second_run(small):
    before = Member.objects.count()
    with pytest.raises(CommandError, match=ERR_EXISTS.format(code=SCALE_ROOT_CODE)):
        call_command("seed-scale", "--members", "300", "--orgs", "40", stdout=StringIO())
    assert Member.objects.count() == before


def test_it_refuses_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=ERR_PRODUCTION):
        call_command("seed-scale", "--members", "300", "--orgs", "40", stdout=StringIO())
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": 30, "orgs": 40}, "党员数至少应为党支部数的 3 倍"),
        ({"orgs": 2}, "组织数至少为 3"),
        ({"years": 0}, "年数应在 1 到 10 之间"),
        ({"today": TODAY + relativedelta(days=1)}, "基准日期不能晚于今天"),
    ],
)
def test_it_refuses_impossible_sizes(db, kwargs, message):
    with pytest.raises(ScaleSeedError, match=message):
        seed(**kwargs)
    assert not Organization.objects.exists()


def test_the_smallest_set_works(db):
    scale_seed(members=3, orgs=3, today=TODAY)
    assert [o.kind for o in Organization.objects.all()] == [OrgKind.COMMITTEE, OrgKind.COMMITTEE, OrgKind.BRANCH]
    assert Member.objects.count() == 3


def test_the_l_shape():
    counts = org_counts(5000)
    assert counts == {OrgKind.COMMITTEE: 101, OrgKind.GENERAL_BRANCH: 300, OrgKind.BRANCH: 3250, OrgKind.GROUP: 1349}
    assert scale.default_orgs(100_000) == 5000
    assert set(TITLES) <= set(scale.DEPARTMENTS)  # departments with their own 职称 ladder appear


def test_allocate_and_numbers():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(10, [1, 2, 7], minimum=2) == [2, 3, 5]
    assert sum(allocate(100_000, [0.3, 1.7, 2.2, 0.9], minimum=3)) == 100_000
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35, 99)] == ["一", "十", "十二", "二十", "三十五", "九十九"]
