"""Reads of the development module: restricted querysets, a fixed number of queries whatever the rows."""

# overview ─────────────────────────────────────────────────────────────────────────────────────────
# The funnel, the due list, the yearly statistics: grouped queries over the stored stage/dates (services.refresh_due
# keeps them), rolled up to every org with core.scope.roll_up. The 预备期 of a roster 预备党员 without a record is
# found by a date range on joined_on (the inverse of rules.probation_end), never a loop over members.

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models import fields as model_fields

from dangjian.core import clock
from dangjian.core.lib.periods import add_months
from dangjian.core.scope import roll_up, subtree_q
from dangjian.meetings.models import Meeting
from dangjian.meetings.selectors import held_assemblies
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules, services
from .choices import Origin, State
from .models import Applicant, Document, StepRecord

#: States whose records are still being worked on (the funnel's stages).
OPEN_STATES = (State.PIPELINE, State.PROBATION)
#: Steps whose earliest day is set by a minimum period (发展对象 a year after 积极分子; 转正 at the 预备期's end): a
#: record "may proceed" once that day has come.
WAITING_STEPS = frozenset({s.number for s in rules.STEPS if s.min_after} | {22, rules.CONFIRM_ASSEMBLY})
#: The extensions a 预备期 may have had (0: none; rules.EXTEND_MIN_MONTHS–EXTEND_MAX_MONTHS).
EXTENSIONS = (0, *range(rules.EXTEND_MIN_MONTHS, rules.EXTEND_MAX_MONTHS + 1))


def joined_on_bound(last_end: date, extended_months: int = 0) -> date:
    """The latest acceptance day whose 预备期 (rules.probation_end) ends on or before `last_end`: probation_end is
    non-decreasing in its start, so "ends by `last_end`" is the SQL range "accepted_on <= this"."""
    day = add_months(last_end, -(rules.PROBATION_MONTHS + extended_months)) - timedelta(days=4)
    while rules.probation_end(day + timedelta(days=1), extended_months) <= last_end:
        day += timedelta(days=1)
    return day


def probation_ends_by_q(
    last_end: date, *, accepted: str = "accepted_on", extended: str | None = "extended_months"
) -> Q:
    """Rows whose 预备期 ends on or before `last_end`, as one filter (one range per possible extension)."""
    if extended is None:
        return Q(**{f"{accepted}__lte": joined_on_bound(last_end)})
    q = Q(pk__in=[])
    for months in EXTENSIONS:
        q |= Q(**{extended: months, f"{accepted}__lte": joined_on_bound(last_end, months)})
    return q


def branches_in(*, fetched_by, root: Organization | None) -> QuerySet:
    """The branches the user sees (of `root`'s subtree), not dissolved, by path."""
    orgs = Organization.objects.visible_to(fetched_by).active().filter(kind=OrgKind.BRANCH)
    if root is not None:
        orgs = orgs.filter(subtree_q("path", [root.path]))
    return orgs.order_by("path")


@dataclass
class Funnel:
    """Counts of one subtree (or of the user's whole scope): records per stage, overdue, 考察 due, this year's
    转正 and ended records."""

    stages: list[int] = field(default_factory=lambda: [0] * len(rules.STAGES))
    overdue: int = 0
    review_due: int = 0
    confirmed: int = 0
    ended: int = 0

    @property
    def open(self) -> int:
        return sum(self.stages)

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return list(zip(rules.STAGES, self.stages, strict=True))

    def add(self, counts: Counter) -> None:
        for stage in range(len(rules.STAGES)):
            self.stages[stage] += counts[("stage", stage)]
        self.overdue += counts["overdue"]
        self.review_due += counts["review_due"]
        self.confirmed += counts["confirmed"]
        self.ended += counts["ended"]


def _funnel_rows(fetched_by, root: Organization | None, today: date):
    """(org path, key, n) for the grouped query: one pass over the user's records of interest."""
    year_start = date(today.year, 1, 1)
    soon = today + timedelta(days=rules.DUE_WITHIN_DAYS)
    records = Applicant.objects.visible_to(fetched_by).filter(
        Q(state__in=OPEN_STATES)
        | Q(state=State.CONFIRMED, full_member_on__gte=year_start)
        | Q(state=State.ENDED, ended_on__gte=year_start)
    )
    if root is not None:
        records = records.filter(subtree_q("org__path", [root.path]))
    is_open = Q(state__in=OPEN_STATES)
    grouped = (
        records.values_list("org__path", "stage")
        .annotate(
            n=Count("id", filter=is_open),
            overdue=Count("id", filter=is_open & Q(due_on__lt=today)),
            review=Count("id", filter=is_open & Q(review_due_on__lte=soon)),
            confirmed=Count("id", filter=Q(state=State.CONFIRMED, full_member_on__lte=today)),
            ended=Count("id", filter=Q(state=State.ENDED, ended_on__lte=today)),
        )
        .order_by()
    )
    for path, stage, n, overdue, review, confirmed, ended in grouped:
        yield path, ("stage", stage), n
        yield path, "overdue", overdue
        yield path, "review_due", review
        yield path, "confirmed", confirmed
        yield path, "ended", ended


@dataclass
class FunnelPage:
    total: Funnel
    rows: list[tuple[Organization, Funnel]]


def funnel(*, fetched_by, root: Organization | None = None, branches: list[Organization] | None = None) -> FunnelPage:
    """The funnel of the user's scope (or `root`'s subtree), and the figures of each of `branches`: one grouped
    query over the records, rolled up to every org on the way."""
    grouped = list(_funnel_rows(fetched_by, root, clock.today()))
    total = Funnel()
    total.add(Counter(_sum(grouped)))
    rolled = roll_up(grouped, steplen=Organization.steplen)
    rows = []
    for branch in branches or []:
        figures = Funnel()
        figures.add(rolled.get(branch.path, Counter()))
        rows.append((branch, figures))
    return FunnelPage(total, rows)


def _sum(grouped) -> Counter:
    counts: Counter = Counter()
    for _path, key, n in grouped:
        counts[key] += n
    return counts


# ── the due list ──────────────────────────────────────────────────────────────────────────────────────────────────

KINDS = {
    "overdue": "已逾期",
    "due": "30天内到期",
    "ready": "可进行下一步",
    "review": "考察记录到期",
    "probation": "预备期将满",
}


@dataclass(frozen=True)
class DueRow:
    """One line of the due list: a development record (`record` True) or a roster 预备党员 without one."""

    record: bool
    pk: int
    name: str
    org_name: str
    stage: int
    next_step: int | None
    due_on: date | None
    ready_on: date | None
    review_due_on: date | None
    accepted_on: date | None
    extended_months: int
    today: date

    @property
    def stage_label(self) -> str:
        return rules.STAGES[self.stage]

    @property
    def next_label(self) -> str:
        return f"{self.next_step}. {rules.BY_NUMBER[self.next_step].label}" if self.next_step else ""

    @property
    def probation_end(self) -> date | None:
        if self.accepted_on is None or self.stage != 4 or (self.next_step or 0) > rules.CONFIRM_ASSEMBLY:
            return None
        return rules.probation_end(self.accepted_on, self.extended_months)

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < self.today

    @property
    def review_overdue(self) -> bool:
        return self.review_due_on is not None and self.review_due_on < self.today

    @property
    def reasons(self) -> list[str]:
        soon = self.today + timedelta(days=rules.DUE_WITHIN_DAYS)
        found = []
        if self.overdue:
            found.append("overdue")
        elif self.due_on is not None and self.due_on <= soon:
            found.append("due")
        if self.record and self.next_step in WAITING_STEPS and self.ready_on and self.ready_on <= self.today:
            found.append("ready")
        if self.review_due_on is not None and self.review_due_on <= soon:
            found.append("review")
        end = self.probation_end
        if end is not None and end <= soon:
            found.append("probation")
        return found

    @property
    def reason_labels(self) -> list[str]:
        return [KINDS[k] for k in self.reasons]


COLUMNS = ("is_record", "id", "name", "org_name", "stage", "next_step", "due_on", "ready_on", "review_due_on")
COLUMNS += ("accepted_on", "extended_months", "org_path", "name_pinyin")
ORDERS = {
    "overdue": ("due_on", "org_path", "name_pinyin", "id"),
    "due": ("due_on", "org_path", "name_pinyin", "id"),
    "ready": ("ready_on", "org_path", "name_pinyin", "id"),
    "review": ("review_due_on", "org_path", "name_pinyin", "id"),
    "probation": ("accepted_on", "org_path", "name_pinyin", "id"),
    "": ("org_path", "name_pinyin", "id"),
}


def record_due_q(kind: str, today: date) -> Q:
    soon = today + timedelta(days=rules.DUE_WITHIN_DAYS)
    probation = Q(
        state=State.PROBATION, next_step__isnull=False, next_step__lte=rules.CONFIRM_ASSEMBLY, stage=4
    ) & probation_ends_by_q(soon)
    parts = {
        "overdue": Q(due_on__lt=today),
        "due": Q(due_on__gte=today, due_on__lte=soon),
        "ready": Q(next_step__in=sorted(WAITING_STEPS), ready_on__lte=today),
        "review": Q(review_due_on__lte=soon),
        "probation": probation,
    }
    if kind:
        return Q(state__in=OPEN_STATES) & parts[kind]
    q = Q(pk__in=[])
    for part in parts.values():
        q |= part
    return Q(state__in=OPEN_STATES) & q


def due_rows(*, fetched_by, root: Organization | None = None, kind: str = "") -> QuerySet:
    """The due list as one SQL query (a UNION): the user's records with a step or a 考察 due within
    rules.DUE_WITHIN_DAYS days or overdue, or that may proceed, or whose 预备期 ends within rules.PROBATION_REMIND_DAYS
    days; and (kind "" or "probation") the roster's 预备党员 without a record whose 预备期 (from their 入党日期) ends
    so. Rows are value tuples in COLUMNS order; `as_due_row` makes them DueRows."""
    today = clock.today()
    records = Applicant.objects.visible_to(fetched_by).filter(record_due_q(kind, today))
    if root is not None:
        records = records.filter(subtree_q("org__path", [root.path]))
    records = records.annotate(is_record=Value(True), org_name=F("org__name"), org_path=F("org__path"))
    records = records.values_list(*COLUMNS)
    order = ORDERS[kind]
    if kind not in ("", "probation"):
        return records.order_by(*order)
    soon = today + timedelta(days=rules.PROBATION_REMIND_DAYS)
    members = Member.objects.visible_to(fetched_by).filter(
        category=Category.PROBATIONARY,
        status=Status.ACTIVE,
        development__isnull=True,
        joined_on__lte=joined_on_bound(soon),
    )
    if root is not None:
        members = members.filter(subtree_q("org__path", [root.path]))
    nothing = Value(None, output_field=model_fields.DateField())
    members = members.annotate(
        is_record=Value(False),
        org_name=F("org__name"),
        org_path=F("org__path"),
        stage=Value(4, output_field=model_fields.IntegerField()),
        next_step=Value(22, output_field=model_fields.IntegerField()),
        due_on=nothing,
        ready_on=nothing,
        review_due_on=nothing,
        accepted_on=F("joined_on"),
        extended_months=Value(0, output_field=model_fields.IntegerField()),
    )
    return records.order_by().union(members.values_list(*COLUMNS).order_by(), all=True).order_by(*order)


def as_due_row(values, today: date) -> DueRow:
    return DueRow(*values[:11], today=today)


# ── the yearly statistics ─────────────────────────────────────────────────────────────────────────────────────────

#: The columns of the yearly table: (key, label); each counts step records of the year.
STAT_COLUMNS = (
    ("applied", "新递交申请"),
    ("activists", "确定入党积极分子"),
    ("candidates", "确定发展对象"),
    ("accepted", "接收预备党员"),
    ("confirmed", "按期转正"),
    ("extended", "延长预备期"),
    ("cancelled", "取消预备党员资格"),
)
#: Which step counts in which column (step 24 by the decision of its round's step 23).
STAT_STEPS = {1: "applied", 4: "activists", 7: "candidates", rules.APPROVAL: "accepted"}
STAT_DECISIONS = {rules.CONFIRM: "confirmed", rules.EXTEND: "extended", rules.CANCEL: "cancelled"}


@dataclass
class StatRow:
    org: Organization | None
    counts: Counter = field(default_factory=Counter)

    @property
    def cells(self) -> list[int]:
        return [self.counts[key] for key, _label in STAT_COLUMNS]

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return [(label, self.counts[key]) for key, label in STAT_COLUMNS]


def _stat_rows(fetched_by, root: Organization | None, year: int):
    steps = StepRecord.objects.visible_to(fetched_by).filter(
        done_on__gte=date(year, 1, 1), done_on__lt=date(year + 1, 1, 1), step__in=[*STAT_STEPS, rules.CONFIRM_APPROVAL]
    )
    if root is not None:
        steps = steps.filter(subtree_q("applicant__org__path", [root.path]))
    # The decision of the same record's step 23 in the same round: the record's own steps, already in scope.
    decided = StepRecord.objects.unrestricted().filter(
        applicant=OuterRef("applicant"), round=OuterRef("round"), step=rules.CONFIRM_ASSEMBLY
    )
    grouped = (
        steps.annotate(decided=Subquery(decided.values("decision")[:1]))
        .values_list("applicant__org__path", "step", "decided")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, step, decision, n in grouped:
        key = STAT_DECISIONS.get(decision) if step == rules.CONFIRM_APPROVAL else STAT_STEPS.get(step)
        if key:
            yield path, key, n


def year_stats(*, fetched_by, year: int, root: Organization | None = None, branches=()) -> tuple[StatRow, list]:
    """The year's totals of the user's scope (or `root`'s subtree) and the row of each of `branches`: one grouped
    query over the year's step records by (org, step, decision), rolled up."""
    grouped = list(_stat_rows(fetched_by, root, year))
    total = StatRow(root, _sum(grouped))
    rolled = roll_up(grouped, steplen=Organization.steplen)
    return total, [StatRow(branch, rolled.get(branch.path, Counter())) for branch in branches]


#: The 支部党员大会 offered for a vote step (newest first).
MEETING_CHOICES_MAX = 30


# records ─────────────────────────────────────────────────────────────────────────────────────────────────────────
RECORD_SORTS = {
    "name": ("name_pinyin", "id"),
    "stage": ("-stage", "-last_step", "name_pinyin", "id"),
    "due": ("due_on", "name_pinyin", "id"),
    "org": ("org__path", "name_pinyin", "id"),
}


def records(*, fetched_by, q: str = "", org=None, stage: str = "", state: str = "", overdue: bool = False, sort="org"):
    """The records of the user's scope: of `org`'s subtree, a name or pinyin prefix, a stage, a state, overdue."""
    rows = Applicant.objects.visible_to(fetched_by).select_related("org")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(name_pinyin__startswith=q.lower().replace(" ", "")))
    if stage:
        rows = rows.filter(stage=int(stage))
    if state:
        rows = rows.filter(state=state)
    if overdue:
        rows = rows.filter(due_on__lt=clock.today(), state__in=OPEN_STATES)
    return rows.order_by(*RECORD_SORTS[sort])


def timeline(user, applicant: Applicant) -> tuple[list[dict], list[StepRecord]]:
    """The 25 steps grouped by stage, each with its records (of every round), people, meeting (if visible) and
    state (done / next / open), materials. A record from the roster shows steps 22–25 only. Five queries."""
    records = list(
        StepRecord.objects.unrestricted()
        .filter(applicant=applicant)  # the record, fetched in scope
        .order_by("step", "round")
    )
    people = services.people_of(records)
    meeting_ids = {r.meeting_id for r in records if r.meeting_id}
    seen = set(Meeting.objects.visible_to(user).filter(pk__in=meeting_ids).values_list("pk", flat=True))
    by_step: dict[int, list[StepRecord]] = {}
    materials: dict[int, list[Document]] = {}
    for document in Document.objects.unrestricted().filter(record__in=[r.pk for r in records]).order_by("pk"):
        materials.setdefault(document.record_id, []).append(document)  # the record's own materials
    for record in records:
        record.people_list = people.get(record.pk, [])
        record.materials = materials.get(record.pk, [])
        record.meeting_visible = record.meeting_id in seen
        by_step.setdefault(record.step, []).append(record)
    roster = applicant.origin == Origin.ROSTER
    history = services.history_of(applicant, records)
    stages = []
    for index, name in enumerate(rules.STAGES):
        steps = []
        for spec in rules.STEPS:
            if spec.stage != name or (roster and spec.number not in rules.ROSTER_STEPS):
                continue
            done = by_step.get(spec.number, [])
            open_now = spec.number not in history and all(p in history for p in spec.predecessors)
            steps.append({"spec": spec, "records": done, "next": spec.number == applicant.next_step, "open": open_now})
        if steps:
            stages.append({"index": index, "name": name, "steps": steps})
    return stages, records


def step_people(applicant: Applicant) -> list[Member]:
    """The branch's full members on the register (the service checks each again on the step's date)."""
    return list(
        Member.objects.unrestricted()  # the record's branch, which the user may change
        .filter(org=applicant.org, status=Status.ACTIVE, category=Category.FULL)
        .exclude(pk=applicant.member_id or 0)
        .order_by("name_pinyin", "id")[:200]
    )


def step_meetings(user, applicant: Applicant) -> list[Meeting]:
    # The branch's own assemblies (meetings.selectors), among those the user sees.
    return list(
        held_assemblies(applicant.org).filter(pk__in=Meeting.objects.visible_to(user).values("pk"))[
            :MEETING_CHOICES_MAX
        ]
    )


# 预备党员 on the roster ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class ProbationRow:
    member: Member
    record: Applicant | None
    ends_on: date
    days_left: int  # negative: overdue

    @property
    def next_step_label(self) -> str:
        if self.record is None or self.record.next_step is None:
            return ""
        return self.record.get_next_step_display()


def probation_end_of(member: Member, record: Applicant | None) -> date:
    """预备期满: one year from the acceptance (the record's, else the 入党日期), plus the record's extension."""
    start = (record.accepted_on if record else None) or member.joined_on
    return rules.probation_end(start, record.extended_months if record else 0)


def record_of(member: Member) -> Applicant | None:
    try:
        return member.development
    except Applicant.DoesNotExist:
        return None


class ProbationRows(Sequence):
    """The rows of the 预备党员 list: their 预备期满 computed for all (calendar months: in Python) from one narrow
    query, the members themselves read only for the slice shown (a page, or chunks of an export)."""

    CHUNK = 500

    def __init__(self, entries: list[tuple[int, date, int]]):
        self.entries = entries  # (member id, 预备期满, days left), filtered and sorted

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            index = range(len(self.entries))[index]  # negative indexes, and IndexError past the end
            return self[index : index + 1][0]
        chosen = self.entries[index]
        # The ids come from the user's restricted query (probation_rows): read them as they are.
        members = Member.objects.unrestricted().select_related("org", "development").in_bulk([e[0] for e in chosen])
        return [ProbationRow(members[pk], record_of(members[pk]), ends, days) for pk, ends, days in chosen]

    def __iter__(self):
        for start in range(0, len(self.entries), self.CHUNK):
            yield from self[start : start + self.CHUNK]


def probation_rows(user, org: Organization | None = None, due: str = "", sort: str = "") -> ProbationRows:
    """The 预备党员 in register of the user's scope (or of `org`'s subtree) with their 预备期满 (the record's
    acceptance and extension where one exists): filtered (?due=soon|overdue) and sorted by it or by name."""
    members = Member.objects.visible_to(user).filter(category=Category.PROBATIONARY, status=Status.ACTIVE)
    if org is not None:
        members = members.filter(subtree_q("org__path", [org.path]))
    today = clock.today()
    entries = []
    for pk, joined_on, accepted_on, extended, pinyin in members.values_list(
        "pk", "joined_on", "development__accepted_on", "development__extended_months", "name_pinyin"
    ):
        ends_on = rules.probation_end(accepted_on or joined_on, extended or 0)
        entries.append((pk, ends_on, (ends_on - today).days, pinyin))
    if due == "soon":
        entries = [e for e in entries if 0 <= e[2] <= rules.PROBATION_REMIND_DAYS]
    elif due == "overdue":
        entries = [e for e in entries if e[2] < 0]
    entries.sort(key=(lambda e: (e[3], e[0])) if sort == "name" else (lambda e: (e[1], e[3], e[0])))
    return ProbationRows([(pk, ends, days) for pk, ends, days, _pinyin in entries])
