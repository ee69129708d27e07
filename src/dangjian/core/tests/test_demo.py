"""The demo runner and `seed_demo`: a second run writes nothing, refusals, the printed accounts, and producers
registered per app run in order (the set itself is tested in orgs/tests and members/tests)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.core import clock as core_clock
from dangjian.core import demo
from dangjian.core.demo import (
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    DemoSeedError,
    demo_producer,
    demo_producers,
    demo_seed,
    demo_summary,
)
from dangjian.core.models import RoleGrant, User
from dangjian.core.tests.factories import UserFactory
from dangjian.members.demo import DEMO_USERNAMES
from dangjian.members.models import Member, StatusChange, Transfer
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization


@pytest.fixture
def demo_set(db):
    return demo_seed(today=core_clock.today())


def table_counts() -> dict[str, int]:
    models = [Organization, Member, StatusChange, Transfer, CommitteeTerm, CommitteeSeat, User, RoleGrant]
    return {model.__name__: model.objects.count() for model in models}


def test_a_second_run_creates_nothing(demo_set):
    before = table_counts()
    again = demo_seed(today=core_clock.today())
    assert not again.created
    assert again.title == demo_set.title and again.counts == demo_set.counts
    assert again.accounts == demo_set.accounts
    assert table_counts() == before


def test_it_refuses_a_database_where_a_demo_username_is_taken(db):
    UserFactory(username="admin")
    with pytest.raises(DemoSeedError, match="admin"):
        demo_seed(today=core_clock.today())
    assert not Organization.objects.exists() and not Member.objects.exists()
    with pytest.raises(CommandError, match="admin"):
        call_command("seed_demo", stdout=StringIO())


def test_the_command_lists_the_accounts_and_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "已载入演示数据" in text
    for username in DEMO_USERNAMES:
        assert username in text
    assert DEMO_PASSWORD in text and "支部书记" in text and "办公室党支部" in text
    before = table_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "已存在" in out.getvalue() and "dangyuan01" in out.getvalue()
    assert table_counts() == before


def test_it_refuses_a_reference_date_in_the_future(db, tomorrow):
    with pytest.raises(DemoSeedError, match="不能晚于今天"):
        demo_seed(today=tomorrow)
    assert not Organization.objects.exists()


def test_command_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("seed_demo", stdout=StringIO())


def test_producers_run_in_order_and_a_later_module_adds_its_own(db):
    seen = {}

    @demo_producer(order=99)
    def produce_test_records(ctx):
        seen["orgs"] = len(ctx.made["orgs.orgs"])
        seen["admin"] = ctx.users[ADMIN_USERNAME]
        seen["today"] = ctx.today

    @demo_summary(order=99)
    def summarize_test_records(summary):
        summary.counts["测试记录"] = len(seen)

    name = f"{__name__}.{produce_test_records.__qualname__}"
    try:
        names = [p.name for p in demo_producers()]
        assert names == [
            "dangjian.orgs.demo.produce_tree",
            "dangjian.members.demo.produce_members",
            "dangjian.members.demo.produce_committees",
            "dangjian.members.demo.produce_accounts",
            "dangjian.members.demo.produce_history",
            "dangjian.meetings.demo.produce_meetings",
            "dangjian.fees.demo.produce_fees",
            "dangjian.development.demo.produce_development",
            "dangjian.study.demo.produce_study",
            "dangjian.voice.demo.produce_commitments",
            "dangjian.voice.demo.produce_consultations",
            "dangjian.voice.demo.produce_inquiries",
            "dangjian.voice.demo.produce_proposals",
            "dangjian.voice.demo.produce_surveys",
            name,
        ]
        result = demo_seed(today=core_clock.today())
    finally:
        demo._producers.pop(name)
        demo._summaries.pop(f"{__name__}.{summarize_test_records.__qualname__}")
    assert seen == {
        "orgs": Organization.objects.count(),
        "admin": User.objects.get(username="admin"),
        "today": core_clock.today(),
    }
    assert list(result.counts)[-2:] == ["测试记录", demo.ACCOUNTS_LABEL]  # each app's counts, the logins last
    assert result.counts["测试记录"] == 3
