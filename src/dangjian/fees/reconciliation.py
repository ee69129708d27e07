"""The committee's reconciliation and the collection reports: due (Σ due_fen of a month's ledger lines), collected
(Σ paid_fen of the same lines) and remitted (Σ Remittance.amount_fen, reversals negative) per branch and month.

Grouped SQL, a fixed number of queries whatever the size of the tree: the branches of one page, one grouped query
of their ledger lines and one of their remittances, two more for the whole subtree's totals by month. Rows of child
orgs (a 党总支 and everything below it) sum their subtree with core.scope.roll_up over grouped rows by org path."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Substr

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.scope import collapse_paths, roll_up, subtree_q
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .models import LedgerLine, Remittance

YEAR_MIN = 2000
ERR_YEAR = "年份应在 2000 年至今年之间"


def parse_year(value: str | None, today: date | None = None) -> int:
    """ "2026" → 2026; empty → this year; anything else ValueError with a Chinese message."""
    today = today or clock.today()
    if not value:
        return today.year
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 4) or not YEAR_MIN <= int(value) <= today.year:
        raise ValueError(ERR_YEAR)
    return int(value)


def year_months(year: int, today: date | None = None) -> list[date]:
    """The months of `year` shown: all twelve of a past year, up to this month of this one."""
    today = today or clock.today()
    last = 12 if year < today.year else today.month
    return [date(year, m, 1) for m in range(1, last + 1)]


@dataclass
class Cell:
    due: int = 0
    collected: int = 0
    remitted: int = 0

    def add(self, other: "Cell") -> None:
        self.due += other.due
        self.collected += other.collected
        self.remitted += other.remitted

    @property
    def unpaid(self) -> int:
        """Due not collected (the members' arrears of the month)."""
        return max(self.due - self.collected, 0)

    @property
    def not_remitted(self) -> int:
        return max(self.collected - self.remitted, 0)

    @property
    def over(self) -> int:
        return max(self.remitted - self.collected, 0)

    @property
    def empty(self) -> bool:
        return not (self.due or self.collected or self.remitted)

    @property
    def state(self) -> str:
        """The difference shown: "over" (remitted more than collected), "not_remitted", "unpaid", or "" (squared)."""
        if self.remitted > self.collected:
            return "over"
        if self.remitted < self.collected:
            return "not_remitted"
        if self.collected < self.due:
            return "unpaid"
        return ""

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def rate(self) -> str:
        """collected / due as a percentage with one decimal, half up ("" when nothing is due)."""
        if self.due <= 0:
            return ""
        tenths = rules.round_half_up(max(self.collected, 0) * 1000, self.due)
        return f"{tenths // 10}.{tenths % 10}%"


STATE_LABELS = {"over": "上缴多于收缴", "not_remitted": "未全额上缴", "unpaid": "未收齐", "": "已平"}


@dataclass
class Row:
    org: Organization
    cells: list[Cell]
    total: Cell = field(default_factory=Cell)
    branches: int = 1
    months: list[date] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[date, Cell]]:
        return list(zip(self.months, self.cells, strict=True))


def branches_of(*, fetched_by, root: Organization | None, year: int) -> QuerySet:
    """The branches the user sees (of `root`'s subtree), by path: those not dissolved before the year."""
    orgs = Organization.objects.visible_to(fetched_by).filter(kind=OrgKind.BRANCH)
    if root is not None:
        orgs = orgs.filter(subtree_q("path", [root.path]))
    orgs = orgs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=date(year, 1, 1)))
    return orgs.order_by("path")


def child_orgs(*, fetched_by, root: Organization | None) -> QuerySet:
    """The rows of the rolled-up view: `root`'s children (party groups aside); without a root, the tops of the
    user's scope, or the children of the one top when there is one."""
    orgs = Organization.objects.visible_to(fetched_by).exclude(kind=OrgKind.GROUP)
    if root is None:
        if fetched_by.is_superuser:
            tops = orgs.filter(depth=1)
        else:
            tops = orgs.filter(path__in=collapse_paths(fetched_by.scope_paths(Capability.VIEW)))
        tops = list(tops.order_by("path")[:2])
        if len(tops) != 1:
            return orgs.filter(pk__in=[t.pk for t in tops]).order_by("path") if tops else orgs.none()
        root = tops[0]
    return orgs.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")


def _lines(fetched_by, year: int, months: list[date]) -> QuerySet:
    return LedgerLine.objects.visible_to(fetched_by).filter(month__gte=months[0], month__lte=months[-1])


def _remits(fetched_by, year: int, months: list[date]) -> QuerySet:
    return Remittance.objects.visible_to(fetched_by).filter(month__gte=months[0], month__lte=months[-1])


def _grid(months: list[date]) -> dict[date, Cell]:
    return {m: Cell() for m in months}


def branch_rows(*, fetched_by, branches: list[Organization], months: list[date]) -> list[Row]:
    """One row per branch (a page of them): two grouped queries."""
    if not months:
        return []
    ids = [b.pk for b in branches]
    grids: dict[int, dict[date, Cell]] = {pk: _grid(months) for pk in ids}
    year = months[0].year
    lines = (
        _lines(fetched_by, year, months)
        .filter(org_id__in=ids)
        .values_list("org_id", "month")
        .annotate(due=Sum("due_fen"), paid=Sum("paid_fen"))
        .order_by()
    )
    for org_id, month, due, paid in lines:
        cell = grids[org_id][month]
        cell.due, cell.collected = due or 0, paid or 0
    remits = (
        _remits(fetched_by, year, months)
        .filter(org_id__in=ids)
        .values_list("org_id", "month")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    for org_id, month, amount in remits:
        grids[org_id][month].remitted = amount or 0
    return [_row(b, grids[b.pk], months) for b in branches]


def _row(org: Organization, grid: dict[date, Cell], months: list[date], branches: int = 1) -> Row:
    row = Row(org=org, cells=[grid[m] for m in months], branches=branches, months=months)
    for cell in row.cells:
        row.total.add(cell)
    return row


def _by_prefix(field: str, paths: list[str]):
    """Group by the rows' org path cut to the length of the rows shown when they are all of one depth (children of
    one org: one group per child and month, whatever the size of the subtrees), else by the whole path (rolled up
    afterwards)."""
    lengths = {len(p) for p in paths}
    return Substr(field, 1, lengths.pop()) if len(lengths) == 1 else F(field)


def rolled_rows(*, fetched_by, orgs: list[Organization], months: list[date]) -> list[Row]:
    """One row per org summing its whole subtree: three grouped queries by (org path prefix, month), rolled up."""
    if not months or not orgs:
        return []
    year = months[0].year
    paths = [o.path for o in orgs]
    lines = (
        _lines(fetched_by, year, months)
        .filter(subtree_q("org__path", paths))
        .annotate(prefix=_by_prefix("org__path", paths))
        .values_list("prefix", "month")
        .annotate(due=Sum("due_fen"), paid=Sum("paid_fen"))
        .order_by()
    )
    remits = (
        _remits(fetched_by, year, months)
        .filter(subtree_q("org__path", paths))
        .annotate(prefix=_by_prefix("org__path", paths))
        .values_list("prefix", "month")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    counts = []
    for path, month, due, paid in lines:
        counts += [(path, (month, "due"), due or 0), (path, (month, "collected"), paid or 0)]
    counts += [(path, (month, "remitted"), amount or 0) for path, month, amount in remits]
    by_path = roll_up(counts, steplen=Organization.steplen)
    branch_counts = (
        Organization.objects.visible_to(fetched_by)
        .filter(kind=OrgKind.BRANCH)
        .filter(subtree_q("path", paths))
        .annotate(prefix=_by_prefix("path", paths))
        .values_list("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_org = roll_up(((p, "n", n) for p, n in branch_counts), steplen=Organization.steplen)
    rows = []
    for org in orgs:
        sums = by_path.get(org.path, Counter())
        grid = {m: Cell(sums[(m, "due")], sums[(m, "collected")], sums[(m, "remitted")]) for m in months}
        rows.append(_row(org, grid, months, branches=per_org.get(org.path, Counter())["n"]))
    return rows


def totals(*, fetched_by, root: Organization | None, months: list[date]) -> Row:
    """The whole subtree (or scope) by month: two grouped queries."""
    grid = _grid(months)
    if months:
        year = months[0].year
        lines = _lines(fetched_by, year, months)
        remits = _remits(fetched_by, year, months)
        if root is not None:
            lines = lines.filter(subtree_q("org__path", [root.path]))
            remits = remits.filter(subtree_q("org__path", [root.path]))
        for month, due, paid in (
            lines.values_list("month").annotate(due=Sum("due_fen"), paid=Sum("paid_fen")).order_by()
        ):
            grid[month].due, grid[month].collected = due or 0, paid or 0
        for month, amount in remits.values_list("month").annotate(amount=Sum("amount_fen")).order_by():
            grid[month].remitted = amount or 0
    return _row(root, grid, months)


# ── The yearly 党费收缴情况 per branch ─────────────────────────────────────────────────────────────────────────


@dataclass
class YearRow:
    org: Organization
    members: int = 0
    due: int = 0
    paid: int = 0
    remitted: int = 0
    arrears: int = 0  # owed on the lines of months before this one

    @property
    def rate(self) -> str:
        return Cell(self.due, self.paid).rate


def year_rows(*, fetched_by, branches: list[Organization], year: int, today: date | None = None) -> list[YearRow]:
    """Each branch's year: members owing a month of it, due, paid, remitted, arrears. Two grouped queries."""
    today = today or clock.today()
    ids = [b.pk for b in branches]
    rows = {b.pk: YearRow(org=b) for b in branches}
    first, last = date(year, 1, 1), date(year, 12, 1)
    this_month = rules.month_first(today)
    owed = Case(
        When(Q(month__lt=this_month, paid_fen__lt=F("due_fen")), then=F("due_fen") - F("paid_fen")),
        default=0,
        output_field=IntegerField(),
    )
    lines = (
        LedgerLine.objects.visible_to(fetched_by)
        .filter(org_id__in=ids, month__gte=first, month__lte=last)
        .values_list("org_id")
        .annotate(
            members=Count("member", distinct=True),
            due=Sum("due_fen"),
            paid=Sum("paid_fen"),
            arrears=Sum(owed),
        )
        .order_by()
    )
    for org_id, members, due, paid, arrears in lines:
        row = rows[org_id]
        row.members, row.due, row.paid, row.arrears = members, due or 0, paid or 0, arrears or 0
    remits = (
        Remittance.objects.visible_to(fetched_by)
        .filter(org_id__in=ids, month__gte=first, month__lte=last)
        .values_list("org_id")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    for org_id, amount in remits:
        rows[org_id].remitted = amount or 0
    return [rows[b.pk] for b in branches]
