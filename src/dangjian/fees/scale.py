"""The fees' part of scale data set L (see dangjian.core.scale), producer 80, after meetings: `years` of 党费 for
every member up to today.

- Bases: each member's kind and base from the month they joined (the roster's 党费基数 for 在职, checked yearly); a
  share retired (a pension-sized base), students, farmers (a chosen 0.2–1 yuan), unemployed, and a few exempt by
  approval; a quarter of the employed get a new base mid-period (a pay change, from the month it starts).
- The ledger: fees.ledger.generate_month for each month (set-based, the nightly task's own code).
- Payments: a third of the members pay monthly, most others quarterly, some half-yearly, a few late; a few stopped
  paying some months ago (arrears). Payment ids are chosen up front, the rows and their PaymentMonth parts COPYed
  (executemany elsewhere), then LedgerLine.paid_fen set from the parts by one set-based UPDATE.
- Remittances: each branch remits each month's collection early the next month; some branches are behind.

`Writer` also makes the year of set S (fees/demo.py)."""

import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Sum
from django.utils import timezone

from dangjian.core.scale import (
    ADMIN_USERNAME,
    ScaleContext,
    foreign_keys_checked_at_the_end,
    reset_sequence,
    scale_producer,
    write_rows,
)
from dangjian.members.models import Member
from dangjian.members.scale import scale_members
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs

from . import ledger, rules
from .choices import BaseSource, FeeKind, PayMethod
from .models import FeeBase, LedgerLine, Payment, PaymentMonth, Remittance

#: Shares of members by kind (the rest employed, on the roster's base).
KIND_SHARES = [
    (FeeKind.RETIRED, 0.08),
    (FeeKind.STUDENT, 0.01),
    (FeeKind.FARMER, 0.01),
    (FeeKind.UNEMPLOYED, 0.005),
    (FeeKind.DIBAO, 0.002),
    (FeeKind.EXEMPT, 0.003),
]
#: Share of the employed whose base changes once within the period (a pay rise, from its month).
BASE_CHANGE_SHARE = 0.25
#: How members pay: months covered by one payment, with its share.
PERIODS = [(1, 0.35), (3, 0.55), (6, 0.1)]
#: Share of members who pay late (one to three months after), and who stopped paying 3–9 months ago.
LATE_SHARE, ARREARS_SHARE = 0.08, 0.02
#: Share of payments with a voluntary extra (自愿多交).
EXTRA_SHARE = 0.003
#: Share of branches behind with their remittances (2–5 months).
BEHIND_SHARE = 0.06
#: Payments written at a time.
CHUNK = 100_000

EXEMPT_REASON = "经支部党员大会讨论、上级党组织批准免交"
RAISE_REASON = "工资调整，自调整当月起按新基数交纳"
METHODS = [(PayMethod.TRANSFER, 0.55), (PayMethod.ONLINE, 0.3), (PayMethod.CASH, 0.15)]

BASE_FIELDS = [
    "created_at", "updated_at", "member_id", "kind", "base_fen", "fixed_fen", "effective_month", "approved_on",
    "reason", "source", "recorded_by_id",
]  # fmt: skip
PAYMENT_FIELDS = [
    "id", "created_at", "updated_at", "member_id", "org_id", "paid_on", "amount_fen", "extra_fen", "method",
    "receipt_no", "reference", "reason", "submission_key", "recorded_by_id",
]  # fmt: skip
PART_FIELDS = ["payment_id", "line_id", "amount_fen"]
REMITTANCE_FIELDS = [
    "created_at", "updated_at", "org_id", "month", "amount_fen", "remitted_on", "reference", "reason",
    "submission_key", "recorded_by_id",
]  # fmt: skip


def months_of(today: date, years: int) -> list[date]:
    """The `years` × 12 months up to this one, oldest first."""
    this_month = rules.month_first(today)
    return [rules.add_months(this_month, -k) for k in range(12 * years - 1, -1, -1)]


def _draw(rng, shares):
    r = rng.random()
    for value, share in shares:
        if r < share:
            return value
        r -= share
    return None


@contextmanager
def fast_writes(models):
    """PostgreSQL: JIT off for the writes (statements over every member gain nothing from it) and the tables' foreign
    keys checked at the end (core.scale.foreign_keys_checked_at_the_end)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SET LOCAL jit = off")
    with foreign_keys_checked_at_the_end(models):
        yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL jit = {'on' if jit == 'on' else 'off'}")


def analyze(*models) -> None:
    """Fresh statistics for tables filled in this transaction (PostgreSQL), so the next statements get sane plans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))


@dataclass
class Profile:
    """How one member pays."""

    period: int  # months a payment covers
    delay_days: int  # days after the first month of its period
    stopped: date | None  # paid nothing for this month and later (arrears)


class Writer:
    """Bases, the ledger, payments and remittances for a list of members over `months` (shared with fees/demo.py).
    On PostgreSQL its ledger and payments run inside `fast_writes` (they alter the ledger's table)."""

    def __init__(self, *, rng, today: date, months: list[date], recorded_by: int | None, counts: dict[str, int]):
        self.rng = rng
        self.today = today
        self.months = months
        self.recorded_by = recorded_by
        self.counts = counts
        self.seconds: dict[str, float] = {}
        self.now = timezone.now()
        self.profiles: dict[int, Profile] = {}
        self.receipts = 0

    def _timed(self, label: str, started: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

    # --- bases ---

    def bases(self, member_ids: Iterable[int], *, kinds: dict[int, str] | None = None) -> None:
        """Each member's base from the month they joined, a quarter of the employed raised once within the period,
        and how each pays (their Profile); `kinds` fixes some members' kind (the demo's)."""
        started = time.perf_counter()
        rng, now, first = self.rng, self.now, self.months[0]
        ids = list(member_ids)
        facts = {}
        for low in range(0, len(ids), 20_000):
            chunk = ids[low : low + 20_000]
            facts.update(
                (pk, (fee_base, joined_on))
                for pk, fee_base, joined_on in Member.objects.unrestricted()  # a task: the set's own members
                .filter(pk__gte=min(chunk), pk__lte=max(chunk))
                .values_list("pk", "fee_base", "joined_on")
            )
        rows = []
        for pk in ids:
            fee_base, joined_on = facts[pk]
            start = rules.month_first(joined_on)
            kind = (kinds or {}).get(pk) or _draw(rng, KIND_SHARES) or FeeKind.EMPLOYED
            base_fen = fixed_fen = approved_on = None
            reason = ""
            roster_fen = int(Decimal(fee_base) * 100)
            if kind == FeeKind.EMPLOYED:
                base_fen = roster_fen
            elif kind == FeeKind.RETIRED:
                base_fen = roster_fen * rng.randint(55, 80) // 100
            elif kind == FeeKind.FARMER:
                fixed_fen = rng.choice((20, 50, 100))
            elif kind == FeeKind.EXEMPT:
                approved_on, reason = start, EXEMPT_REASON
            rows.append(
                (
                    now,
                    now,
                    pk,
                    kind,
                    base_fen,
                    fixed_fen,
                    start,
                    approved_on,
                    reason,
                    BaseSource.CHECK,
                    self.recorded_by,
                )
            )
            if kind == FeeKind.EMPLOYED and rng.random() < BASE_CHANGE_SHARE:
                change = self.months[rng.randint(1, len(self.months) - 1)]
                if change > max(start, first):
                    raised = base_fen * rng.randint(103, 112) // 100
                    rows.append(
                        (
                            now,
                            now,
                            pk,
                            kind,
                            raised,
                            None,
                            change,
                            None,
                            RAISE_REASON,
                            BaseSource.MANUAL,
                            self.recorded_by,
                        )
                    )
            period = _draw(rng, PERIODS) or 1
            delay = rng.randint(3, 25) + (rng.randint(30, 90) if rng.random() < LATE_SHARE else 0)
            stopped = None
            if rng.random() < ARREARS_SHARE:
                stopped = self.months[-rng.randint(3, min(9, len(self.months)))]
            self.profiles[pk] = Profile(period, delay, stopped)
        write_rows(FeeBase, BASE_FIELDS, rows)
        analyze(FeeBase)
        self.counts["党费基数"] = self.counts.get("党费基数", 0) + len(rows)
        self._timed("bases", started)

    # --- the ledger ---

    def ledger(self) -> None:
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            # Room in each page for the new version of the row that mark_paid writes: a HOT update, touching none
            # of the table's six indexes (several times faster). Reset after it: later pages are full again.
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {LedgerLine._meta.db_table} SET (fillfactor = 50)")
        written = sum(ledger.generate_month(month) for month in self.months)
        analyze(LedgerLine)
        self.counts["党费台账"] = self.counts.get("党费台账", 0) + written
        self._timed("ledger", started)

    # --- payments ---

    def payments(self, member_ids: Iterable[int]) -> None:
        """Payments of the members' ledger lines as each member's profile says, then paid_fen from their parts."""
        started = time.perf_counter()
        rng, today = self.rng, self.today
        ids = sorted(member_ids)
        if not ids:
            return
        next_id = (Payment.objects.unrestricted().aggregate(m=Max("pk"))["m"] or 0) + 1
        # A task over the set's own lines (no request): member by member, month by month.
        lines = (
            LedgerLine.objects.unrestricted()
            .filter(member_id__gte=ids[0], member_id__lte=ids[-1], month__gte=self.months[0])
            .order_by("member_id", "month")
            .values_list("id", "member_id", "org_id", "month", "due_fen")
        )
        payments: list[tuple] = []
        parts: list[tuple] = []
        group: list[tuple] = []
        written = 0

        def pay(group: list[tuple]) -> None:
            nonlocal next_id
            amount = sum(line[4] for line in group)
            if amount <= 0:
                return
            _, member_id, org_id, month, _ = group[0]
            profile = self.profiles[member_id]
            paid_on = month + timedelta(days=profile.delay_days)
            if paid_on > today:
                return
            extra = rng.choice((1000, 2000, 5000, 10000)) if rng.random() < EXTRA_SHARE else 0
            method = _draw(rng, METHODS) or PayMethod.CASH
            self.receipts += 1
            receipt = f"{paid_on.year}-{self.receipts:07d}" if method == PayMethod.CASH else ""
            reference = f"{paid_on:%Y%m%d}{rng.getrandbits(40):012d}" if method != PayMethod.CASH else ""
            stamp = datetime(paid_on.year, paid_on.month, paid_on.day, 10, tzinfo=UTC)
            key = uuid.UUID(int=rng.getrandbits(128), version=4)
            payments.append(
                (next_id, stamp, stamp, member_id, org_id, paid_on, amount, extra, method, receipt, reference, "",
                 key, self.recorded_by)
            )  # fmt: skip
            parts.extend((next_id, line[0], line[4]) for line in group)
            next_id += 1

        def flush() -> None:
            nonlocal written
            write_rows(Payment, PAYMENT_FIELDS, payments)
            write_rows(PaymentMonth, PART_FIELDS, parts)
            written += len(payments)
            payments.clear()
            parts.clear()

        for line in lines.iterator(chunk_size=20_000):
            member_id, org_id, month = line[1], line[2], line[3]
            profile = self.profiles.get(member_id)
            if profile is None or (profile.stopped and month >= profile.stopped):
                continue
            bucket = (month.year * 12 + month.month - 1) // profile.period
            if group:
                head = group[0]
                head_bucket = (head[3].year * 12 + head[3].month - 1) // profile.period
                if head[1] != member_id or head[2] != org_id or head_bucket != bucket:
                    pay(group)
                    group = []
            group.append(line)
            if len(payments) >= CHUNK:
                flush()
        if group:
            pay(group)
        flush()
        reset_sequence(Payment)
        self.counts["党费缴纳"] = self.counts.get("党费缴纳", 0) + written
        analyze(Payment, PaymentMonth)
        self._timed("payments: rows", started)
        started = time.perf_counter()
        self.mark_paid()
        self._timed("payments: paid_fen", started)

    @staticmethod
    def mark_paid() -> None:
        """LedgerLine.paid_fen = the sum of its payments' parts: one set-based UPDATE."""
        line = connection.ops.quote_name(LedgerLine._meta.db_table)
        part = connection.ops.quote_name(PaymentMonth._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {line} SET paid_fen = s.amount FROM (SELECT line_id, SUM(amount_fen) AS amount FROM {part}"
                f" GROUP BY line_id) AS s WHERE {line}.id = s.line_id AND {line}.paid_fen <> s.amount"
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {line} RESET (fillfactor)")

    # --- remittances ---

    def remittances(self, org_ids: Iterable[int], *, behind: dict[int, int] | None = None) -> None:
        """Each branch remits each month's collection between the 5th and the 20th of the next month; `behind`
        (org id → months) have not remitted their latest months. Drawn for the others when None."""
        started = time.perf_counter()
        rng, today = self.rng, self.today
        org_ids = sorted(org_ids)
        if behind is None:
            behind = {org: rng.randint(2, 5) for org in org_ids if rng.random() < BEHIND_SHARE}
        collected = (
            LedgerLine.objects.unrestricted()  # a task: the set's branches' totals
            .filter(month__gte=self.months[0])
            .values_list("org_id", "month")
            .annotate(paid=Sum("paid_fen"))
            .order_by()
        )
        rows = []
        last = {org: rules.add_months(self.months[-1], -behind.get(org, 0)) for org in org_ids}
        for org_id, month, paid in collected:
            if org_id not in last or not paid or month >= last[org_id]:
                continue
            remitted_on = rules.add_months(month, 1) + timedelta(days=rng.randint(4, 19))
            if remitted_on > today:
                continue
            stamp = datetime(remitted_on.year, remitted_on.month, remitted_on.day, 15, tzinfo=UTC)
            key = uuid.UUID(int=rng.getrandbits(128), version=4)
            reference = f"SJ{remitted_on:%Y%m%d}{org_id:06d}"
            rows.append((stamp, stamp, org_id, month, paid, remitted_on, reference, "", key, self.recorded_by))
        write_rows(Remittance, REMITTANCE_FIELDS, rows)
        self.counts["党费上缴"] = self.counts.get("党费上缴", 0) + len(rows)
        self._timed("remittances", started)


TABLES = [FeeBase, LedgerLine, Payment, PaymentMonth, Remittance]
#: What the producer's last run took, by part (seconds): for the bench and the report.
LAST_SECONDS: dict[str, float] = {}


@scale_producer(order=80)
def produce_fees(ctx: ScaleContext) -> None:
    """`years` of bases, ledger lines, payments and remittances for every member (see the module's text)."""
    members = scale_members(ctx)
    if not members:
        return
    writer = Writer(
        rng=ctx.rng,
        today=ctx.today,
        months=months_of(ctx.today, ctx.years),
        recorded_by=ctx.users.get(ADMIN_USERNAME),
        counts=ctx.counts,
    )
    ids = [m.id for m in members]
    with fast_writes(TABLES):
        for label, step in (
            ("党费基数", lambda: writer.bases(ids)),
            ("党费台账", writer.ledger),
            ("党费缴纳", lambda: writer.payments(ids)),
            ("党费上缴", lambda: writer.remittances(o.id for o in scale_orgs(ctx, OrgKind.BRANCH))),
        ):
            ctx.report(label, 0, 1)
            step()
            ctx.report(label, 1, 1)
    LAST_SECONDS.clear()
    LAST_SECONDS.update(writer.seconds)
