"""Reads of the fees module: restricted querysets, a fixed number of queries per page."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet, Sum

from dangjian.core import clock
from dangjian.core.scope import subtree_q
from dangjian.orgs.models import Organization

from . import rules
from .models import LedgerLine

ERR_MONTH = "月份格式应为 2026-03，且在 2000年 至 2100年 之间"


def parse_month(value: str | None, default: date | None = None) -> date:
    """ "2026-03" → date(2026, 3, 1); empty → this month; anything else ValueError with a Chinese message."""
    if not value:
        return rules.month_first(default or clock.today())
    value = value.strip()
    try:
        year, month = value.split("-")
        first = date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(ERR_MONTH) from None
    if len(value) > 7 or not 2000 <= first.year <= 2100:
        raise ValueError(ERR_MONTH)
    return first


def ledger_lines(*, fetched_by, month: date, org: Organization | None = None) -> QuerySet:
    """The month's ledger lines the user sees (of `org`'s subtree), with member and branch, by branch and name."""
    lines = LedgerLine.objects.visible_to(fetched_by).filter(month=month)
    if org is not None:
        lines = lines.filter(subtree_q("org__path", [org.path]))
    return lines.select_related("member", "org").order_by("org__path", "member__name_pinyin", "id")


@dataclass(frozen=True)
class Totals:
    members: int
    due_fen: int
    paid_fen: int
    unpaid: int  # lines not fully paid

    @property
    def owed_fen(self) -> int:
        return max(self.due_fen - self.paid_fen, 0)


def ledger_totals(lines: QuerySet) -> Totals:
    row = lines.order_by().aggregate(
        members=Count("id"),
        due=Sum("due_fen"),
        paid=Sum("paid_fen"),
        unpaid=Count("id", filter=Q(paid_fen__lt=F("due_fen"))),
    )
    return Totals(row["members"], row["due"] or 0, row["paid"] or 0, row["unpaid"])
