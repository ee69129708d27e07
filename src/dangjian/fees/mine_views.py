"""我的党费: a member's own base, this year's ledger lines, their payments and what they owe, on a phone.

Reads only the logged-in user's own rows (their Member via user.member; the querysets' `own_records`), in a fixed
number of queries (5 whatever the history). No ID number or phone on the page."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.core import clock

from . import rules
from .models import FeeBase, LedgerLine, Payment

ERR_YEAR = "年份应为 2000 至 2100 之间的四位数字"
NO_MEMBER = "您的账号未关联党员信息"
#: Payments listed on the page (a year's: a monthly payer has 12, plus corrections).
PAYMENT_ROWS = 60


@dataclass(frozen=True)
class YearTotals:
    due_fen: int
    paid_fen: int
    owed_fen: int
    months: int
    unpaid_months: int


def own_member(user):
    """The user's own member record, or None (a login of staff who are not members here)."""
    return getattr(user, "member", None) if user.is_authenticated else None


def year_totals(user, member, year: int) -> YearTotals:
    """Due, paid and still owed over the member's ledger lines of `year`: one query."""
    row = (
        LedgerLine.objects.visible_to(user)
        .filter(member=member, month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
        .aggregate(
            due=Sum("due_fen"),
            paid=Sum("paid_fen"),
            owed=Sum(F("due_fen") - F("paid_fen"), filter=Q(paid_fen__lt=F("due_fen"))),
            months=Count("id"),
            unpaid=Count("id", filter=Q(paid_fen__lt=F("due_fen"))),
        )
    )
    return YearTotals(row["due"] or 0, row["paid"] or 0, row["owed"] or 0, row["months"], row["unpaid"])


def owed_now(user, member) -> tuple[int, int]:
    """(fen, months) still owed over every ledger line of the member up to now: one query."""
    row = (
        LedgerLine.objects.visible_to(user)
        .filter(member=member, paid_fen__lt=F("due_fen"))
        .aggregate(owed=Sum(F("due_fen") - F("paid_fen")), months=Count("id"))
    )
    return row["owed"] or 0, row["months"]


def member_fees(user, member, year: int) -> dict:
    """Everything the page shows: 4 queries."""
    this_month = rules.month_first(clock.today())
    base = (
        FeeBase.objects.visible_to(user)
        .filter(member=member, effective_month__lte=this_month)
        .order_by("-effective_month", "-id")
        .first()
    )
    lines = list(
        LedgerLine.objects.visible_to(user)
        .filter(member=member, month__gte=date(year, 1, 1), month__lte=date(year, 12, 1))
        .select_related("org")
        .order_by("-month")
    )
    payments = list(
        Payment.objects.visible_to(user)
        .filter(member=member, paid_on__year=year)
        .order_by("-paid_on", "-id")[:PAYMENT_ROWS]
    )
    owed, owed_months = owed_now(user, member)
    totals = YearTotals(
        due_fen=sum(line.due_fen for line in lines),
        paid_fen=sum(line.paid_fen for line in lines),
        owed_fen=sum(line.owed_fen for line in lines),
        months=len(lines),
        unpaid_months=sum(1 for line in lines if line.owed_fen),
    )
    return {
        "base": base,
        "lines": lines,
        "payments": payments,
        "totals": totals,
        "owed_fen": owed,
        "owed_months": owed_months,
        "arrears": owed_months >= rules.MEMBER_ARREARS_MONTHS,
    }


def parse_year(value: str | None, default: int) -> int:
    if not value:
        return default
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not 2000 <= int(value) <= 2100:
        raise ValueError(ERR_YEAR)
    return int(value)


def mine_view(request: HttpRequest) -> HttpResponse:
    """我的党费 for whoever is logged in: their own records only (a login without a member record: a clear page)."""
    member = own_member(request.user)
    today = clock.today()
    error = ""
    try:
        year = parse_year(request.GET.get("year"), today.year)
    except ValueError as refused:
        error, year = str(refused), today.year
    context = {
        "title": "我的党费",
        "member": member,
        "no_member": NO_MEMBER,
        "year": year,
        "years": list(range(today.year, max(today.year - 5, 1999), -1)),
        "error": error,
        "rounding": rules.ROUNDING_NOTE,
        "source": rules.SOURCE,
    }
    if member is not None:
        context |= member_fees(request.user, member, year)
    return render(request, "fees/mine.html", context)
