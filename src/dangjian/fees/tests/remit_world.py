"""Rows the remittance tests and scope cases share: a branch's remittance, ledger lines with payments written
directly (payment entry is another lane's)."""

import uuid
from datetime import date

from dangjian.core import clock
from dangjian.fees import rules
from dangjian.fees.choices import FeeKind, PayMethod
from dangjian.fees.models import LedgerLine, Payment, PaymentMonth, Remittance


def remittance_of(org, *, month: date | None = None, amount_fen: int = 10_000, **kwargs) -> Remittance:
    month = month or rules.month_first(clock.today())
    return Remittance.objects.create(
        org=org,
        month=month,
        amount_fen=amount_fen,
        remitted_on=kwargs.pop("remitted_on", clock.today()),
        submission_key=uuid.uuid4(),
        **kwargs,
    )


def line(member, month: date, *, due: int = 9000, paid: int = 0, org=None) -> LedgerLine:
    """A ledger line; a payment of `paid` allocated to it (Payment + PaymentMonth + paid_fen raised)."""
    row = LedgerLine.objects.create(
        member=member, org=org or member.org, month=month, kind=FeeKind.EMPLOYED, base_fen=600_000, due_fen=due
    )
    if paid:
        pay(row, paid)
    return row


def pay(row: LedgerLine, amount: int, *, paid_on: date | None = None) -> Payment:
    payment = Payment.objects.create(
        member=row.member,
        org=row.org,
        paid_on=paid_on or min(rules.month_last(row.month), clock.today()),
        amount_fen=amount,
        method=PayMethod.CASH,
        submission_key=uuid.uuid4(),
    )
    PaymentMonth.objects.create(payment=payment, line=row, amount_fen=amount)
    row.paid_fen += amount
    row.save(update_fields=["paid_fen"])
    return payment


def xlsx_rows(response, sheet: int = 0) -> list[list]:
    """The rows of one sheet of an xlsx download."""
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(sheet).to_python()
