"""Reads of 学习培训: the 学时 of members against their requirement, per member and rolled up the tree, and a member's
own record. Each runs a fixed number of queries whatever the number of members (MemberYear holds the sums)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dangjian.core import clock
from dangjian.core.scope import roll_up, subtree_q
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import seats_between

from . import rules
from .models import MemberYear

HOURS_FIELD = DecimalField(max_digits=7, decimal_places=1)


def lines(year: int, today: date | None = None) -> tuple[Decimal, Decimal]:
    """(a member's, a leader's) hours below which they are behind in `year` as of today."""
    today = today or clock.today()
    return (
        rules.behind_line(rules.MEMBER_HOURS, year, today),
        rules.behind_line(rules.LEADER_HOURS, year, today),
    )


def with_hours(members: QuerySet[Member], year: int, today: date | None = None) -> QuerySet[Member]:
    """Each member with `hours`, `session_hours`, `report_hours` of `year`, `leader` (a seat on some day of it),
    `required` (rules.requirement) and `behind` (under the pace line today, or the requirement once the year is
    over), all in the same query."""
    row = MemberYear.objects.unrestricted().filter(member=OuterRef("pk"), year=year)  # the outer member's own row

    def hours(name: str):
        return Coalesce(Subquery(row.values(name)[:1]), Value(Decimal(0)), output_field=HOURS_FIELD)

    member_line, leader_line = lines(year, today)
    return members.annotate(
        hours=hours("hours"),
        session_hours=hours("session_hours"),
        report_hours=hours("report_hours"),
        leader=Exists(seats_between(date(year, 1, 1), date(year, 12, 31)).filter(member=OuterRef("pk"))),
    ).annotate(
        required=Case(
            When(leader=True, then=Value(rules.LEADER_HOURS)),
            default=Value(rules.MEMBER_HOURS),
            output_field=HOURS_FIELD,
        ),
        behind=ExpressionWrapper(
            Q(leader=True, hours__lt=leader_line) | Q(leader=False, hours__lt=member_line), output_field=BooleanField()
        ),
    )


def members_in(fetched_by, root: Organization | None = None) -> QuerySet[Member]:
    """The members in register the user sees (of `root`'s subtree): those who owe 学时."""
    members = Member.objects.visible_to(fetched_by).active()
    if root is not None:
        members = members.filter(subtree_q("org__path", [root.path]))
    return members


def member_progress(*, fetched_by, year: int, root: Organization | None = None) -> QuerySet[Member]:
    """The members with their 学时 of `year` (with_hours), their branch read with them."""
    return with_hours(members_in(fetched_by, root), year).select_related("org")


@dataclass
class Figures:
    """One subtree's 学时 of a year."""

    members: int = 0
    leaders: int = 0
    met: int = 0
    behind: int = 0
    hours: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else Decimal(0)

    @property
    def met_percent(self) -> int | None:
        return self.met * 100 // self.members if self.members else None

    def add(self, counts: Counter) -> None:
        for name in ("members", "leaders", "met", "behind", "hours"):
            setattr(self, name, getattr(self, name) + counts.get(name, 0))


@dataclass
class Summary:
    year: int
    total: Figures
    rows: list[tuple[Organization, Figures]] = field(default_factory=list)


def _grouped(fetched_by, year: int, root: Organization | None):
    """(org path, key, value) per branch: one grouped query over the members of the scope."""
    members = with_hours(members_in(fetched_by, root), year)
    met = Q(leader=True, hours__gte=rules.LEADER_HOURS) | Q(leader=False, hours__gte=rules.MEMBER_HOURS)
    grouped = (
        members.values_list("org__path")
        .annotate(
            n=Count("pk"),
            leaders=Count("pk", filter=Q(leader=True)),
            met=Count("pk", filter=met),
            behind=Count("pk", filter=Q(behind=True)),
            total=Sum("hours"),
        )
        .order_by()
    )
    for path, n, leaders, met_n, behind_n, total in grouped:
        yield path, "members", n
        yield path, "leaders", leaders
        yield path, "met", met_n
        yield path, "behind", behind_n
        yield path, "hours", total or Decimal(0)


def summary(*, fetched_by, year: int, root: Organization | None = None, orgs: list[Organization] = ()) -> Summary:
    """The 学时 of the user's scope (or `root`'s subtree) in `year`, and of each of `orgs` (rolled up from its
    branches): one grouped query."""
    grouped = list(_grouped(fetched_by, year, root))
    total = Figures()
    totals: Counter = Counter()
    for _path, key, value in grouped:
        totals[key] += value
    total.add(totals)
    rolled = roll_up(grouped, steplen=Organization.steplen)
    rows = []
    for org in orgs:
        figures = Figures()
        figures.add(rolled.get(org.path, Counter()))
        rows.append((org, figures))
    return Summary(year, total, rows)


# --- the yearly plan, 中心组学习, outcomes (lane "central") ---------------------------------------------------------
# Reads of plan_views.py and central_views.py: each a fixed number of queries whatever the rows.

from django.db.models import F  # noqa: E402

from dangjian.meetings.choices import MeetingStatus  # noqa: E402

from .choices import PLAN_KINDS, OutcomeState, StudyKind  # noqa: E402
from .models import Outcome, PlanItem, Session, Speech  # noqa: E402
from .plans import month_ended  # noqa: E402


@dataclass
class KindFigures:
    """A form of study's line of the plan: items, hours planned, sessions held and their hours."""

    kind: str
    label: str
    items: int = 0
    planned_hours: Decimal = Decimal(0)
    held: int = 0
    held_hours: Decimal = Decimal(0)
    unrealised: int = 0

    @property
    def percent(self) -> int | None:
        return int(self.held_hours * 100 / self.planned_hours) if self.planned_hours else None


@dataclass
class PlanPage:
    org: Organization
    year: int
    items: list[PlanItem]
    kinds: list[KindFigures]
    total: KindFigures
    months: list[tuple[int, list[PlanItem]]] = field(default_factory=list)


def plan_of(*, fetched_by, org: Organization, year: int, today: date | None = None) -> PlanPage:
    """`org`'s plan for `year` with its execution: each item's linked sessions (`item.linked`, the ones the user
    sees), `held_count`, `held_hours` (of sessions whose meeting was held), `unrealised` (its month is over and none
    was held); totals per form of study. Two queries: the items, and their sessions with their meetings."""
    today = today or clock.today()
    items = list(PlanItem.objects.visible_to(fetched_by).filter(org=org, year=year).order_by("month", "id"))
    linked: dict[int, list[Session]] = {item.pk: [] for item in items}
    if items:
        sessions = (
            Session.objects.visible_to(fetched_by)
            .filter(plan_item__in=[item.pk for item in items])
            .select_related("meeting", "org")
            .order_by("held_on", "id")
        )
        for session in sessions:
            session.held = session.meeting.status == MeetingStatus.HELD
            linked[session.plan_item_id].append(session)
    kinds = {kind: KindFigures(kind, StudyKind(kind).label) for kind in PLAN_KINDS}
    total = KindFigures("", "合计")
    months: dict[int, list[PlanItem]] = {}
    for item in items:
        item.linked = linked[item.pk]
        held = [s for s in item.linked if s.held]
        item.held_count = len(held)
        item.held_hours = sum((s.hours for s in held), Decimal(0))
        item.unrealised = not held and month_ended(item.year, item.month, today)
        line = kinds.get(item.kind) or kinds.setdefault(item.kind, KindFigures(item.kind, item.get_kind_display()))
        for figures in (line, total):
            figures.items += 1
            figures.planned_hours += item.planned_hours
            figures.held += item.held_count
            figures.held_hours += item.held_hours
            figures.unrealised += int(item.unrealised)
        months.setdefault(item.month, []).append(item)
    return PlanPage(
        org=org,
        year=year,
        items=items,
        kinds=[line for line in kinds.values() if line.items],
        total=total,
        months=sorted(months.items()),
    )


def _count_of(model, **conditions):
    """The number of `model` rows of the outer session (a correlated subquery: no row multiplication)."""
    rows = model.objects.unrestricted().filter(session=OuterRef("pk"), **conditions)  # of the outer session only
    counted = rows.order_by().values("session").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0))


def central_sessions(*, fetched_by, year: int | None = None, org: Organization | None = None) -> QuerySet[Session]:
    """The 中心组学习 sessions the user sees (of `org`'s subtree, of `year`), newest first, each with `speech_count`,
    `outcome_count` and `done_count`: one query."""
    sessions = Session.objects.visible_to(fetched_by).filter(kind=StudyKind.CENTRAL)
    if year:
        sessions = sessions.filter(held_on__year=year)
    if org is not None:
        sessions = sessions.filter(subtree_q("org__path", [org.path]))
    return (
        sessions.select_related("meeting", "org", "lead")
        .annotate(
            speech_count=_count_of(Speech),
            outcome_count=_count_of(Outcome),
            done_count=_count_of(Outcome, state=OutcomeState.DONE),
        )
        .order_by("-held_on", "-id")
    )


#: ?sort= of the outcomes' list → ordering.
OUTCOME_SORTS = {
    "due": ("转化时限", [F("due_on").asc(nulls_last=True), "id"]),
    "-held": ("学习日期（新在前）", ["-session__held_on", "-id"]),
    "state": ("转化情况", ["state", F("due_on").asc(nulls_last=True), "id"]),
    "org": ("组织", ["session__org__path", "-session__held_on", "id"]),
}


def outcome_rows(
    *,
    fetched_by,
    state: str = "",
    overdue: bool = False,
    year: int | None = None,
    org: Organization | None = None,
    kind: str = "",
    sort: str = "due",
    today: date | None = None,
) -> QuerySet[Outcome]:
    """The outcomes the user sees, filtered (`overdue`: 转化中 past 转化时限), each with `overdue`, its session,
    meeting, org and owner: one query."""
    today = today or clock.today()
    rows = Outcome.objects.visible_to(fetched_by)
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if overdue:
        rows = rows.filter(state=OutcomeState.OPEN, due_on__lt=today)
    if year:
        rows = rows.filter(session__held_on__year=year)
    if org is not None:
        rows = rows.filter(subtree_q("session__org__path", [org.path]))
    late = Q(state=OutcomeState.OPEN, due_on__lt=today)
    return (
        rows.select_related("session__meeting", "session__org", "owner")
        .annotate(overdue=ExpressionWrapper(late, output_field=BooleanField()))
        .order_by(*OUTCOME_SORTS.get(sort, OUTCOME_SORTS["due"])[1])
    )


def session_parts(*, fetched_by, session: Session) -> tuple[list[Speech], list[Outcome]]:
    """A session's speeches and outcomes as the user sees them (for the session's page): two queries."""
    speeches = list(
        Speech.objects.visible_to(fetched_by).filter(session=session).select_related("member").order_by("id")
    )
    outcomes = list(
        outcome_rows(fetched_by=fetched_by).filter(session=session).order_by(F("due_on").asc(nulls_last=True), "id")
    )
    return speeches, outcomes
