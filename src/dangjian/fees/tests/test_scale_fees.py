"""The fees' part of scale data set L (fees/scale.py), on the small set every producer's tests build: bases for
every member (some kinds other than 在职, some changed mid-period), the ledger as generate_month writes it, payments
whose parts add up to each line's paid_fen, some members in arrears, and remittances with some branches behind."""

import pytest
from django.db.models import Count, F, Sum

from dangjian.core import clock
from dangjian.core.tests.scale_set import MEMBERS, seed
from dangjian.fees import ledger, rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.models import FeeBase, LedgerLine, Payment, PaymentMonth, Remittance
from dangjian.fees.scale import months_of


@pytest.fixture
def small(db):
    return seed(years=2)


def test_bases_for_every_member_with_other_kinds_and_changes(small):
    bases = FeeBase.objects.unrestricted()
    assert bases.values("member").distinct().count() == MEMBERS
    kinds = set(bases.values_list("kind", flat=True))
    assert {FeeKind.EMPLOYED, FeeKind.RETIRED} <= kinds and len(kinds) >= 3
    changed = bases.values("member").annotate(n=Count("id")).filter(n__gt=1)
    assert 0.1 * MEMBERS < changed.count() < 0.4 * MEMBERS
    for base in bases.exclude(kind=FeeKind.EMPLOYED):
        base.full_clean()  # each kind's fields as the model requires
    assert small.counts["党费基数"] == bases.count()


def test_the_ledger_is_generate_months_own(small):
    lines = LedgerLine.objects.unrestricted()
    months = months_of(clock.today(), 2)
    assert set(lines.values_list("month", flat=True)) <= set(months)
    assert lines.count() == small.counts["党费台账"] > MEMBERS
    assert sum(ledger.generate_month(m) for m in months) == 0  # nothing missing
    for line in lines.select_related("member")[:200]:
        base = (
            FeeBase.objects.unrestricted()
            .filter(member=line.member, effective_month__lte=line.month)
            .order_by("-effective_month")
            .first()
        )
        assert line.due_fen == rules.monthly_due(base.kind, base.base_fen, base.fixed_fen)


def test_payments_add_up_and_some_members_owe(small):
    lines = LedgerLine.objects.unrestricted()
    parts = PaymentMonth.objects.unrestricted().values("line").annotate(total=Sum("amount_fen"))
    paid = {row["line"]: row["total"] for row in parts}
    for line in lines:
        assert line.paid_fen == paid.get(line.pk, 0)
        assert line.paid_fen in (0, line.due_fen)
    payments = Payment.objects.unrestricted()
    assert not payments.filter(paid_on__gt=clock.today()).exists()
    for payment in payments.annotate(parts=Sum("months__amount_fen"))[:300]:
        assert payment.amount_fen == payment.parts
    owed = lines.filter(paid_fen__lt=F("due_fen"))
    assert 0 < owed.count() < 0.3 * lines.count()
    this_month = rules.month_first(clock.today())
    three_ago = rules.add_months(this_month, -3)
    arrears = owed.filter(month__lte=three_ago).values("member").distinct().count()
    assert 0 < arrears < 0.15 * MEMBERS
    assert lines.filter(paid_fen=F("due_fen"), due_fen__gt=0).count() > 0.7 * lines.count()
    # a later payment gets the next id
    assert Payment.objects.unrestricted().order_by("-id").first().id == payments.count()


def test_remittances_per_branch_month_some_behind(small):
    remitted = Remittance.objects.unrestricted()
    assert remitted.count() == small.counts["党费上缴"] > 0
    assert not remitted.filter(remitted_on__gt=clock.today()).exists()
    for row in remitted[:100]:
        collected = LedgerLine.objects.unrestricted().filter(org=row.org, month=row.month).aggregate(s=Sum("paid_fen"))
        assert row.amount_fen == collected["s"]
        assert row.remitted_on > rules.month_last(row.month)
    assert {r.org.kind for r in remitted.select_related("org")[:50]} == {"branch"}
