"""Member statistics for the user's scope (党员统计): members by category, gender, age band, education, ethnicity,
党龄 band and status, and per org with drill-down.

Aggregated in SQL: one grouped query over all the dimensions at once (the bands are CASE expressions on dates
computed from today) and one for the per-org table, so the page runs the same fixed number of queries at 300
members or at 100,000. The counts of big scopes are computed ahead by a periodic task (refresh_snapshots) and the
page shows them with their time.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.lib.dates import earliest_birth_after_age, years_before
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from .choices import ETHNICITIES, Category, Education, Gender, Status
from .models import Member, StatsSnapshot

# The bands follow the usual 党内统计 report bands (党员年龄、党龄分组 as the annual party statistics report them).
#: 年龄: (label, oldest age in the band in completed years; None = no upper limit).
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("30岁及以下", 30),
    ("31-35岁", 35),
    ("36-40岁", 40),
    ("41-45岁", 45),
    ("46-50岁", 50),
    ("51-55岁", 55),
    ("56-60岁", 60),
    ("61岁及以上", None),
)


def age_band_label(age: int) -> str:
    """The AGE_BANDS label of an age in completed years (what a record with masked personal data shows)."""
    return next(label for label, oldest in AGE_BANDS if oldest is None or age <= oldest)


#: 党龄: (label, upper bound in completed years, exclusive; None = no upper limit). "5-10年" is 5 to under 10.
PARTY_AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("5年以下", 5),
    ("5-10年", 10),
    ("10-20年", 20),
    ("20-30年", 30),
    ("30-40年", 40),
    ("40-50年", 50),
    ("50年及以上", None),
)
#: 党章第七条: 党龄从预备期满转为正式党员之日算起 — so 党龄 counts from 转正日期 and 预备党员 have none yet.
PARTY_AGE_PROBATIONARY = "预备党员（不计党龄）"
PARTY_AGE_UNKNOWN = "未填转正日期"

ERR_UNKNOWN_TABLE = "没有这张统计表"
ERR_OUT_OF_SCOPE = "该组织不在您的统计范围内"
MSG_RECOUNTED = "已重新统计"
CHART_MAX_ORGS = 30


class NoSuchTable(ObjectDoesNotExist):
    """A table key that is not one of TABLE_KEYS (the views answer 404, as for an org outside the scope)."""


@dataclass
class StatRow:
    label: str
    count: int
    percent: float = 0.0


@dataclass
class StatTable:
    """One dimension: its rows (label, count, share of the total), shown as a table beside a chart."""

    key: str
    title: str
    chart: str  # "pie" or "bar"
    rows: list[StatRow]
    total: int = 0

    def __post_init__(self) -> None:
        self.total = sum(r.count for r in self.rows)
        for r in self.rows:
            r.percent = round(r.count * 100 / self.total, 1) if self.total else 0.0

    @property
    def dimension(self) -> str:
        """The first column's header: 按性别统计 → 性别."""
        return self.title.removeprefix("按").split("统计")[0]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def chart_height(self) -> int:
        return 280 if self.chart == "pie" else max(200, 28 * len(self.rows) + 40)

    @property
    def chart_data(self) -> dict:
        return {
            "type": self.chart,
            "title": self.title,
            "labels": [r.label for r in self.rows],
            "values": [r.count for r in self.rows],
        }

    def sheet(self) -> tuple[list[str], list[list]]:
        """(headers, rows) for the xlsx download."""
        rows = [[r.label, r.count, r.percent / 100] for r in self.rows]
        return [self.dimension, "人数", "占比"], [
            *rows,
            ["合计", self.total, 1 if self.total else 0],
        ]


@dataclass
class OrgRow:
    org: Organization | None  # None: members directly in the chosen org, not in any of its children
    label: str
    full: int = 0
    probationary: int = 0

    @property
    def total(self) -> int:
        return self.full + self.probationary


@dataclass
class OrgTable:
    key: str
    title: str
    rows: list[OrgRow]
    chart: str = "bar"
    full: int = field(init=False, default=0)
    probationary: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.full = sum(r.full for r in self.rows)
        self.probationary = sum(r.probationary for r in self.rows)

    @property
    def total(self) -> int:
        return self.full + self.probationary

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def _chart_rows(self) -> list[OrgRow]:
        """The largest orgs, in table order: a chart of 300 branches shows nothing (the table lists them all)."""
        rows = [r for r in self.rows if r.org is not None]
        if len(rows) > CHART_MAX_ORGS:
            keep = {id(r) for r in sorted(rows, key=lambda r: -r.total)[:CHART_MAX_ORGS]}
            rows = [r for r in rows if id(r) in keep]
        return rows

    @property
    def chart_height(self) -> int:
        return max(200, 28 * len(self._chart_rows) + 60)

    @property
    def chart_data(self) -> dict:
        rows = self._chart_rows
        return {
            "type": "stack",
            "title": self.title,
            "labels": [r.label for r in rows],
            "series": [
                {"name": Category.FULL.label, "values": [r.full for r in rows]},
                {"name": Category.PROBATIONARY.label, "values": [r.probationary for r in rows]},
            ],
        }

    def sheet(self) -> tuple[list[str], list[list]]:
        rows = [[r.label, r.total, r.full, r.probationary] for r in self.rows]
        return ["组织", "党员总数", Category.FULL.label, Category.PROBATIONARY.label], [
            *rows,
            ["合计", self.total, self.full, self.probationary],
        ]


@dataclass
class MemberStats:
    org: Organization | None  # the org the page is about (None: several top orgs side by side)
    ancestors: list[Organization]  # the chosen org's ancestors inside the user's scope, for going back up
    orgs: OrgTable | None  # None when only another table was asked for
    tables: list[StatTable]
    today: date
    computed_at: datetime | None = None  # when precomputed (a big scope): the time of the figures; None: live

    @property
    def total(self) -> int:
        """Members in register (在册) of the scope."""
        return self.orgs.total if self.orgs is not None else self.tables[0].total

    @property
    def scope_name(self) -> str:
        return self.org.name if self.org is not None else "本范围"

    def table(self, key: str) -> "StatTable | OrgTable":
        found = self.orgs if key == "orgs" else next((t for t in self.tables if t.key == key), None)
        if found is None:
            raise NoSuchTable(ERR_UNKNOWN_TABLE)
        return found


def _scope_orgs(user) -> QuerySet[Organization]:
    """Orgs inside the subtrees the user may view (a plain member's own branch does not make it a statistics scope)."""
    # Restricted here rather than by visible_to(), which would add the plain member's own branch.
    orgs = Organization.objects.unrestricted()
    if user.is_superuser:
        return orgs
    return orgs.filter(subtree_q("path", user.scope_paths(Capability.VIEW)))


def stats_org(*, fetched_by, org_id: int | str) -> Organization:
    """An org the user may choose on the statistics page; Organization.DoesNotExist for any other id, or none."""
    try:
        return _scope_orgs(fetched_by).get(pk=int(org_id))
    except (ValueError, TypeError):
        raise Organization.DoesNotExist from None


def _top_orgs(user) -> list[Organization]:
    # The tops of the user's granted subtrees, found from the grants themselves.
    if user.is_superuser:
        return list(Organization.objects.get_root_nodes().unrestricted().active())
    return list(Organization.objects.unrestricted().filter(path__in=user.scope_paths(Capability.VIEW)))


def _subtree(org: Organization) -> Q:
    return Q(group=org) if org.is_group else subtree_q("org__path", [org.path])


def age_band(today: date) -> Case:
    """The index of the member's AGE_BANDS row. Age ≤ N on `today` ⇔ born after earliest_birth_after_age(N);
    the first matching band wins."""
    whens = [
        When(birth_date__gt=earliest_birth_after_age(oldest, today), then=Value(i))
        for i, (_label, oldest) in enumerate(AGE_BANDS)
        if oldest is not None
    ]
    return Case(*whens, default=Value(len(AGE_BANDS) - 1), output_field=IntegerField())


def party_age_band(today: date) -> Case:
    """The index of the member's PARTY_AGE_BANDS row, then the probationary and the unknown rows.
    党龄 < N years ⇔ became a full member after the same day N years ago."""
    n = len(PARTY_AGE_BANDS)
    whens = [When(category=Category.PROBATIONARY, then=Value(n)), When(full_member_on__isnull=True, then=Value(n + 1))]
    whens += [
        When(full_member_on__gt=years_before(today, upper), then=Value(i))
        for i, (_label, upper) in enumerate(PARTY_AGE_BANDS)
        if upper is not None
    ]
    return Case(*whens, default=Value(n - 1), output_field=IntegerField())


#: The columns of the one grouped query behind every table but the per-org one.
DIMENSIONS = ("status", "category", "gender", "education", "ethnicity", "age_band", "party_age_band")


def dimension_counts(members, today: date) -> dict[str, Counter]:
    """Counts by each dimension — in register (在册) only, except status — from ONE grouped query over all the
    dimensions at once, summed here over its rows (a few thousand at most, whatever the number of members).

    Why not one GROUP BY per dimension: each is a full scan of the scope's members, seven scans where one does
    (bench/RESULTS.md has the figures)."""
    rows = (
        members.annotate(age_band=age_band(today), party_age_band=party_age_band(today))
        .values(*DIMENSIONS)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, Counter] = {key: Counter() for key in DIMENSIONS}
    active_keys = DIMENSIONS[1:]
    for row in rows:
        n = row["n"]
        counts["status"][row["status"]] += n
        if row["status"] == Status.ACTIVE:
            for key in active_keys:
                counts[key][row[key]] += n
    return counts


#: The row of members without a value (imported from a roster that lacked the column: 学历, 民族 未提供).
UNFILLED = "未填写"


def _choice_table(key: str, title: str, chart: str, choices, counts: Counter) -> StatTable:
    rows = [StatRow(str(label), counts[value]) for value, label in choices]
    if counts[""]:
        rows.append(StatRow(UNFILLED, counts[""]))
    return StatTable(key, title, chart, rows)


def _band_table(key: str, title: str, labels: list[str], extra: list[str], counts: Counter) -> StatTable:
    """Rows for every band (zeros included), then the extra rows that have members."""
    rows = [StatRow(label, counts[i]) for i, label in enumerate(labels)]
    rows += [StatRow(label, counts[len(labels) + i]) for i, label in enumerate(extra) if counts[len(labels) + i]]
    return StatTable(key, title, "bar", rows)


def _ethnicity_table(counts: Counter) -> StatTable:
    """Only the ethnicities present, largest first, ties in the official order (56 rows of zeros help nobody)."""
    order = {name: i for i, name in enumerate(ETHNICITIES)}
    names = sorted(counts, key=lambda name: (-counts[name], order.get(name, len(order)), name))
    rows = [StatRow(name or UNFILLED, counts[name]) for name in names if counts[name]]
    return StatTable("ethnicity", "按民族统计", "bar", rows)


_TABLES = {
    "category": lambda c: _choice_table("category", "按人员类别统计", "pie", Category.choices, c["category"]),
    "gender": lambda c: _choice_table("gender", "按性别统计", "pie", Gender.choices, c["gender"]),
    "age": lambda c: _band_table("age", "按年龄统计", [label for label, _ in AGE_BANDS], [], c["age_band"]),
    "party_age": lambda c: _band_table(
        "party_age",
        "按党龄统计",
        [label for label, _ in PARTY_AGE_BANDS],
        [PARTY_AGE_PROBATIONARY, PARTY_AGE_UNKNOWN],
        c["party_age_band"],
    ),
    "education": lambda c: _choice_table("education", "按学历统计", "bar", Education.choices, c["education"]),
    "ethnicity": lambda c: _ethnicity_table(c["ethnicity"]),
    "status": lambda c: _choice_table("status", "按党籍状态统计（含非在册党员）", "bar", Status.choices, c["status"]),
}
TABLE_KEYS = ("orgs", *_TABLES)
ALL_TABLES = "all"  # the download of every table, a sheet each


@dataclass
class StatsCounts:
    """Every number the tables are built from and nothing else, so that the counts of a big scope can be computed
    ahead (StatsSnapshot, as JSON) and the tables built from them exactly as from live counts."""

    dimensions: dict[str, Counter] | None  # dimension_counts(); None: not counted (one table asked for)
    orgs: dict | None  # org_counts() keys → [full, probationary]; None: not counted
    org_key: str  # org_key_kind() of the rows counted
    total: list[int]  # [full, probationary] in register, of the per-org count

    def to_json(self) -> dict:
        """Pairs, not JSON objects: the keys are ints (bands, 党小组 ids) as often as strings."""
        return {
            "dimensions": {key: list(counter.items()) for key, counter in (self.dimensions or {}).items()},
            "orgs": [[key, *pair] for key, pair in (self.orgs or {}).items()],
            "org_key": self.org_key,
            "total": self.total,
        }

    @classmethod
    def from_json(cls, data: dict) -> "StatsCounts":
        return cls(
            dimensions={key: Counter(dict(pairs)) for key, pairs in data["dimensions"].items()},
            orgs={key: [full, probationary] for key, full, probationary in data["orgs"]},
            org_key=data["org_key"],
            total=list(data["total"]),
        )


def org_key_kind(rows: list[Organization]) -> str:
    """How the per-org counts are keyed for these rows: by 党小组 id when they are a branch's groups, else by path."""
    return "group" if rows and all(o.is_group for o in rows) else "path"


def org_counts(members, chosen: Organization | None, rows: list[Organization]) -> tuple[dict, list[int]]:
    """Active members of each row org's subtree (党小组: its own members) by category, in one grouped query:
    ({key: [full, probationary]}, [full, probationary] of them all), keyed as org_key_kind says.

    The rows are the chosen org's children, all one level down: grouping by the path cut to that level gives each
    child's subtree directly (the path-prefix idea of orgs.selectors.member_counts, done in SQL). Several top orgs
    (several grants) may sit at different depths: then each path is summed into its prefixes here."""
    steplen = Organization.steplen
    slot = {Category.FULL: 0, Category.PROBATIONARY: 1}
    by_key: dict = defaultdict(lambda: [0, 0])
    total = [0, 0]
    if org_key_kind(rows) == "group":
        grouped, column = members.values("group_id", "category"), "group_id"
    elif chosen is not None:
        cut = Substr("org__path", 1, len(chosen.path) + steplen)
        grouped, column = members.annotate(prefix=cut).values("prefix", "category"), "prefix"
    else:
        grouped, column = members.values("org__path", "category"), None
    own_orgs = []  # (path, slot, n) of the rows' own orgs, when summed into their prefixes
    for r in grouped.annotate(n=Count("pk")).order_by():
        i, n = slot[r["category"]], r["n"]
        total[i] += n
        if column is not None:
            by_key[r[column]][i] += n
        else:
            own_orgs.append((r["org__path"], i, n))
    for path, by_slot in roll_up(own_orgs, steplen=steplen).items():
        by_key[path] = [by_slot[0], by_slot[1]]
    return dict(by_key), total


def org_table(counts: StatsCounts, chosen: Organization | None, rows: list[Organization]) -> OrgTable:
    """A row per row org, plus a last row for the chosen org's members that sit in none of the rows (a branch's
    members in no 党小组)."""
    by_key, total = counts.orgs or {}, counts.total
    if counts.org_key == "group":
        result = [OrgRow(org, org.name, *by_key.get(org.pk, (0, 0))) for org in rows]
    else:
        result = [OrgRow(org, org.name, *by_key.get(org.path, (0, 0))) for org in rows]
    if chosen is not None and not chosen.is_group:
        rest = [total[0] - sum(r.full for r in result), total[1] - sum(r.probationary for r in result)]
        if any(rest):
            label = "未编入党小组" if chosen.kind == OrgKind.BRANCH else f"{chosen.name}（直属）"
            result.append(OrgRow(None, label, *rest))
    return OrgTable("orgs", "按组织统计", result)


def count_members(
    members, *, chosen: Organization | None, rows: list[Organization], today: date, only: str | None = None
) -> StatsCounts:
    """The two grouped queries behind the page (only the one a single table needs when `only` is given)."""
    orgs, total = (
        org_counts(members.filter(status=Status.ACTIVE), chosen, rows) if only in (None, "orgs") else (None, [0, 0])
    )
    dimensions = dimension_counts(members, today) if only != "orgs" else None
    return StatsCounts(dimensions=dimensions, orgs=orgs, org_key=org_key_kind(rows), total=total)


def _rows(chosen: Organization | None, tops: list[Organization]) -> list[Organization]:
    """The per-org table's rows: the chosen org's children (a 党小组 has none: its one row is itself), or the tops."""
    if chosen is None:
        return tops
    # The children of an org whose whole subtree the caller may see (member_stats and the task both check that).
    return [chosen] if chosen.is_group else list(Organization.objects.get_children(chosen).unrestricted().active())


def member_stats(
    *,
    fetched_by,
    org_id: int | str | None = None,
    only: str | None = None,
    today: date | None = None,
    live: bool = False,
) -> MemberStats:
    """Statistics of the user's visible members: of the chosen org's subtree (Organization.DoesNotExist outside the
    user's scope), or of the user's top org(s). The per-org rows are the chosen org's children (a branch: its 党小组).
    `only`: compute just that table (an xlsx download of one table; NoSuchTable for an unknown one).

    A big scope's figures come precomputed (StatsSnapshot, refresh_snapshots) when they are recent, with their
    time; `live` counts them now instead (and keeps nothing: stats_recount does). Precomputed figures hold for
    anyone who may choose the org: its whole subtree is inside their scope, as visible_to gives it."""
    if only is not None and only not in TABLE_KEYS:
        raise NoSuchTable(ERR_UNKNOWN_TABLE)
    today = today or clock.today()
    if org_id not in (None, ""):
        chosen = stats_org(fetched_by=fetched_by, org_id=org_id)
        tops = [chosen]
    else:
        tops = _top_orgs(fetched_by)
        chosen = tops[0] if len(tops) == 1 else None
    rows = _rows(chosen, tops) if only in (None, "orgs") else []

    precomputed = None if live or chosen is None else _precomputed(chosen, today)
    if precomputed is not None and (not rows or precomputed[0].org_key == org_key_kind(rows)):
        counts, computed_at = precomputed
    else:
        in_tops = Q(pk__in=[])
        for top in tops:
            in_tops |= _subtree(top)
        everyone = Member.objects.visible_to(fetched_by).filter(in_tops)
        counts, computed_at = count_members(everyone, chosen=chosen, rows=rows, today=today, only=only), None

    orgs = org_table(counts, chosen, rows) if only in (None, "orgs") else None
    ancestors = []
    if only is None and chosen is not None and chosen.depth > 1:
        steplen = chosen.steplen
        paths = [chosen.path[:end] for end in range(steplen, len(chosen.path), steplen)]
        ancestors = list(_scope_orgs(fetched_by).filter(path__in=paths))
    tables = []
    if only != "orgs":
        tables = [build(counts.dimensions) for key, build in _TABLES.items() if only in (None, key)]
    return MemberStats(org=chosen, ancestors=ancestors, orgs=orgs, tables=tables, today=today, computed_at=computed_at)


# --- Precomputed figures of big scopes ----------------------------------------------------------------------


def _precomputed(org: Organization, today: date) -> tuple[StatsCounts, datetime] | None:
    """The org's precomputed counts if they were counted for `today` within three task periods (a stopped task
    worker must not leave old figures on the page: it is counted live instead)."""
    oldest = timezone.now() - timedelta(minutes=3 * settings.STATS_PRECOMPUTE_MINUTES)
    snapshot = StatsSnapshot.objects.filter(org=org, on_date=today, computed_at__gte=oldest).first()
    return (StatsCounts.from_json(snapshot.counts), snapshot.computed_at) if snapshot is not None else None


@transaction.atomic
def stats_recount(*, acting_user, org: Organization, today: date | None = None) -> bool:
    """Count the org's statistics now and keep them as its precomputed figures (the button on a big scope's page).
    False when the org has none to renew: a small scope is counted live on every view anyway."""
    if not _scope_orgs(acting_user).filter(pk=org.pk).exists():
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    today = today or clock.today()
    started = timezone.now()  # the figures are as of the start of their count
    members = Member.objects.visible_to(acting_user).filter(_subtree(org))
    counts = count_members(members, chosen=org, rows=_rows(org, [org]), today=today)
    kept = StatsSnapshot.objects.filter(org=org).update(on_date=today, computed_at=started, counts=counts.to_json())
    return kept > 0


def precompute_targets() -> list[Organization]:
    """Orgs with at least settings.STATS_PRECOMPUTE_MIN_MEMBERS members in register in their subtree: one grouped
    query, each org's count summed into its ancestors' by path prefix."""
    active = Member.objects.filter(status=Status.ACTIVE)
    rows = active.values_list("org__path").annotate(n=Count("pk")).order_by()
    sizes = roll_up(((path, None, n) for path, n in rows), steplen=Organization.steplen)
    paths = [path for path, size in sizes.items() if size.total() >= settings.STATS_PRECOMPUTE_MIN_MEMBERS]
    return list(Organization.objects.filter(path__in=paths).active().order_by("path"))


def refresh_snapshots(today: date | None = None) -> list[Organization]:
    """Count the statistics of every precompute target ahead (the periodic task, and after an import); drop those
    of orgs that no longer are targets. Returns the targets."""
    today = today or clock.today()
    targets = precompute_targets()
    StatsSnapshot.objects.exclude(org__in=targets).delete()
    for org in targets:
        started = timezone.now()  # the figures are as of the start of their count
        counts = count_members(Member.objects.filter(_subtree(org)), chosen=org, rows=_rows(org, [org]), today=today)
        StatsSnapshot.objects.update_or_create(
            org=org, defaults={"on_date": today, "computed_at": started, "counts": counts.to_json()}
        )
    return targets
