"""Recording payments (fees/payments.py): allocation oldest first, partial payments, months ahead, a quarter in
advance, extras apart, reversals, double submits; each bad input refused with a Chinese message and nothing written."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from dangjian.fees import ledger, rules
from dangjian.fees.choices import FeeKind, PayMethod
from dangjian.fees.models import FeeBase, LedgerLine, Payment, PaymentMonth
from dangjian.fees.payments import (
    AHEAD_MONTHS,
    AMOUNT_MAX_FEN,
    ERR_ALREADY_REVERSED,
    ERR_AMOUNT_MAX,
    ERR_AMOUNT_POSITIVE,
    ERR_OVERPAID,
    ERR_REASON,
    MonthRow,
    backfill_warning,
    payable_months,
    record_month_payments,
    record_payment,
    reverse_payment,
)

pytestmark = pytest.mark.django_db

DUE = rules.monthly_due(FeeKind.EMPLOYED, 600_000)  # the factory's 6000 yuan: 90.00


@pytest.fixture
def months(world, clock):
    """Ledger lines for this month and the three before it, for every member (bases from the roster)."""
    ledger.seed_roster_bases()
    this = rules.month_first(clock.today())
    firsts = [rules.add_months(this, -n) for n in (3, 2, 1, 0)]
    for first in firsts:
        ledger.generate_month(first)
    return firsts


def pay(world, months, amount_fen, **kwargs):
    values = {
        "by": world.secretary_a,
        "member": world.member_a,
        "months": months,
        "amount_fen": amount_fen,
        "paid_on": kwargs.pop("paid_on"),
        "method": PayMethod.CASH,
        "submission_key": uuid.uuid4(),
    }
    values.update(kwargs)
    return record_payment(**values)


def paid(member, month) -> int:
    return LedgerLine.objects.get(member=member, month=month).paid_fen


def snapshot():
    return (
        list(Payment.objects.values_list("id", "amount_fen")),
        list(PaymentMonth.objects.values_list("id", "amount_fen")),
        sorted(LedgerLine.objects.values_list("id", "paid_fen", "due_fen")),
    )


def test_one_month_paid_in_full(world, months, clock):
    payment = pay(world, [months[-1]], DUE, paid_on=clock.today(), receipt_no="NO.001")
    assert (payment.amount_fen, payment.extra_fen, payment.org, payment.recorded_by) == (
        DUE,
        0,
        world.branch_a,
        world.secretary_a,
    )
    assert paid(world.member_a, months[-1]) == DUE
    assert list(payment.months.values_list("line__month", "amount_fen")) == [(months[-1], DUE)]


def test_allocated_oldest_first_and_a_partial_payment_leaves_the_last_month_partly_paid(world, months, clock):
    payment = pay(world, list(reversed(months[:3])), 2 * DUE + 1000, paid_on=clock.today())
    assert [paid(world.member_a, m) for m in months] == [DUE, DUE, 1000, 0]
    assert list(payment.months.order_by("line__month").values_list("amount_fen", flat=True)) == [DUE, DUE, 1000]
    # The rest of the partly paid month later: it is still owed.
    pay(world, [months[2]], DUE - 1000, paid_on=clock.today())
    assert paid(world.member_a, months[2]) == DUE


def test_voluntary_extra_is_recorded_apart_from_the_months(world, months, clock):
    payment = pay(world, [months[-1]], DUE, extra_fen=5000, paid_on=clock.today())
    assert (payment.amount_fen, payment.extra_fen) == (DUE, 5000)
    assert paid(world.member_a, months[-1]) == DUE  # the extra pays no month


def test_a_quarter_paid_in_advance_writes_the_lines_ahead(world, months, clock):
    this = months[-1]
    ahead = [rules.add_months(this, n) for n in (1, 2, 3)]
    FeeBase.objects.create(
        member=world.member_a, kind=FeeKind.EMPLOYED, base_fen=400_000, effective_month=ahead[1]
    )  # a raise from the second month ahead: that month's due follows it
    new_due = rules.monthly_due(FeeKind.EMPLOYED, 400_000)
    payment = pay(world, ahead, DUE + 2 * new_due, paid_on=clock.today())
    lines = LedgerLine.objects.filter(member=world.member_a, month__in=ahead).order_by("month")
    assert [(ln.org_id, ln.due_fen, ln.paid_fen) for ln in lines] == [
        (world.branch_a.pk, DUE, DUE),
        (world.branch_a.pk, new_due, new_due),
        (world.branch_a.pk, new_due, new_due),
    ]
    assert payment.months.count() == 3
    # The nightly task later finds the lines written and leaves them alone.
    assert (
        ledger.generate_month(ahead[0]) == 0
        or not LedgerLine.objects.filter(member=world.member_a, month=ahead[0], paid_fen=0).exists()
    )


def test_this_months_line_not_yet_written_is_written_when_paid(world, clock):
    ledger.seed_roster_bases()
    this = rules.month_first(clock.today())
    pay(world, [this], DUE, paid_on=clock.today())
    assert paid(world.member_a, this) == DUE


@pytest.mark.parametrize(
    ("amount", "extra", "message"),
    [
        (-100, 0, ERR_AMOUNT_POSITIVE),
        (0, 0, ERR_AMOUNT_POSITIVE),
        (AMOUNT_MAX_FEN + 1, 0, ERR_AMOUNT_MAX),
        (DUE, -1, "自愿多交金额不能为负数"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(world, months, clock, amount, extra, message):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        pay(world, [months[-1]], amount, extra_fen=extra, paid_on=clock.today())
    assert message in str(refused.value)
    assert snapshot() == before


def test_more_than_the_months_owe_is_refused_unless_recorded_as_extra(world, months, clock):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        pay(world, [months[-1]], DUE + 1, paid_on=clock.today())
    assert refused.value.message_dict["amount_fen"] == [
        ERR_OVERPAID.format(amount=rules.yuan(DUE + 1), owed=rules.yuan(DUE))
    ]
    assert snapshot() == before


def test_too_little_for_every_chosen_month_is_refused(world, months, clock):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        pay(world, months[:3], DUE, paid_on=clock.today())
    assert "不足以交纳所选的全部月份" in str(refused.value)
    assert snapshot() == before


def test_a_month_already_paid_is_refused(world, months, clock):
    pay(world, [months[-1]], DUE, paid_on=clock.today())
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        pay(world, [months[-2], months[-1]], 2 * DUE, paid_on=clock.today())
    assert refused.value.message_dict["months"] == [f"{months[-1].year}年{months[-1].month}月的党费已交清"]
    assert snapshot() == before


def test_a_month_not_owed_is_refused(world, months, clock):
    """Before joining, and further ahead than AHEAD_MONTHS."""
    before_joining = rules.add_months(rules.month_first(world.member_a.joined_on), -1)
    too_far = rules.add_months(months[-1], AHEAD_MONTHS + 1)
    before = snapshot()
    for month, words in ((before_joining, "无需交纳党费"), (too_far, "最多预交到本月之后")):
        with pytest.raises(ValidationError) as refused:
            pay(world, [month], DUE, paid_on=clock.today())
        assert words in str(refused.value)
    assert snapshot() == before


def test_a_paid_on_in_the_future_and_an_unknown_method_are_refused(world, months, clock, tomorrow):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        pay(world, [months[-1]], DUE, paid_on=tomorrow)
    assert "不能晚于今天" in refused.value.message_dict["paid_on"][0]
    with pytest.raises(ValidationError) as refused:
        pay(world, [months[-1]], DUE, paid_on=clock.today(), method="bitcoin")
    assert refused.value.message_dict["method"] == ["请选择交纳方式"]
    assert snapshot() == before


def test_an_outsider_may_not_record(world, months, clock):
    before = snapshot()
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied):
            pay(world, [months[-1]], DUE, by=user, paid_on=clock.today())
    assert snapshot() == before


def test_the_same_submission_twice_is_one_payment(world, months, clock):
    key = uuid.uuid4()
    first = pay(world, [months[-1]], DUE, paid_on=clock.today(), submission_key=key)
    again = pay(world, [months[-1]], DUE, paid_on=clock.today(), submission_key=key)
    assert again.pk == first.pk
    assert Payment.objects.count() == 1 and paid(world.member_a, months[-1]) == DUE


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_from_two_connections_at_once_is_one_payment(world, clock):
    """On PostgreSQL two threads (two connections) submit the same form at the same moment: the member's lock and
    the unique submission_key leave one payment. SQLite serialises whole transactions: there the second submit
    comes after the first, and the same key answers it."""
    ledger.seed_roster_bases()
    this = rules.month_first(clock.today())
    ledger.generate_month(this)
    key = uuid.uuid4()
    results, failures = [], []
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if concurrent else 1)

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(
                record_payment(
                    by=world.secretary_a,
                    member=world.member_a,
                    months=[this],
                    amount_fen=DUE,
                    paid_on=clock.today(),
                    method=PayMethod.TRANSFER,
                    submission_key=key,
                ).pk
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    if concurrent:
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    else:
        submit()
        submit()
    assert failures == []
    assert len(results) == 2 and results[0] == results[1]
    assert Payment.objects.count() == 1
    assert LedgerLine.objects.get(member=world.member_a, month=this).paid_fen == DUE


def test_a_reversal_writes_negatives_and_lowers_the_months(world, months, clock):
    payment = pay(world, months[:2], 2 * DUE, extra_fen=300, paid_on=clock.today())
    reversal = reverse_payment(by=world.secretary_a, payment=payment, reason="收据号登记错误，重新登记")
    assert (reversal.amount_fen, reversal.extra_fen, reversal.reverses, reversal.reason) == (
        -2 * DUE,
        -300,
        payment,
        "收据号登记错误，重新登记",
    )
    assert sorted(reversal.months.values_list("amount_fen", flat=True)) == [-DUE, -DUE]
    assert [paid(world.member_a, m) for m in months[:2]] == [0, 0]
    payment.refresh_from_db()
    assert payment.amount_fen == 2 * DUE  # the original is never changed
    # The months are owed again: they can be paid anew.
    pay(world, months[:2], 2 * DUE, paid_on=clock.today())
    assert [paid(world.member_a, m) for m in months[:2]] == [DUE, DUE]


def test_a_reversal_needs_a_reason_and_happens_once(world, months, clock):
    payment = pay(world, [months[-1]], DUE, paid_on=clock.today())
    before = snapshot()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            reverse_payment(by=world.secretary_a, payment=payment, reason=reason)
        assert refused.value.message_dict["reason"] == [ERR_REASON]
    assert snapshot() == before
    reversal = reverse_payment(by=world.secretary_a, payment=payment, reason="重复登记")
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        reverse_payment(by=world.secretary_a, payment=payment, reason="又一次")
    assert refused.value.messages == [ERR_ALREADY_REVERSED]
    with pytest.raises(ValidationError):
        reverse_payment(by=world.secretary_a, payment=reversal, reason="冲正的冲正")
    with pytest.raises(PermissionDenied):
        reverse_payment(by=world.secretary_b, payment=payment, reason="外人")
    assert snapshot() == before


def test_due_raised_after_payment_leaves_the_rest_owed_and_a_cut_shows_a_credit(world, months, clock):
    pay(world, [months[-1]], DUE, paid_on=clock.today())
    line = LedgerLine.objects.get(member=world.member_a, month=months[-1])
    LedgerLine.objects.filter(pk=line.pk).update(due_fen=DUE + 500)  # the bases lane recomputes a month
    pay(world, [months[-1]], 500, paid_on=clock.today())
    LedgerLine.objects.filter(pk=line.pk).update(due_fen=DUE - 100)
    line.refresh_from_db()
    assert line.owed_fen == 0 and line.paid_fen - line.due_fen == 600
    with pytest.raises(ValidationError):
        pay(world, [months[-1]], 1, paid_on=clock.today())


def test_a_branch_month_at_once_is_all_or_nothing(world, months, clock):
    month = months[-1]
    key = uuid.uuid4()
    rows = [MonthRow(world.member_a.pk), MonthRow(world.member_a2.pk, amount_fen=DUE + 1)]
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        record_month_payments(
            by=world.secretary_a,
            org=world.branch_a,
            month=month,
            rows=rows,
            paid_on=clock.today(),
            method=PayMethod.CASH,
            submission_key=key,
        )
    assert set(refused.value.message_dict) == {f"row-{world.member_a2.pk}"}
    assert snapshot() == before
    rows[1] = MonthRow(world.member_a2.pk, amount_fen=DUE - 10)
    done = record_month_payments(
        by=world.secretary_a,
        org=world.branch_a,
        month=month,
        rows=rows,
        paid_on=clock.today(),
        method=PayMethod.CASH,
        submission_key=key,
    )
    assert len(done) == 2
    assert (paid(world.member_a, month), paid(world.member_a2, month)) == (DUE, DUE - 10)
    # The page submitted again: the same payments, nothing written twice.
    again = record_month_payments(
        by=world.secretary_a,
        org=world.branch_a,
        month=month,
        rows=rows,
        paid_on=clock.today(),
        method=PayMethod.CASH,
        submission_key=key,
    )
    assert [p.pk for p in again] == [p.pk for p in done] and Payment.objects.count() == 2
    # Branch B's member is not on branch A's page.
    with pytest.raises(ValidationError):
        record_month_payments(
            by=world.secretary_a,
            org=world.branch_a,
            month=month,
            rows=[MonthRow(world.member_b.pk)],
            paid_on=clock.today(),
            method=PayMethod.CASH,
            submission_key=uuid.uuid4(),
        )


def test_payable_months_and_the_backfill_warning(world, clock):
    ledger.seed_roster_bases()
    this = rules.month_first(clock.today())
    old = rules.add_months(this, -(rules.BACKFILL_WARN_MONTHS + 1))
    ledger.generate_month(old)
    ledger.generate_month(this)
    options = payable_months(fetched_by=world.secretary_a, member=world.member_a)
    months = [o.month for o in options]
    assert months[0] == old and options[0].backfill and "补交超过6个月，请核实" in options[0].label
    assert this in months and rules.add_months(this, AHEAD_MONTHS) in months
    assert len(months) == 2 + AHEAD_MONTHS
    assert backfill_warning([old, this]).startswith("补交超过6个月，请核实：")
    assert backfill_warning([this]) == ""


def test_a_date_in_the_month_and_the_days_before(world, months, clock):
    """paid_on may be any past day (a payment recorded late)."""
    payment = pay(world, [months[0]], DUE, paid_on=clock.today() - timedelta(days=40))
    assert payment.paid_on == clock.today() - timedelta(days=40)


def test_the_database_itself_refuses_a_second_payment_with_the_same_key(world, months, clock):
    """The guarantee under the service's checks: submission_key is unique in the table."""
    from django.db import IntegrityError, transaction

    first = pay(world, [months[-1]], DUE, paid_on=clock.today())
    copy = Payment(
        member=world.member_a,
        org=world.branch_a,
        paid_on=clock.today(),
        amount_fen=DUE,
        method=PayMethod.CASH,
        submission_key=first.submission_key,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_connections_paying_the_same_months_ahead_write_one_payment(world, clock):
    """Months ahead have no line yet: both submits would write it. On PostgreSQL at once from two threads, on SQLite
    one after the other; either way one payment, one line per month."""
    ledger.seed_roster_bases()
    ahead = [rules.add_months(rules.month_first(clock.today()), n) for n in (1, 2, 3)]
    key = uuid.uuid4()
    results, failures = [], []
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if concurrent else 1)

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(pay(world, ahead, 3 * DUE, paid_on=clock.today(), submission_key=key).pk)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2 if concurrent else 0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if not concurrent:
        submit()
        submit()
    assert failures == [] and len(set(results)) == 1 and len(results) == 2
    assert Payment.objects.count() == 1
    assert list(LedgerLine.objects.filter(member=world.member_a).values_list("paid_fen", flat=True)) == [DUE] * 3
