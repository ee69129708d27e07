"""Materialised compliance (meetings.models.ComplianceCell): each branch's obligations per month, counted, so that
the committee's heat map, its xlsx export and the home panel read thousands of branches in a fixed number of grouped
queries instead of applying the rules to every branch on every request.

The cells are written by the pure rules alone (meetings.rules through compliance.compute), so the rules stay in one
place: refresh_cells(orgs, months) recomputes the branches under `orgs` for `months` and replaces their rows in one
transaction. Who calls it:
- services.sync_activities, after the commit of any meeting write: the branches under the meeting's org (a 党小组's:
  its branch) for the months from the meeting's month to December (a quarter's and a year's obligations are shown in
  their last month), before and after the change (a meeting moved to another day or org);
- the nightly task (meetings.tasks.refresh_compliance_cells): every branch, the default months;
- the readers (ensure_cells): any cell missing (a new branch, a fresh install) or no longer true for today (a cell
  computed while its month ran still says "due" once the month is over) is computed on the fly before reading —
  the first read of a new month recomputes the month just ended;
- the producers of demo and scale data (meetings.demo, meetings.scale), at their end.

What a cell does not follow at once: changes of the branch's own facts the rules read (a committee term's seats, a
party group founded, a branch's founding date, MEETING_LECTURES_PER_YEAR): the nightly refresh picks them up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.scope import collapse_paths, subtree_q
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import compliance, rules
from .models import ComplianceCell, Meeting
from .rules import CellCounts, Month

#: Rows per INSERT.
BATCH_SIZE = 5000
#: How many months back (this month included) the nightly refresh recomputes; it also goes to December of this year.
MONTHS_BACK = 24
#: Up to this many branches lacking cells are recomputed one by one (by their own paths); more: the whole subtree.
FEW_BRANCHES = 50
ALL = ""  # ComplianceCell.activity of the row counting every activity


def first_day(month: Month) -> date:
    return date(month[0], month[1], 1)


def default_months(today: date) -> list[Month]:
    """The last MONTHS_BACK months to December of this year (the home panel reads this quarter's months)."""
    now = rules.month_index(rules.month_of(today))
    return [rules.from_index(i) for i in range(now - MONTHS_BACK + 1, rules.month_index((today.year, 12)) + 1)]


def _roots(orgs: Iterable[Organization]) -> list[Organization]:
    """The outermost of `orgs`, a 党小组 replaced by its branch (its 党小组会 counts for the branch)."""
    by_path: dict[str, Organization] = {}
    step = Organization.steplen
    parents = {o.path[:-step] for o in orgs if o.kind == OrgKind.GROUP}
    for o in orgs:
        if o.kind != OrgKind.GROUP:
            by_path[o.path] = o
    if parents:
        # Unrestricted: the parents of groups a write or a refresh named; only used to recompute their cells.
        for parent in Organization.objects.unrestricted().filter(path__in=parents):
            by_path[parent.path] = parent
    keep = set(collapse_paths(by_path))
    return [by_path[p] for p in sorted(keep)]


def refresh_cells(
    *, orgs: Iterable[Organization] | None = None, months: Iterable[Month] | None = None, today: date | None = None
) -> int:
    """Recompute the cells of every active branch under `orgs` (None: the whole tree) for `months` (None:
    default_months) with the pure rules, replacing theirs (and any dissolved branch's there) in one transaction.
    Returns the number of rows written."""
    today = today or clock.today()
    months = sorted(set(months)) if months is not None else default_months(today)
    # Unrestricted (no orgs): the whole tree's derived results, read back by each user through their scope.
    roots = list(Organization.objects.unrestricted().filter(depth=1)) if orgs is None else _roots(list(orgs))
    if not roots or not months:
        return 0
    done = compliance.compute(fetched_by=None, roots=roots, months=months, today=today)
    as_of = first_day(rules.month_of(today))
    now = timezone.now()
    rows: list[ComplianceCell] = []
    add = rows.append
    for b in done.branches:
        by_month: dict[Month, list[rules.Obligation]] = defaultdict(list)
        for o in done.obligations[b.pk]:
            by_month[o.last].append(o)
        for m in months:
            items = by_month.get(m, ())
            first = first_day(m)
            required = met = missed = due = 0
            missing = []
            for o in items:
                done_units = min(o.held, o.required)
                o_missed = o.required - done_units if o.state == rules.MISSED else 0
                o_due = o.required - done_units if o.state == rules.DUE else 0
                required, met, missed, due = required + o.required, met + done_units, missed + o_missed, due + o_due
                if o_missed:
                    missing.append(o.activity)
                add(
                    ComplianceCell(
                        org_id=b.pk,
                        month=first,
                        activity=o.activity,
                        required=o.required,
                        met=done_units,
                        missed=o_missed,
                        due=o_due,
                        missing=o.activity if o_missed else "",
                        as_of=as_of,
                        computed_at=now,
                    )
                )
            add(
                ComplianceCell(
                    org_id=b.pk,
                    month=first,
                    activity=ALL,
                    required=required,
                    met=met,
                    missed=missed,
                    due=due,
                    missing=",".join(missing),
                    as_of=as_of,
                    computed_at=now,
                )
            )
    # Written in the readers' order (the index's): a month's rows of one kind lie together on disk, so the heat map
    # reads a few contiguous pages rather than every page of the table.
    rows.sort(key=lambda c: (c.activity, c.month, c.org_id))
    firsts = [first_day(m) for m in months]
    with transaction.atomic():
        # Unrestricted: derived rows of the subtrees recomputed above, replaced as a whole.
        stale = ComplianceCell.objects.unrestricted().filter(month__in=firsts)
        if orgs is not None:
            stale = stale.filter(subtree_q("org__path", [r.path for r in roots]))
        stale.delete()
        # A concurrent refresh of the same cells wrote the same results: theirs stay.
        ComplianceCell.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if orgs is None and connection.vendor == "postgresql":
        # Every row replaced: fresh statistics, or the planner reads a table it believes empty (seconds, not ms).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ComplianceCell._meta.db_table}")
    return len(rows)


#: A meeting write that commits while the nightly refresh runs may be overwritten by the refresh's older reading:
#: meetings saved since the refresh began, less this margin (a long transaction saves before it commits), are
#: recomputed again afterwards.
CATCH_UP_MARGIN = timedelta(minutes=10)


def refresh_all(today: date | None = None) -> int:
    """The nightly refresh of every cell, then the branches of the meetings written meanwhile once more."""
    started = timezone.now()
    written = refresh_cells(today=today)
    # Unrestricted: which orgs' meetings changed, to recompute their derived cells.
    changed = Meeting.objects.unrestricted().filter(updated_at__gte=started - CATCH_UP_MARGIN).values("org_id")
    orgs = list(Organization.objects.unrestricted().filter(pk__in=changed))
    if orgs:
        refresh_cells(orgs=orgs, today=today)
    return written


def refresh_after_write(changes: Iterable[tuple[int, date]]) -> None:
    """After a meeting write commits: recompute the branches under each (org id, day) the meeting was or is held by,
    for the months from that day's month to December (its quarter's and its year's obligations)."""
    by_year: dict[tuple[int, Month], set[int]] = defaultdict(set)
    for org_id, day in changes:
        by_year[(day.year, rules.month_of(day))].add(org_id)
    for (year, month), org_ids in by_year.items():
        # Unrestricted: the orgs the committed meeting was held by, to recompute their branches' derived cells.
        orgs = list(Organization.objects.unrestricted().filter(pk__in=org_ids))
        refresh_cells(orgs=orgs, months=rules.months_between(month, (year, 12)))


# ── Reading ─────────────────────────────────────────────────────────────────────


def fresh_q(today: date) -> Q:
    """Cells still true for `today`: nothing unmet, or computed on the same side of the cell's month as today (a
    cell computed while its month ran holds "due" that is "missed" once the month is over)."""
    now = first_day(rules.month_of(today))
    return (
        Q(due=0, missed=0) | Q(month__gte=F("as_of")) & Q(month__gte=now) | Q(month__lt=F("as_of")) & Q(month__lt=now)
    )


def branches_under(fetched_by, roots: list[Organization]):
    """The active branches the user sees under `roots` (as compliance.compute reads them)."""
    visible = Organization.objects.visible_to(fetched_by).active()
    return visible.filter(subtree_q("path", [r.path for r in roots]), kind=OrgKind.BRANCH)


def ensure_cells(fetched_by, roots: list[Organization], months: list[Month], today: date) -> int:
    """Compute any cell the user's branches under `roots` lack for `months`, or hold no longer true for `today`.
    Two queries when every cell is there and fresh. Returns the number of those branches."""
    branches = branches_under(fetched_by, roots)
    total = branches.count()
    if not months or not total:
        return total
    firsts = [first_day(m) for m in months]
    # Unrestricted: counts of the derived rows of the branches the user sees (the subquery is their restricted set).
    cells = ComplianceCell.objects.unrestricted().filter(org__in=branches.values("pk"), activity=ALL, month__in=firsts)
    have = dict(cells.filter(fresh_q(today)).values_list("month").annotate(n=Count("id")).order_by())
    short = [m for m in months if have.get(first_day(m), 0) < total]
    if not short:
        return total
    if total > FEW_BRANCHES:
        shorts = [first_day(m) for m in short]
        present = set(cells.filter(fresh_q(today), month__in=shorts).values_list("org_id", "month").order_by())
        lacking = [b for b in branches if any((b.pk, d) not in present for d in shorts)]
        if len(lacking) <= FEW_BRANCHES:
            refresh_cells(orgs=lacking, months=short, today=today)
            return total
    refresh_cells(orgs=roots, months=short, today=today)
    return total


def _sums(queryset):
    return queryset.annotate(
        s_required=Sum("required"), s_met=Sum("met"), s_missed=Sum("missed"), s_due=Sum("due")
    ).order_by()


def _counts(row) -> CellCounts:
    return CellCounts(row["s_required"] or 0, row["s_met"] or 0, row["s_missed"] or 0, row["s_due"] or 0)


def head_expression(heads: list, lookup: str):
    """The head (one of `heads`, OrgRows of the rolled-up rows) each path under them belongs to, as SQL: a prefix when
    they share a depth (the root's children), else one CASE branch per head (a few granted subtrees)."""
    step = Organization.steplen
    depths = {h.depth for h in heads}
    if len(depths) == 1:
        return Substr(lookup, 1, depths.pop() * step)
    return Case(*(When(**{f"{lookup}__startswith": h.path}, then=Value(h.path)) for h in heads), default=Value(""))


def overview_from_cells(*, fetched_by, root, roots, heads, months, activity, today):
    """The overview's figures for `heads` (OrgRows) from the cells: per head its branches and per month its counts,
    the worst branches, per activity, in all. Returns (rows, worst, by_activity, total, branches)."""
    count = ensure_cells(fetched_by, roots, months, today)
    branches = branches_under(fetched_by, roots)
    firsts = [first_day(m) for m in months]
    # Unrestricted: the derived rows of the branches the user sees (the subquery is their restricted set).
    cells = ComplianceCell.objects.unrestricted().filter(org__in=branches.values("pk"), month__in=firsts)
    chosen = cells.filter(activity=activity or ALL)
    branch_count: dict[str, int] = {}
    grid: dict[str, list[CellCounts]] = {}
    if heads:
        head = head_expression(heads, "path")
        branch_count = dict(branches.annotate(head=head).values_list("head").annotate(n=Count("id")).order_by())
        index = {d: i for i, d in enumerate(firsts)}
        grid = {h.path: [CellCounts() for _ in months] for h in heads}
        per_head = _sums(chosen.annotate(head=head_expression(heads, "org__path")).values("head", "month"))
        for row in per_head:
            if row["head"] in grid:
                grid[row["head"]][index[row["month"]]] = _counts(row)
    rows = []
    for h in heads:
        if branch_count.get(h.path):
            cells_of = grid[h.path]
            rows.append(
                compliance.OverviewRow(
                    org=h, branches=branch_count[h.path], cells=cells_of, total=sum(cells_of, CellCounts())
                )
            )
    fields = ("org_id", "org__path", "org__depth", "org__name", "org__kind")
    worst_rows = (
        _sums(chosen.values(*fields)).filter(s_missed__gt=0).order_by("-s_missed", "org__path")[: compliance.WORST_MAX]
    )
    worst = [(compliance.OrgRow(*(r[f] for f in fields)), _counts(r)) for r in worst_rows]
    per_activity = cells.exclude(activity=ALL)
    if activity:
        per_activity = per_activity.filter(activity=activity)
    found = {r["activity"]: _counts(r) for r in _sums(per_activity.values("activity"))}
    by_activity = {a: found[a] for a in rules.ACTIVITY_ORDER if a in found}
    total = sum(by_activity.values(), CellCounts())
    return rows, worst, by_activity, total, count


def panel_from_cells(*, fetched_by, roots, today):
    """The home panel's figures from the cells: (branches, the single branch's OrgRow or None, per activity
    (activity, first, last, met branches, branches, state of a single branch))."""
    now = rules.month_of(today)
    quarter_end = rules.from_index(rules.month_index(now) + 2 - (today.month - 1) % 3)
    months = rules.months_between(now, quarter_end)
    count = ensure_cells(fetched_by, roots, months, today)
    if not count:
        return 0, None, []
    branches = branches_under(fetched_by, roots)
    single = None
    if count == 1:
        single = compliance.OrgRow(*branches.values_list(*compliance.ORG_FIELDS).get())
    per_year = compliance.lectures_per_year()
    # Unrestricted: the derived rows of the branches the user sees (the subquery is their restricted set).
    rows = (
        ComplianceCell.objects.unrestricted()
        .filter(org__in=branches.values("pk"), month__in=[first_day(m) for m in months])
        .exclude(activity=ALL)
        .values("activity", "month")
        .annotate(
            n=Count("id"),
            n_met=Count("id", filter=Q(met__gte=F("required"))),
            n_missed=Count("id", filter=Q(missed__gt=0)),
        )
        .order_by()
    )
    lines = []
    for r in rows:
        last = rules.month_of(r["month"])
        first = rules.period_start(last, rules.period_months(r["activity"], per_year))
        if rules.month_index(first) <= rules.month_index(now) <= rules.month_index(last):
            state = rules.MET if r["n_met"] == r["n"] else (rules.MISSED if r["n_missed"] else rules.DUE)
            lines.append((r["activity"], first, last, r["n_met"], r["n"], state))
    order = {a: i for i, a in enumerate(rules.ACTIVITY_ORDER)}
    lines.sort(key=lambda line: order[line[0]])
    return count, single, lines
