"""Compliance of organisational life (DOMAIN.md §3) for many orgs at once: the SQL path of meetings.rules.

Counts come from grouped queries over MeetingActivity (org, activity, month), never a query per org; the rules
themselves (what a branch owes and whether it is met) are the pure functions of meetings.rules, fed the counts as a
rules.Tally per branch. Tested against rules.branch_compliance on hypothesis-generated histories.

Queries, whatever the number of orgs: the orgs in scope (1), their committees (1, orgs.selectors), held activities
grouped by (org, activity, month) (1), 党课 lecturers by (org, year) (1) — plus the root's lookup and ancestors (1).

The committee's overview, its export and the home panel (compliance_overview, obligations_panel) read the
materialised results of compute (meetings.cells: ComplianceCell per branch, month and activity) in a fixed number of
grouped queries; compliance_overview_live and obligations_panel_live compute the same live (the tests' reference).
org_compliance (one org's drill-down, small) is computed live: it lists the missing items exactly.

Only 党支部 owe obligations (支部条例): a 党小组's 党小组会 counts for its branch (once per group per month), a
党总支's or 机关党委's whole-org meetings (rules.WHOLE_ORG_ACTIVITIES) for each branch below it. Dissolved orgs are
left out (their past is not judged here).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.scope import collapse_paths, subtree_q
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import current_committees

from . import cells, rules
from .choices import Activity
from .models import MeetingActivity
from .rules import MET, Branch, CellCounts, Month, Obligation, Tally

#: How many branches the overview ranks as the worst.
WORST_MAX = 20
#: The query parameters' limits (checked before any query).
ERR_PERIOD = "期间格式应为 2026、2026-Q1 或 2026-03"
ERR_ACTIVITY = "未知的会议类型"
ERR_YEAR = "年份超出范围"
YEAR_MIN, YEAR_MAX = 2000, 2100


def lectures_per_year() -> int:
    return getattr(settings, "MEETING_LECTURES_PER_YEAR", rules.LECTURES_PER_YEAR_DEFAULT)


# ── Periods ─────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year: `first` and `last` month, `label` in Chinese, `key` as in ?period=."""

    kind: str
    first: Month
    last: Month
    key: str
    label: str

    @property
    def months(self) -> list[Month]:
        return rules.months_between(self.first, self.last)


PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


def parse_period(value: str | None, *, today: date | None = None) -> Period:
    """'2026' (year), '2026-Q1' (quarter), '2026-03' (month); empty: the current month. ValueError with a Chinese
    message on anything else."""
    today = today or clock.today()
    if not value:
        value = f"{today.year}-{today.month:02d}"
    match = PERIOD_RE.match(value.strip()) if len(value) <= 10 else None
    if not match:
        raise ValueError(ERR_PERIOD)
    year = int(match[1])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(ERR_YEAR)
    if match[2]:
        q = int(match[2])
        return Period(rules.QUARTER, (year, 3 * q - 2), (year, 3 * q), f"{year}-Q{q}", f"{year}年第{q}季度")
    if match[3]:
        month = int(match[3])
        if not 1 <= month <= 12:
            raise ValueError(ERR_PERIOD)
        return Period(rules.MONTH, (year, month), (year, month), f"{year}-{month:02d}", f"{year}年{month}月")
    return Period(rules.YEAR, (year, 1), (year, 12), str(year), f"{year}年")


def last_months(today: date, n: int = 12) -> list[Month]:
    end = rules.month_index(rules.month_of(today))
    return [rules.from_index(i) for i in range(end - n + 1, end + 1)]


# ── The SQL path ────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class OrgRow:
    """An org as compliance shows it (plain values)."""

    pk: int
    path: str
    depth: int
    name: str
    kind: str

    def get_kind_display(self) -> str:
        return OrgKind(self.kind).label

    @property
    def is_branch(self) -> bool:
        return self.kind == OrgKind.BRANCH


@dataclass
class Computed:
    """Every branch under the roots with its obligations (month order) for the months asked."""

    orgs: dict[str, OrgRow]  # by path: every active visible org under the roots
    branches: list[Branch]
    obligations: dict[int, list[Obligation]]  # by branch pk


ORG_FIELDS = ("id", "path", "depth", "name", "kind")


def _orgs_under(fetched_by, roots: list[Organization]) -> list[tuple]:
    if fetched_by is None:
        # No user: meetings.cells materialises every branch's results (derived data, read back through scope).
        visible = Organization.objects.unrestricted().active()
    else:
        visible = Organization.objects.visible_to(fetched_by).active()
    fields = (*ORG_FIELDS, "established_on")
    return list(visible.filter(subtree_q("path", [r.path for r in roots])).values_list(*fields))


def _ancestor_paths(roots: list[Organization]) -> set[str]:
    step = Organization.steplen
    return {r.path[:end] for r in roots for end in range(step, len(r.path), step)}


def compute(*, fetched_by, roots: list[Organization], months: list[Month], today: date | None = None) -> Computed:
    """Obligations of every active branch the user sees under `roots`, for obligations ending in `months`
    (`fetched_by` None: every active branch under them, for meetings.cells alone)."""
    today = today or clock.today()
    rows = _orgs_under(fetched_by, roots)
    orgs = {path: OrgRow(pk, path, depth, name, kind) for pk, path, depth, name, kind, _ in rows}
    step = Organization.steplen
    groups: dict[str, list[str]] = defaultdict(list)
    for _, path, _, _, kind, _ in rows:
        if kind == OrgKind.GROUP:
            groups[path[:-step]].append(path)
    branch_rows = [r for r in rows if r[4] == OrgKind.BRANCH]
    under = [r.path for r in roots]
    committees = current_committees([orgs[r[1]] for r in branch_rows], under=under) if branch_rows else {}
    branches: list[Branch] = []
    for pk, path, _, _, _, established_on in branch_rows:
        committee = committees.get(pk)
        branches.append(
            Branch(
                pk=pk,
                path=path,
                has_committee=committee is not None and committee.seat_count >= rules.COMMITTEE_MIN_SEATS,
                groups=tuple(sorted(groups.get(path, ()))),
                secretary=committee.secretary_id if committee else None,
                established_on=established_on,
            )
        )
    tallies = {}
    if branches and months:
        # The roots' ancestors: their whole-org meetings count for the branches (their ids and paths, one query).
        # Unrestricted: only their ids and paths are read, to count their meetings for the user's own branches.
        above = Organization.objects.unrestricted().filter(path__in=_ancestor_paths(roots)).values_list("id", "path")
        paths = {pk: path for pk, path, *_ in rows} | dict(above)
        tallies = _tallies(branches, roots, months, paths)
    per_year = lectures_per_year()
    obligations = {
        b.pk: rules.obligations(b, tallies.get(b.pk) or Tally(), months=months, today=today, lectures_per_year=per_year)
        for b in branches
    }
    return Computed(orgs=orgs, branches=branches, obligations=obligations)


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset of plain ints and strings, without Django's per-value converters (at 5,000
    orgs × 12 months, ~100,000 grouped rows: the converters took longer than the query). Only for querysets already
    scoped by their caller; the SQL is Django's own, compiled for this database."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        # EXTRACT answers a numeric on PostgreSQL: every number here is a whole one (ids, years, months, counts).
        return [tuple(int(x) if isinstance(x, Decimal | float) else x for x in row) for row in cursor]


def _tallies(
    branches: list[Branch], roots: list[Organization], months: list[Month], paths: dict[int, str]
) -> dict[int, Tally]:
    """Each branch's Tally from two grouped queries over MeetingActivity. `paths`: the tree path of every org id
    whose meetings may count (the orgs under the roots, and the roots' ancestors)."""
    # A quarter's or a year's obligation ending in the first month shown counts meetings from its period's start.
    first = (min(months)[0], 1)
    last = max(months)
    since = date(*first, 1)
    until = date(last[0] + (last[1] == 12), last[1] % 12 + 1, 1)  # the first day after the last month
    by_path = {b.path: b for b in branches}
    group_branch = {g: b for b in branches for g in b.groups}
    below: dict[str, list[Branch]] = defaultdict(list)  # an ancestor's path -> the branches under it
    step = Organization.steplen
    for b in branches:
        for end in range(step, len(b.path), step):
            below[b.path[:end]].append(b)
    # Unrestricted: only counts are read, of the orgs fetched in the user's scope (subtrees of the roots) and of the
    # roots' ancestors, whose whole-org meetings (a 党总支's 党员大会) count for the user's branches. No row is shown.
    where = subtree_q("org__path", [r.path for r in roots]) | Q(org__path__in=_ancestor_paths(roots))
    held = (
        MeetingActivity.objects.unrestricted()
        .filter(where, held=True, held_on__gte=since, held_on__lt=until)
        .annotate(year=ExtractYear("held_on"), month=ExtractMonth("held_on"))
    )
    tallies: dict[int, Tally] = {b.pk: Tally() for b in branches}
    counted = held.values_list("org_id", "activity", "year", "month").annotate(n=Count("id")).order_by()
    for org_id, activity, year, month, n in _raw_rows(counted):
        path = paths.get(org_id)
        if path is None:
            continue
        m = (year, month)
        if activity == Activity.GROUP:
            branch = group_branch.get(path)
            if branch is not None:
                t = tallies[branch.pk]
                t.groups_held[m] = t.groups_held.get(m, 0) + 1  # one row per group and month
            continue
        if path in by_path:
            targets = [by_path[path]]
        elif activity in rules.WHOLE_ORG_ACTIVITIES:
            targets = below.get(path, [])
        else:
            continue
        key = (activity, m)
        for b in targets:
            t = tallies[b.pk]
            t.held[key] = t.held.get(key, 0) + n
    lecturers = (
        held.filter(activity=Activity.LECTURE, meeting__lecturer__isnull=False)
        .values_list("org_id", "year", "meeting__lecturer_id")
        .distinct()
        .order_by()
    )
    for org_id, year, lecturer in _raw_rows(lecturers):
        path = paths.get(org_id)
        targets = [by_path[path]] if path in by_path else below.get(path, [])
        for b in targets:
            if b.secretary == lecturer:
                tallies[b.pk].secretary_years.add(year)
    return tallies


# ── The overview (heat map) ─────────────────────────────────────────────────────


@dataclass
class OverviewRow:
    """One row of the heat map: an org and its branches' obligations rolled up, per month and in all."""

    org: OrgRow
    branches: int
    cells: list[CellCounts]
    total: CellCounts


@dataclass
class Overview:
    root: OrgRow | None
    roots: list[Organization]
    months: list[Month]
    activity: str | None
    # A big tree is not 5,000 rows at once: the heat map's rows are the root's direct children, each rolled up over
    # the branches of its subtree (a branch root: the branch itself). A cell drills into that child (its own heat
    # map) or, for a branch, into its missing items; the worst branches of the whole subtree are ranked below.
    rows: list[OverviewRow]
    worst: list[tuple[OrgRow, CellCounts]]
    by_activity: dict[str, CellCounts]
    total: CellCounts
    branches: int
    ancestors: list[OrgRow] = field(default_factory=list)


def top_orgs(user) -> list[Organization]:
    """The tops of the user's granted subtrees (as the statistics page finds them), active ones."""
    # The grants' own orgs: the user's scope is their subtrees.
    if user.is_superuser:
        return list(Organization.objects.get_root_nodes().unrestricted().active())
    return list(Organization.objects.unrestricted().active().filter(path__in=user.scope_paths(Capability.VIEW)))


def compliance_org(*, fetched_by, org_id) -> Organization:
    """An org the user sees (Organization.DoesNotExist otherwise, as for none)."""
    try:
        pk = int(org_id)
    except (TypeError, ValueError):
        raise Organization.DoesNotExist from None
    return Organization.objects.visible_to(fetched_by).get(pk=pk)


def _only(items: list[Obligation], activity: str | None) -> list[Obligation]:
    return items if activity is None else [o for o in items if o.activity == activity]


def check_activity(activity: str | None) -> str | None:
    if activity in (None, ""):
        return None
    if activity not in rules.ACTIVITY_ORDER:
        raise ValueError(ERR_ACTIVITY)
    return activity


def compliance_overview_live(
    *,
    fetched_by,
    root: Organization | None = None,
    months: list[Month],
    activity: str | None = None,
    today: date | None = None,
) -> Overview:
    """compliance_overview computed live from the meetings (every branch's rules applied on the request): the
    reference the materialised cells are tested against; seconds for a big tree."""
    roots = [root] if root is not None else top_orgs(fetched_by)
    if root is None and len(roots) == 1:
        root = roots[0]  # one top org (the usual case): its children are the rows
    done = compute(fetched_by=fetched_by, roots=roots, months=months, today=today)
    index = {m: i for i, m in enumerate(months)}
    step = Organization.steplen
    # The rows: the root's children (several roots: the roots themselves), each over the branches below it.
    if root is not None and root.kind == OrgKind.BRANCH:
        heads = [done.orgs[root.path]] if root.path in done.orgs else []
    elif root is not None:
        heads = [o for o in done.orgs.values() if o.depth == root.depth + 1 and o.kind != OrgKind.GROUP]
    else:
        heads = [done.orgs[p] for p in collapse_paths(r.path for r in roots) if p in done.orgs]
    head_of = {h.path: h for h in heads}
    # Per head and month: [required, met, missed, due], accumulated in place (thousands of branches × 12 months).
    sums: dict[str, list[list[int]]] = {h.path: [[0, 0, 0, 0] for _ in months] for h in heads}
    branch_count: dict[str, int] = defaultdict(int)
    worst: list[tuple[OrgRow, CellCounts]] = []
    everything: list[Obligation] = []
    for b in done.branches:
        items = _only(done.obligations[b.pk], activity)
        everything.extend(items)
        counts = rules.cell_counts(items)
        if counts.missed:
            worst.append((done.orgs[b.path], counts))
        head = next((b.path[:end] for end in range(step, len(b.path) + 1, step) if b.path[:end] in head_of), None)
        if head is None:
            continue
        branch_count[head] += 1
        cells = sums[head]
        for o in items:
            cell = cells[index[o.last]]
            done_units = o.held if o.held < o.required else o.required
            cell[0] += o.required
            cell[1] += done_units
            if o.state == rules.MISSED:
                cell[2] += o.required - done_units
            elif o.state == rules.DUE:
                cell[3] += o.required - done_units
    rows = []
    for h in heads:
        if not branch_count[h.path]:
            continue
        cells = [CellCounts(*c) for c in sums[h.path]]
        rows.append(OverviewRow(org=h, branches=branch_count[h.path], cells=cells, total=sum(cells, CellCounts())))
    worst = sorted(worst, key=lambda w: (-w[1].missed, w[0].path))[:WORST_MAX]
    by_activity = dict(rules.summarise(everything))
    root_row = done.orgs.get(root.path) if root is not None else None
    ancestors: list[OrgRow] = []
    if root is not None and root.depth > 1:
        paths = {root.path[:end] for end in range(step, len(root.path), step)}
        ancestors = [
            OrgRow(pk, path, depth, name, kind)
            for pk, path, depth, name, kind in Organization.objects.visible_to(fetched_by)
            .filter(path__in=paths)
            .values_list(*ORG_FIELDS)
        ]
    return Overview(
        root=root_row,
        roots=roots,
        months=months,
        activity=activity,
        rows=rows,
        worst=worst,
        by_activity=by_activity,
        total=rules.cell_counts(everything),
        branches=len(done.branches),
        ancestors=ancestors,
    )


# ── One org: its periods, or its branches' missing items ────────────────────────


@dataclass
class BranchItems:
    org: OrgRow
    items: list[Obligation]
    counts: CellCounts


@dataclass
class OrgCompliance:
    """One org over a period: for each branch of its subtree (a branch: itself) the obligations of the period, with
    the counts; `missing` lists the missed ones (the drill-down)."""

    org: Organization
    period: Period
    branches: list[BranchItems]
    by_activity: dict[str, CellCounts]
    total: CellCounts

    @property
    def missing(self) -> list[tuple[OrgRow, Obligation]]:
        return [(b.org, o) for b in self.branches for o in b.items if o.state == rules.MISSED]


def in_period(items: list[Obligation], period: Period) -> list[Obligation]:
    """The obligations whose own period lies inside `period` (a month: that month's; a year: all of its)."""
    first, last = rules.month_index(period.first), rules.month_index(period.last)
    return [o for o in items if rules.month_index(o.first) >= first and rules.month_index(o.last) <= last]


def org_compliance(
    *,
    fetched_by,
    org: Organization,
    period: Period,
    activity: str | None = None,
    today: date | None = None,
    ending: bool = False,
) -> OrgCompliance:
    """Required vs held per activity for `org` (a branch, or every branch below another org) in `period`: the
    obligations whose own period lies inside it, or (`ending`, the heat map's cell) every one shown in its months
    (a quarter's in its last month, a year's in December)."""
    done = compute(fetched_by=fetched_by, roots=[org], months=period.months, today=today)
    branches = []
    everything: list[Obligation] = []
    for b in done.branches:
        items = done.obligations[b.pk] if ending else in_period(done.obligations[b.pk], period)
        items = _only(items, activity)
        everything.extend(items)
        branches.append(BranchItems(done.orgs[b.path], items, rules.cell_counts(items)))
    return OrgCompliance(
        org=org,
        period=period,
        branches=branches,
        by_activity=dict(rules.summarise(everything)),
        total=rules.cell_counts(everything),
    )


# ── The home page's obligations panel ───────────────────────────────────────────


@dataclass
class PanelLine:
    activity: str
    label: str
    first: Month
    last: Month
    met: int  # branches (a secretary's panel: 1 or 0)
    not_met: int
    state: str  # a single branch's state; for a roll-up, MET when every branch met it


@dataclass
class ObligationsPanel:
    org: OrgRow | None  # the single branch shown, or the root rolled up
    single: bool
    lines: list[PanelLine]
    branches: int


def current_items(items: list[Obligation], today: date) -> list[Obligation]:
    """This month's and this quarter's obligations (and, in the last quarter, the year's): those whose period holds
    today's month and spans at most a quarter, or ends this quarter."""
    now = rules.month_index(rules.month_of(today))
    quarter_end = now + 2 - (today.month - 1) % 3
    return [
        o
        for o in items
        if rules.month_index(o.first) <= now <= rules.month_index(o.last) and rules.month_index(o.last) <= quarter_end
    ]


def obligations_panel_live(*, fetched_by, today: date | None = None) -> ObligationsPanel | None:
    """obligations_panel computed live (the reference of the cells). The user's current obligations: a single
    branch's with their state, or rolled up over the user's subtree(s)
    (per activity: how many branches met it, how many not yet). None when the user sees no branch."""
    today = today or clock.today()
    if not fetched_by.can(Capability.VIEW):
        return None
    roots = top_orgs(fetched_by)
    months = rules.months_between(rules.month_of(today), (today.year, 12))
    done = compute(fetched_by=fetched_by, roots=roots, months=months, today=today)
    if not done.branches:
        return None
    current = {b.pk: current_items(done.obligations[b.pk], today) for b in done.branches}
    if len(done.branches) == 1:
        b = done.branches[0]
        lines = [
            PanelLine(o.activity, o.label, o.first, o.last, int(o.state == MET), int(o.state != MET), o.state)
            for o in current[b.pk]
        ]
        return ObligationsPanel(org=done.orgs[b.path], single=True, lines=lines, branches=1)
    per: dict[str, list[Obligation]] = defaultdict(list)
    for items in current.values():
        for o in items:
            per[o.activity].append(o)
    lines = []
    for activity in rules.ACTIVITY_ORDER:
        if activity not in per:
            continue
        items = per[activity]
        met = sum(o.state == rules.MET for o in items)
        lines.append(
            PanelLine(
                activity,
                rules.activity_label(activity),
                items[0].first,
                items[0].last,
                met,
                len(items) - met,
                rules.MET if met == len(items) else rules.DUE,
            )
        )
    root = done.orgs.get(roots[0].path) if len(roots) == 1 else None
    return ObligationsPanel(org=root, single=False, lines=lines, branches=len(done.branches))


# ── From the materialised cells (meetings.cells) ─────────────────────────────


def _heads(fetched_by, root: Organization | None, roots: list[Organization]) -> tuple[OrgRow | None, list[OrgRow]]:
    """The root's row and the overview's rows' orgs: the root's children (not 党小组), a branch root itself, or (no
    root) the outermost roots — those the user sees and active. One query."""
    visible = Organization.objects.visible_to(fetched_by).active()
    if root is None:
        found = visible.filter(path__in=collapse_paths(r.path for r in roots))
    elif root.kind == OrgKind.BRANCH:
        found = visible.filter(path=root.path)
    else:
        found = visible.filter(
            Q(path=root.path) | Q(path__startswith=root.path, depth=root.depth + 1) & ~Q(kind=OrgKind.GROUP)
        )
    orgs = [OrgRow(*row) for row in found.values_list(*ORG_FIELDS).order_by("path")]
    root_row = next((o for o in orgs if root is not None and o.path == root.path), None)
    if root is None or root.kind == OrgKind.BRANCH:
        return root_row, orgs
    return root_row, [o for o in orgs if o.depth == root.depth + 1]


def compliance_overview(
    *,
    fetched_by,
    root: Organization | None = None,
    months: list[Month],
    activity: str | None = None,
    today: date | None = None,
) -> Overview:
    """The heat map of `root`'s subtree (None: the user's top orgs) over `months`: rows rolled up per direct child,
    the worst branches, per-activity totals. Read from the materialised cells (meetings.cells) in a fixed number of
    grouped queries whatever the size of the tree; equal to compliance_overview_live."""
    today = today or clock.today()
    roots = [root] if root is not None else top_orgs(fetched_by)
    if root is None and len(roots) == 1:
        root = roots[0]  # one top org (the usual case): its children are the rows
    root_row, heads = _heads(fetched_by, root, roots)
    rows, worst, by_activity, total, branches = cells.overview_from_cells(
        fetched_by=fetched_by, root=root, roots=roots, heads=heads, months=months, activity=activity, today=today
    )
    ancestors: list[OrgRow] = []
    if root is not None and root.depth > 1:
        step = Organization.steplen
        paths = {root.path[:end] for end in range(step, len(root.path), step)}
        above = Organization.objects.visible_to(fetched_by).filter(path__in=paths)
        ancestors = [OrgRow(*row) for row in above.values_list(*ORG_FIELDS)]
    return Overview(
        root=root_row,
        roots=roots,
        months=months,
        activity=activity,
        rows=rows,
        worst=worst,
        by_activity=by_activity,
        total=total,
        branches=branches,
        ancestors=ancestors,
    )


def obligations_panel(*, fetched_by, today: date | None = None) -> ObligationsPanel | None:
    """The user's current obligations: a single branch's with their state, or rolled up over the user's subtree(s)
    (per activity: how many branches met it, how many not yet). None when the user sees no branch. Read from the
    materialised cells (meetings.cells); equal to obligations_panel_live."""
    today = today or clock.today()
    if not fetched_by.can(Capability.VIEW):
        return None
    roots = top_orgs(fetched_by)
    count, single, found = cells.panel_from_cells(fetched_by=fetched_by, roots=roots, today=today)
    if not count:
        return None
    if single is not None:
        lines = [
            PanelLine(a, rules.activity_label(a), first, last, met, n - met, state)
            for a, first, last, met, n, state in found
        ]
        return ObligationsPanel(org=single, single=True, lines=lines, branches=1)
    lines = [
        PanelLine(a, rules.activity_label(a), first, last, met, n - met, rules.MET if met == n else rules.DUE)
        for a, first, last, met, n, _ in found
    ]
    root = None
    if len(roots) == 1:
        row = Organization.objects.visible_to(fetched_by).active().filter(pk=roots[0].pk).values_list(*ORG_FIELDS)
        root = next((OrgRow(*r) for r in row), None)
    return ObligationsPanel(org=root, single=False, lines=lines, branches=count)
