"""Fee records for the shared `world` (conftest.py): roster bases, this month's and last month's ledger, a payment
of member_a (王小明, branch A) and of member_b (李秀英, branch B). Idempotent: the scope walks call it per target."""

import uuid

from dangjian.core import clock
from dangjian.fees import ledger, rules
from dangjian.fees.choices import PayMethod
from dangjian.fees.models import LedgerLine, Payment, PaymentMonth


def pay(member, line, *, on=None, receipt="") -> Payment:
    """A payment of one whole ledger line (paid_fen kept as the payment services keep it)."""
    payment = Payment.objects.unrestricted().create(
        member=member,
        org=line.org,
        paid_on=on or clock.today(),
        amount_fen=line.due_fen,
        method=PayMethod.CASH,
        receipt_no=receipt,
        submission_key=uuid.uuid4(),
    )
    PaymentMonth.objects.unrestricted().create(payment=payment, line=line, amount_fen=line.due_fen)
    LedgerLine.objects.unrestricted().filter(pk=line.pk).update(paid_fen=line.due_fen)
    return payment


def fee_world(w) -> None:
    this_month = rules.month_first(clock.today())
    last_month = rules.add_months(this_month, -1)
    ledger.seed_roster_bases()
    for month in (last_month, this_month):
        ledger.generate_month(month)
    if Payment.objects.unrestricted().exists():
        return
    for member, receipt in ((w.member_a, "A-0001"), (w.member_b, "B-0001")):
        line = LedgerLine.objects.unrestricted().get(member=member, month=last_month)
        pay(member, line, on=clock.today(), receipt=receipt)
