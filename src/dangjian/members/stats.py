"""Member statistics for the user's scope (党员统计): members by category, gender, age band, education, ethnicity,
党龄 band and status, and per org with drill-down.

Every table is one aggregate query (GROUP BY in SQL; the bands are CASE expressions on dates computed from
today), so the page runs the same fixed number of queries at 300 members or at 100,000.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from dangjian.core.lib.dates import earliest_birth_after_age, years_before
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from .choices import Category, Education, Gender, Status
from .models import Member

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
CHART_MAX_ORGS = 30


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
            raise Http404(ERR_UNKNOWN_TABLE)
        return found


def _scope_orgs(user) -> QuerySet[Organization]:
    """Orgs inside the subtrees the user may view (a plain member's own branch does not make it a statistics scope)."""
    orgs = Organization.objects.all()
    if user.is_superuser:
        return orgs
    in_scope = Q(pk__in=[])
    for path in user.scope_paths(Capability.VIEW):
        in_scope |= Q(path__startswith=path)
    return orgs.filter(in_scope)


def _top_orgs(user) -> list[Organization]:
    if user.is_superuser:
        return list(Organization.objects.get_root_nodes().active())
    return list(Organization.objects.filter(path__in=user.scope_paths(Capability.VIEW)))


def _subtree(org: Organization, lookup: str = "org__path") -> Q:
    return Q(group=org) if org.is_group else Q(**{f"{lookup}__startswith": org.path})


def _choice_table(members, key: str, title: str, chart: str, choices) -> StatTable:
    counts = {row[key]: row["n"] for row in members.values(key).annotate(n=Count("pk")).order_by()}
    return StatTable(key, title, chart, [StatRow(str(label), counts.get(value, 0)) for value, label in choices])


def _band_table(members, key: str, title: str, whens: list[When], labels: list[str], extra: list[str]) -> StatTable:
    """Rows for every band (zeros included), then the extra rows that have members."""
    band = Case(*whens, default=Value(len(labels) - 1), output_field=IntegerField())
    counts = {
        row["band"]: row["n"] for row in members.annotate(band=band).values("band").annotate(n=Count("pk")).order_by()
    }
    rows = [StatRow(label, counts.get(i, 0)) for i, label in enumerate(labels)]
    rows += [StatRow(label, counts[len(labels) + i]) for i, label in enumerate(extra) if counts.get(len(labels) + i)]
    return StatTable(key, title, "bar", rows)


def age_table(members, today: date) -> StatTable:
    # Age ≤ N on `today` ⇔ born after earliest_birth_after_age(N); the first matching band wins.
    whens = [
        When(birth_date__gt=earliest_birth_after_age(oldest, today), then=Value(i))
        for i, (_label, oldest) in enumerate(AGE_BANDS)
        if oldest is not None
    ]
    return _band_table(members, "age", "按年龄统计", whens, [label for label, _ in AGE_BANDS], [])


def party_age_table(members, today: date) -> StatTable:
    labels = [label for label, _ in PARTY_AGE_BANDS]
    whens = [
        When(category=Category.PROBATIONARY, then=Value(len(labels))),
        When(full_member_on__isnull=True, then=Value(len(labels) + 1)),
    ]
    # 党龄 < N years ⇔ became a full member after the same day N years ago.
    whens += [
        When(full_member_on__gt=years_before(today, upper), then=Value(i))
        for i, (_label, upper) in enumerate(PARTY_AGE_BANDS)
        if upper is not None
    ]
    return _band_table(members, "party_age", "按党龄统计", whens, labels, [PARTY_AGE_PROBATIONARY, PARTY_AGE_UNKNOWN])


def ethnicity_table(members) -> StatTable:
    """Only the ethnicities present, largest first (56 rows of mostly zeros help nobody)."""
    rows = members.values("ethnicity").annotate(n=Count("pk")).order_by("-n", "ethnicity")
    return StatTable("ethnicity", "按民族统计", "bar", [StatRow(r["ethnicity"], r["n"]) for r in rows])


def org_table(members, chosen: Organization | None, rows: list[Organization]) -> OrgTable:
    """Active members of each row org's subtree (党小组: its own members) by category — one grouped query,
    summed over path prefixes as orgs.selectors.member_counts does, over the user's visible members only.
    A last row holds the chosen org's members that sit in none of the rows (a branch's members in no 党小组)."""
    steplen = Organization.steplen
    slot = {Category.FULL: 0, Category.PROBATIONARY: 1}
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_group: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    for r in members.values("org__path", "group_id", "category").annotate(n=Count("pk")).order_by():
        i, n, path = slot[r["category"]], r["n"], r["org__path"]
        total[i] += n
        if r["group_id"]:
            by_group[r["group_id"]][i] += n
        for end in range(steplen, len(path) + 1, steplen):
            by_path[path[:end]][i] += n
    result = []
    for org in rows:
        full, probationary = by_group[org.pk] if org.is_group else by_path[org.path]
        result.append(OrgRow(org, org.name, full, probationary))
    if chosen is not None and not chosen.is_group:
        rest = [total[0] - sum(r.full for r in result), total[1] - sum(r.probationary for r in result)]
        if any(rest):
            label = "未编入党小组" if chosen.kind == OrgKind.BRANCH else f"{chosen.name}（直属）"
            result.append(OrgRow(None, label, *rest))
    return OrgTable("orgs", "按组织统计", result)


_BUILDERS = {
    "category": lambda active, everyone, today: _choice_table(
        active, "category", "按人员类别统计", "pie", Category.choices
    ),
    "gender": lambda active, everyone, today: _choice_table(active, "gender", "按性别统计", "pie", Gender.choices),
    "age": lambda active, everyone, today: age_table(active, today),
    "party_age": lambda active, everyone, today: party_age_table(active, today),
    "education": lambda active, everyone, today: _choice_table(
        active, "education", "按学历统计", "bar", Education.choices
    ),
    "ethnicity": lambda active, everyone, today: ethnicity_table(active),
    "status": lambda active, everyone, today: _choice_table(
        everyone, "status", "按党籍状态统计（含非在册党员）", "bar", Status.choices
    ),
}
TABLE_KEYS = ("orgs", *_BUILDERS)


def member_stats(
    *, fetched_by, org_id: int | str | None = None, only: str | None = None, today: date | None = None
) -> MemberStats:
    """Statistics of the user's visible members: of the chosen org's subtree (404 outside the user's scope), or of
    the user's top org(s). The per-org rows are the chosen org's children (a branch: its 党小组).
    `only`: compute just that table (an xlsx download of one table)."""
    if only is not None and only not in TABLE_KEYS:
        raise Http404(ERR_UNKNOWN_TABLE)
    today = today or date.today()
    if org_id not in (None, ""):
        try:
            chosen = _scope_orgs(fetched_by).get(pk=int(org_id))
        except (ValueError, TypeError, Organization.DoesNotExist):
            raise Http404 from None
        tops = [chosen]
    else:
        tops = _top_orgs(fetched_by)
        chosen = tops[0] if len(tops) == 1 else None

    in_tops = Q(pk__in=[])
    for top in tops:
        in_tops |= _subtree(top)
    everyone = Member.objects.visible_to(fetched_by).filter(in_tops)
    active = everyone.filter(status=Status.ACTIVE)

    orgs, ancestors = None, []
    if only in (None, "orgs"):
        if chosen is None:
            rows = tops
        else:
            # A group has no children: its one row is itself.
            rows = [chosen] if chosen.is_group else list(Organization.objects.get_children(chosen).active())
        orgs = org_table(active, chosen, rows)
    if only is None and chosen is not None and chosen.depth > 1:
        steplen = chosen.steplen
        paths = [chosen.path[:end] for end in range(steplen, len(chosen.path), steplen)]
        ancestors = list(_scope_orgs(fetched_by).filter(path__in=paths))
    tables = [build(active, everyone, today) for key, build in _BUILDERS.items() if only in (None, key)]
    return MemberStats(org=chosen, ancestors=ancestors, orgs=orgs, tables=tables, today=today)
