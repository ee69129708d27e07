"""The scale runner and `seed-scale`, on a small set: exact counts, the same data for the same seed, producers
registered per app in order, and refusals (the set itself is tested in orgs/tests and members/tests; the full
100,000-member set is for `make bench`, not tests)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from dangjian.core import clock as core_clock
from dangjian.core import scale
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.core.scale import (
    ADMIN_USERNAME,
    ERR_PRODUCTION,
    ScaleSeedError,
    allocate,
    chinese_number,
    scale_producer,
    scale_producers,
)
from dangjian.core.tests.scale_set import MEMBERS, ORGS, seed
from dangjian.members.models import Member
from dangjian.members.scale import scale_members
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.demo import DEMO_COMMITTEE_CODE
from dangjian.orgs.models import Organization
from dangjian.orgs.scale import SCALE_ROOT_CODE, org_counts, scale_orgs


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
        seen["orgs"] = len(scale_orgs(ctx))
        seen["members"] = len(scale_members(ctx))
        seen["admin"] = ctx.users[ADMIN_USERNAME]
        seen["draw"] = ctx.rng.random()

    name = f"{__name__}.{produce_test_records.__qualname__}"
    try:
        names = [p.name for p in scale_producers()]
        assert names[:5] == [
            "dangjian.orgs.scale.produce_orgs",
            "dangjian.members.scale.produce_members",
            "dangjian.members.scale.produce_committees",
            "dangjian.members.scale.produce_accounts",
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


def test_it_sits_beside_the_demo_set(db):
    demo_seed(today=core_clock.today())
    result = seed()
    root, committee = (Organization.objects.get(code=code) for code in (SCALE_ROOT_CODE, DEMO_COMMITTEE_CODE))
    assert root.path > committee.path and result.title == root.name
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert subtree(Member, "org__path").count() == MEMBERS
    assert Member.objects.values("id_number").distinct().count() == Member.objects.count()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"years": 0}, "年数应在 1 到 10 之间"),
    ],
)
def test_it_refuses_impossible_parameters(db, kwargs, message):
    with pytest.raises(ScaleSeedError, match=message):
        seed(**kwargs)
    assert not Organization.objects.exists()


def test_it_refuses_a_reference_date_in_the_future(db, tomorrow):
    with pytest.raises(ScaleSeedError, match="基准日期不能晚于今天"):
        seed(today=tomorrow)
    assert not Organization.objects.exists()


def test_it_refuses_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=ERR_PRODUCTION):
        call_command("seed-scale", "--members", "300", "--orgs", "40", stdout=StringIO())
    assert not Organization.objects.exists()


def test_allocate_and_numbers():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(10, [1, 2, 7], minimum=2) == [2, 3, 5]
    assert sum(allocate(100_000, [0.3, 1.7, 2.2, 0.9], minimum=3)) == 100_000
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35, 99)] == ["一", "十", "十二", "二十", "三十五", "九十九"]
