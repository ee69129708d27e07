"""set_base: each kind, each refusal (nothing written), history, replacement in the same month, and the ledger lines
of the months a base governs brought up to date (paid ones too)."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.fees import ledger, rules
from dangjian.fees.bases import base_history, base_in_force, set_base
from dangjian.fees.choices import BaseSource, FeeKind
from dangjian.fees.models import FeeBase, LedgerLine

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 15)
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture
def may(clock):
    clock.set(TODAY)
    return TODAY


def setting(world, **kw):
    values = {"by": world.secretary_a, "member": world.member_a, "kind": FeeKind.EMPLOYED, "effective_month": MAY}
    return set_base(**(values | kw))


@pytest.mark.parametrize(
    ("kw", "due"),
    [
        ({"kind": FeeKind.EMPLOYED, "base_fen": 600_000}, 9000),
        ({"kind": FeeKind.RETIRED, "base_fen": 400_000}, 2000),
        ({"kind": FeeKind.FARMER, "fixed_fen": 50}, 50),
        ({"kind": FeeKind.STUDENT}, 20),
        ({"kind": FeeKind.UNEMPLOYED}, 20),
        ({"kind": FeeKind.DIBAO}, 20),
        ({"kind": FeeKind.EXEMPT, "approved_on": date(2026, 4, 20), "reason": "重病，支部大会同意"}, 0),
    ],
)
def test_each_kind(world, may, kw, due):
    row = setting(world, **kw)
    row.refresh_from_db()
    assert (row.kind, row.monthly_due_fen, row.source) == (kw["kind"], due, "manual")
    assert row.recorded_by == world.secretary_a
    assert base_in_force(world.member_a, JUNE) == row and base_in_force(world.member_a, date(2026, 4, 1)) is None


def test_fields_of_another_kind_are_not_kept(world, may):
    row = setting(world, kind=FeeKind.STUDENT, base_fen=600_000, fixed_fen=50, approved_on=date(2026, 1, 1))
    assert (row.base_fen, row.fixed_fen, row.approved_on) == (None, None, None)


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"kind": ""}, "kind", "请选择交纳类别"),
        ({"kind": "", "base_fen": 600_000}, "kind", "请选择交纳类别"),
        ({"base_fen": -1}, "base_fen", "党费基数不能为负数"),
        ({"base_fen": None}, "base_fen", "须填写党费基数"),
        ({"base_fen": rules.BASE_MAX_FEN + 1}, "base_fen", "党费基数不能超过"),
        ({"kind": FeeKind.FARMER, "fixed_fen": 19}, "fixed_fen", "0.2 元至 1 元"),
        ({"kind": FeeKind.FARMER, "fixed_fen": 101}, "fixed_fen", "0.2 元至 1 元"),
        ({"kind": FeeKind.FARMER}, "fixed_fen", "0.2 元至 1 元"),
        ({"kind": FeeKind.EXEMPT, "reason": "困难"}, "approved_on", "批准日期和理由"),
        ({"kind": FeeKind.EXEMPT, "approved_on": date(2026, 5, 1), "reason": " "}, "approved_on", "批准日期和理由"),
        ({"kind": FeeKind.EXEMPT, "approved_on": date(2026, 5, 16), "reason": "困难"}, "approved_on", "不能晚于今天"),
        ({"effective_month": date(2026, 7, 1)}, "effective_month", "最晚为下月（2026年6月）"),
        ({"effective_month": date(2026, 5, 2)}, "effective_month", "须为某月1日"),
        ({"effective_month": date(2010, 6, 1)}, "effective_month", "不能早于入党当月"),
    ],
)
def test_refusals_write_nothing(world, may, kw, field, message):
    if kw.get("kind", FeeKind.EMPLOYED) == FeeKind.EMPLOYED and "base_fen" not in kw:
        kw = kw | {"base_fen": 600_000}
    with pytest.raises(ValidationError) as refused:
        setting(world, **kw)
    assert message in " ".join(refused.value.message_dict[field])
    assert not FeeBase.objects.exists()


def test_next_month_is_the_latest_accepted(world, may):
    assert setting(world, base_fen=600_000, effective_month=JUNE).effective_month == JUNE


def test_outside_the_scope_refused(world, may):
    with pytest.raises(PermissionDenied):
        setting(world, by=world.secretary_b, base_fen=600_000)
    with pytest.raises(PermissionDenied):
        setting(world, by=world.inspector, base_fen=600_000)
    assert not FeeBase.objects.exists()


def test_history_and_replacement_in_the_same_month(world, may):
    first = setting(world, base_fen=500_000, effective_month=date(2026, 1, 1))
    setting(world, base_fen=600_000)
    again = setting(world, base_fen=700_000, reason="补发工资后重算")
    assert FeeBase.objects.filter(member=world.member_a).count() == 2
    history = list(base_history(fetched_by=world.secretary_a, member=world.member_a))
    assert [(b.effective_month, b.base_fen) for b in history] == [(MAY, 700_000), (date(2026, 1, 1), 500_000)]
    assert base_in_force(world.member_a, date(2026, 4, 1)) == first
    assert base_in_force(world.member_a, JUNE).pk == again.pk
    entries = LogEntry.objects.get_for_object(again).order_by("timestamp")
    assert entries.count() == 2 and "700000" in str(entries.last().changes)
    assert list(base_history(fetched_by=world.secretary_b, member=world.member_a)) == []


def test_ledger_lines_follow_the_base_paid_ones_too(world, may):
    ledger.seed_roster_bases()  # 6000 yuan from the month member_a joined
    for month in (date(2026, 3, 1), date(2026, 4, 1), MAY, JUNE):
        ledger.generate_month(month)
    setting(world, base_fen=800_000, effective_month=JUNE)  # a later base, set first
    june = LedgerLine.objects.get(member=world.member_a, month=JUNE)
    assert june.due_fen == 12_000
    # April to June paid in advance at the old rate (payments are another module's; the paid sum is what counts).
    LedgerLine.objects.filter(member=world.member_a, month__in=[date(2026, 4, 1), MAY]).update(paid_fen=9000)
    row = setting(world, kind=FeeKind.EMPLOYED, base_fen=1_200_000, effective_month=date(2026, 4, 1))
    assert row.lines_updated == 2  # April and May: June keeps its own base
    lines = {line.month: line for line in LedgerLine.objects.filter(member=world.member_a).order_by("month")}
    assert lines[date(2026, 3, 1)].due_fen == 9000  # before the base: untouched
    assert (lines[date(2026, 4, 1)].kind, lines[date(2026, 4, 1)].base_fen) == ("employed", 1_200_000)
    assert lines[MAY].due_fen == 24_000 and lines[MAY].owed_fen == 15_000  # the difference is owed
    assert lines[JUNE].due_fen == 12_000
    setting(world, kind=FeeKind.RETIRED, base_fen=400_000, effective_month=date(2026, 4, 1))
    may_line = LedgerLine.objects.get(member=world.member_a, month=MAY)
    assert (may_line.due_fen, may_line.paid_fen - may_line.due_fen) == (2000, 7000)  # overpaid 70 yuan
    assert LedgerLine.objects.get(member=world.member_a2, month=MAY).due_fen == 9000  # another member: untouched


def test_a_roster_base_replaced_by_the_check(world, may):
    ledger.seed_roster_bases()
    joined = world.member_a.joined_on.replace(day=1)
    row = setting(world, base_fen=650_000, effective_month=joined, source=BaseSource.CHECK)
    assert FeeBase.objects.get(member=world.member_a).source == BaseSource.CHECK == row.source
