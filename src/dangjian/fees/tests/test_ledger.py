"""The monthly ledger written set-based (ledger.generate_month) agrees with the pure rules; idempotent."""

from datetime import date

import pytest

from dangjian.fees import ledger, rules
from dangjian.fees.choices import BaseSource, FeeKind
from dangjian.fees.models import FeeBase, LedgerLine
from dangjian.members.choices import Status, TransferKind
from dangjian.members.models import Member, Transfer
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def lines(month=MARCH) -> dict[int, tuple[int, int]]:
    return {
        m: (org, due) for m, org, due in LedgerLine.objects.filter(month=month).values_list("member", "org", "due_fen")
    }


def test_roster_bases_then_the_month_for_every_member_in_register(world):
    assert ledger.seed_roster_bases() == 3
    base = FeeBase.objects.get(member=world.member_a)
    assert (base.kind, base.base_fen, base.source) == (FeeKind.EMPLOYED, 600_000, BaseSource.ROSTER)
    assert base.effective_month == world.member_a.joined_on.replace(day=1)
    assert ledger.generate_month(MARCH) == 3
    due = rules.monthly_due(FeeKind.EMPLOYED, 600_000)
    assert lines() == {
        world.member_a.pk: (world.branch_a.pk, due),
        world.member_a2.pk: (world.branch_a.pk, due),
        world.member_b.pk: (world.branch_b.pk, due),
    }
    assert ledger.generate_month(MARCH) == 0 and ledger.seed_roster_bases() == 0  # idempotent


def test_each_kind_and_the_base_in_force_that_month(world):
    ledger.seed_roster_bases()
    FeeBase.objects.create(member=world.member_a, kind=FeeKind.RETIRED, base_fen=500_001, effective_month=MARCH)
    FeeBase.objects.create(member=world.member_a2, kind=FeeKind.FARMER, fixed_fen=50, effective_month=date(2026, 4, 1))
    FeeBase.objects.create(member=world.member_b, kind=FeeKind.DIBAO, effective_month=date(2025, 1, 1))
    ledger.generate_month(MARCH)
    ledger.generate_month(date(2026, 4, 1))
    assert lines()[world.member_a.pk][1] == 5000  # retired above 5000: 1%
    assert lines()[world.member_a2.pk][1] == rules.monthly_due(FeeKind.EMPLOYED, 600_000)  # April's base not yet
    assert lines(date(2026, 4, 1))[world.member_a2.pk][1] == 50
    assert lines()[world.member_b.pk][1] == 20


def test_joining_transfers_and_exits_as_the_pure_rule_says(world):
    accepted = MemberFactory(
        org=world.branch_a, joined_on=date(2026, 3, 20), full_member_on=None, category="probationary"
    )
    arrived = MemberFactory(org=world.branch_b)
    Transfer.objects.create(
        member=arrived, kind=TransferKind.IN, transferred_on=date(2026, 3, 5), to_org=world.branch_b
    )
    left = MemberFactory(org=world.branch_a, status=Status.TRANSFERRED_OUT, status_changed_on=date(2026, 3, 16))
    Transfer.objects.create(
        member=left, kind=TransferKind.OUT, transferred_on=date(2026, 3, 16), from_org=world.branch_a
    )
    moved = MemberFactory(org=world.branch_b)
    Transfer.objects.create(
        member=moved,
        kind=TransferKind.INTERNAL,
        transferred_on=date(2026, 3, 10),
        from_org=world.branch_a,
        to_org=world.branch_b,
    )
    died = MemberFactory(org=world.branch_a, status=Status.DECEASED, status_changed_on=date(2026, 3, 2))
    ledger.seed_roster_bases()
    for member in (left, died):  # bases kept from when they were in register
        FeeBase.objects.create(member=member, kind=FeeKind.EMPLOYED, base_fen=600_000, effective_month=date(2020, 1, 1))
    ledger.generate_month(MARCH)
    written = lines()
    for member in (accepted, arrived, left, moved, died):
        member = Member.objects.get(pk=member.pk)
        transfers = tuple(
            rules.TransferFact(t.transferred_on, t.kind, t.from_org_id) for t in Transfer.objects.filter(member=member)
        )
        facts = rules.MemberFacts(member.joined_on, member.status, member.status_changed_on, member.org_id, transfers)
        expected = rules.owing_org(facts, MARCH)
        assert (written.get(member.pk) or (None,))[0] == expected, member
    assert written[accepted.pk][0] == world.branch_a.pk and arrived.pk not in written
    assert written[left.pk][0] == world.branch_a.pk and written[moved.pk][0] == world.branch_a.pk
    assert died.pk not in written
