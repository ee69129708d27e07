"""The regulations' numbers for organisational life (DOMAIN.md §3, 党章第九条), in one place."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from .choices import Activity

#: A record entered more than this many days after the meeting is marked 补录 (DOMAIN.md §3).
BACKFILL_DAYS = 7
#: 党章 第九条: six consecutive months without organisational life (a flag for people, never a status change).
ABSENT_MONTHS_FLAG = 6
#: Attendance below this share is a reminder (issue 12: attendance < 2/3).
ATTENDANCE_MIN = (2, 3)
#: 民主评议党员: 优秀 normally no more than a third of the members rated (DOMAIN.md §3).
EXCELLENT_MAX = (1, 3)

#: Activities whose invitees are the whole org's members in register (a 党总支's 党员大会: its branches' members).
WHOLE_ORG_ACTIVITIES = frozenset(
    {Activity.ASSEMBLY, Activity.LECTURE, Activity.THEME_DAY, Activity.LIFE_MEETING, Activity.APPRAISAL}
)


# ── Compliance (DOMAIN.md §3): what a branch owes per period, and whether it held it ──────────────────────────────
# Pure functions over plain values (no ORM): the oracle the SQL path (meetings/compliance.py) is tested against.


#: 党课: 1 per quarter by default (支部条例 sets no number; local rules range from quarterly to twice a year), so the
#: number per year is a setting (MEETING_LECTURES_PER_YEAR); it must divide 12 (1, 2, 3, 4, 6 or 12).
LECTURES_PER_YEAR_DEFAULT = 4
#: A current committee term with at least this many seats is a 支委会 (机关条例第七条: 3 to 5 members); a branch below 7
#: full members has only a secretary (and perhaps a deputy): it owes no 支委会 (DOMAIN.md §3 "only branches that have
#: a committee").
COMMITTEE_MIN_SEATS = 3
#: The secretary gives at least one 党课 a year (DOMAIN.md §3): a pseudo-activity of its own in the results.
SECRETARY_LECTURE = "secretary_lecture"
SECRETARY_LECTURE_LABEL = "书记讲党课"

MONTH, QUARTER, HALF_YEAR, YEAR = "month", "quarter", "half_year", "year"
#: States of an obligation: held; its period is over and it was not; its period is not over yet (never "missed").
MET, MISSED, DUE = "met", "missed", "due"

#: Every activity's frequency (DOMAIN.md §3 table), in months per period; 党课's comes from lectures_per_year.
PERIOD_MONTHS = {
    Activity.ASSEMBLY: 3,  # 支部党员大会 1 per quarter
    Activity.COMMITTEE: 1,  # 支部委员会会议 1 per month (only branches with a committee)
    Activity.GROUP: 1,  # 党小组会 1 per month per party group
    Activity.THEME_DAY: 1,  # 主题党日 1 per month
    Activity.LIFE_MEETING: 12,  # 组织生活会 1 per year (normally Q4)
    Activity.APPRAISAL: 12,  # 民主评议党员 1 per year
    SECRETARY_LECTURE: 12,  # the secretary gives ≥1 党课 per year
}
#: The order obligations are listed in.
ACTIVITY_ORDER = (
    Activity.ASSEMBLY,
    Activity.COMMITTEE,
    Activity.GROUP,
    Activity.LECTURE,
    Activity.THEME_DAY,
    Activity.LIFE_MEETING,
    Activity.APPRAISAL,
    SECRETARY_LECTURE,
)
ERR_LECTURES_PER_YEAR = "MEETING_LECTURES_PER_YEAR 必须是 12 的约数（1、2、3、4、6、12）"


def activity_label(activity: str) -> str:
    return SECRETARY_LECTURE_LABEL if activity == SECRETARY_LECTURE else Activity(activity).label


def period_months(activity: str, lectures_per_year: int = LECTURES_PER_YEAR_DEFAULT) -> int:
    """How many months one obligation of `activity` spans (1 month, 3 a quarter, 12 a year)."""
    if activity == Activity.LECTURE:
        if lectures_per_year <= 0 or 12 % lectures_per_year:
            raise ValueError(ERR_LECTURES_PER_YEAR)
        return 12 // lectures_per_year
    return PERIOD_MONTHS[activity]


Month = tuple[int, int]  # (year, month)


def month_index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


def from_index(index: int) -> Month:
    return index // 12, index % 12 + 1


def month_of(day: date) -> Month:
    return day.year, day.month


def months_between(first: Month, last: Month) -> list[Month]:
    return [from_index(i) for i in range(month_index(first), month_index(last) + 1)]


def period_start(month: Month, span: int) -> Month:
    """The first month of the `span`-month period (calendar-aligned: quarters start in Jan/Apr/Jul/Oct) holding it."""
    return month[0], (month[1] - 1) // span * span + 1


def ends_period(month: Month, span: int) -> bool:
    """Is `month` the last month of its `span`-month period? An obligation is shown in the month its period ends."""
    return month[1] % span == 0


@dataclass(frozen=True)
class Branch:
    """What the rules need of a 党支部, as plain values. `path` is its tree path (treebeard), `groups` the paths of its
    active 党小组, `secretary` the member id of its current secretary (None: none), `has_committee` whether its
    current term has a 支委会 (COMMITTEE_MIN_SEATS). These are today's facts, applied to every month shown: the
    history of committees and groups is not kept month by month (a simplification, said on the page)."""

    pk: int
    path: str
    has_committee: bool = False
    groups: tuple[str, ...] = ()
    secretary: int | None = None
    # Founded mid-period: obligations start with the first full month after the founding day (a branch founded on
    # the 1st owes that month). A period that starts before that month is not owed at all: no branch is told it
    # missed a quarter or a year it did not exist for the whole of (simple, and never a false "missed").
    established_on: date | None = None

    def first_month(self) -> Month | None:
        if self.established_on is None:
            return None
        day = self.established_on
        return month_of(day) if day.day == 1 else from_index(month_index(month_of(day)) + 1)


@dataclass(frozen=True)
class HeldActivity:
    """One HELD meeting's activity: the holding org's path, the activity, the day, (党课) the lecturer's member id."""

    org_path: str
    activity: str
    held_on: date
    lecturer: int | None = None


def counts_for(branch: Branch, held: HeldActivity) -> bool:
    """Does this held activity count for the branch? Its own meetings; an ancestor's (a 党总支's) whole-org activities
    (WHOLE_ORG_ACTIVITIES: 党员大会, 党课, 主题党日, 组织生活会, 民主评议 count for each branch below it); its groups'
    党小组会. A combined meeting is one HeldActivity per activity, so it counts for each of its types."""
    if held.org_path == branch.path:
        return held.activity != Activity.GROUP
    if held.activity == Activity.GROUP:
        return held.org_path in branch.groups
    return held.activity in WHOLE_ORG_ACTIVITIES and branch.path.startswith(held.org_path)


@dataclass
class Tally:
    """A branch's held activities, counted: meetings per (activity, month); per month the groups that held a 党小组会;
    the years its current secretary gave a 党课. The SQL path builds this from grouped queries."""

    held: dict[tuple[str, Month], int] = field(default_factory=dict)
    groups_held: dict[Month, int] = field(default_factory=dict)
    secretary_years: set[int] = field(default_factory=set)


def tally(branch: Branch, history: Iterable[HeldActivity]) -> Tally:
    """Count a branch's history (every held activity that may concern it) the way the rules read it."""
    result = Tally()
    groups: dict[Month, set[str]] = {}
    for h in history:
        if not counts_for(branch, h):
            continue
        month = month_of(h.held_on)
        if h.activity == Activity.GROUP:
            groups.setdefault(month, set()).add(h.org_path)
            continue
        result.held[(h.activity, month)] = result.held.get((h.activity, month), 0) + 1
        if h.activity == Activity.LECTURE and branch.secretary is not None and h.lecturer == branch.secretary:
            result.secretary_years.add(h.held_on.year)
    result.groups_held = {m: len(g) for m, g in groups.items()}
    return result


class Obligation(NamedTuple):
    """One obligation of a branch: `activity` owed `required` times in the period from `first` to `last` (months);
    `held` of them were; its state MET, MISSED (the period is over) or DUE (it is not). Shown in the month `last`.
    A tuple: thousands of branches × 12 months of these are made for one overview."""

    activity: str
    first: Month
    last: Month
    required: int
    held: int
    state: str

    @property
    def label(self) -> str:
        return activity_label(self.activity)

    @property
    def missing(self) -> int:
        return max(self.required - self.held, 0) if self.state == MISSED else 0


@lru_cache(maxsize=64)
def _plan(months: tuple[Month, ...], lectures_per_year: int) -> tuple[tuple[str, Month, Month, int, tuple], ...]:
    """(activity, first, last, last's index, the months of the period) of every obligation ending in `months`, in
    month order then ACTIVITY_ORDER: the same for every branch, so worked out once."""
    plan = []
    for month in months:
        for activity in ACTIVITY_ORDER:
            span = period_months(activity, lectures_per_year)
            if not ends_period(month, span):
                continue
            first = period_start(month, span)
            period = tuple(from_index(i) for i in range(month_index(first), month_index(month) + 1))
            plan.append((activity, first, month, month_index(month), period))
    return tuple(plan)


def obligations(
    branch: Branch,
    counted: Tally,
    *,
    months: Iterable[Month],
    today: date,
    lectures_per_year: int = LECTURES_PER_YEAR_DEFAULT,
) -> list[Obligation]:
    """The branch's obligations whose period ends in one of `months` (a quarter's in its last month, a year's in
    December), in month order then ACTIVITY_ORDER. One meeting in the period is enough for a quarter's or a year's;
    a month's counts that month only; 党小组会 is owed once per group (held: the groups that held one); 支委会 only by
    a branch with a committee; 书记讲党课 only by a branch with a secretary. A period not over by `today` is DUE."""
    now = month_index(month_of(today))
    start = branch.first_month()
    start_index = month_index(start) if start is not None else None
    groups = len(branch.groups)
    held_counts = counted.held
    result: list[Obligation] = []
    append = result.append
    for activity, first, last, last_index, period in _plan(tuple(months), lectures_per_year):
        if start_index is not None and month_index(first) < start_index:
            continue
        if activity == Activity.GROUP:
            if not groups:
                continue
            required, held = groups, min(counted.groups_held.get(last, 0), groups)
        elif activity == Activity.COMMITTEE and not branch.has_committee:
            continue
        elif activity == SECRETARY_LECTURE:
            if branch.secretary is None:
                continue
            required, held = 1, int(last[0] in counted.secretary_years)
        else:
            required = 1
            held = sum(held_counts.get((activity, m), 0) for m in period) if held_counts else 0
        state = MET if held >= required else (DUE if last_index >= now else MISSED)
        append(Obligation(activity, first, last, required, held, state))
    return result


def branch_compliance(
    branch: Branch,
    history: Iterable[HeldActivity],
    *,
    months: Iterable[Month],
    today: date,
    lectures_per_year: int = LECTURES_PER_YEAR_DEFAULT,
) -> list[Obligation]:
    """The oracle: a branch's obligations straight from its raw history."""
    return obligations(branch, tally(branch, history), months=months, today=today, lectures_per_year=lectures_per_year)


@dataclass(frozen=True, slots=True)
class CellCounts:
    """Obligations of one org (or a roll-up) in one month: owed, met, missed, due (met + missed + due == required)."""

    required: int = 0
    met: int = 0
    missed: int = 0
    due: int = 0

    def __add__(self, other: "CellCounts") -> "CellCounts":
        return CellCounts(
            self.required + other.required, self.met + other.met, self.missed + other.missed, self.due + other.due
        )

    @property
    def share(self) -> float | None:
        """Share of the decided obligations met (None: nothing decided yet, e.g. only this month's, still due)."""
        decided = self.met + self.missed
        return None if decided == 0 else self.met / decided


def cell_counts(items: Iterable[Obligation]) -> CellCounts:
    """Count obligations by unit: 党小组会 owed by 3 groups is 3 units, 2 of them met."""
    required = met = missed = due = 0
    for o in items:
        required += o.required
        done = min(o.held, o.required)
        met += done
        if o.state == MISSED:
            missed += o.required - done
        elif o.state == DUE:
            due += o.required - done
    return CellCounts(required, met, missed, due)


def summarise(items: Iterable[Obligation]) -> Mapping[str, CellCounts]:
    """Per activity: the counts of `items`."""
    by_activity: dict[str, list[Obligation]] = {}
    for o in items:
        by_activity.setdefault(o.activity, []).append(o)
    return {a: cell_counts(by_activity[a]) for a in ACTIVITY_ORDER if a in by_activity}
