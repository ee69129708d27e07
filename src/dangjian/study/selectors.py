"""Reads of 学习培训: the 学时 of members against their requirement, per member and rolled up the tree, and a member's
own record. Each runs a fixed number of queries whatever the number of members (MemberYear holds the sums)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.scope import collapse_paths, roll_up, subtree_q
from dangjian.meetings.choices import AbsenceReason, MeetingStatus, Presence
from dangjian.meetings.models import Meeting
from dangjian.meetings.selectors import attended as meetings_attended
from dangjian.meetings.selectors import having_activity, meeting_attendance, meetings_scoped, with_attendance
from dangjian.members.filters import pinyin_q
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.membership import membership
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import seats_between

from . import rules
from .choices import PLAN_KINDS, OutcomeState, ReportState, StudyKind
from .models import Outcome, PlanItem, Report, Session, Speech
from .plans import month_ended
from .services import COUNTABLE_ACTIVITIES

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
    # One LEFT JOIN of the year's row (a correlated subquery per figure made the whole tree's summary 1.7 s at L).
    members = members.annotate(year_row=FilteredRelation("study_years", condition=Q(study_years__year=year)))

    def hours(name: str):
        return Coalesce(F(f"year_row__{name}"), Value(Decimal(0)), output_field=HOURS_FIELD)

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


def _grouped(fetched_by, year: int, root: Organization | None, prefix: int | None):
    """(path, key, value) per branch — or, with `prefix`, per the first `prefix` characters of its path (the
    branches' ancestors at that depth, summed in SQL) —: one query over the members of the scope, grouped also by
    whether the member holds a seat (so the seat's subquery runs once, in the grouping, not in every count)."""
    member_line, leader_line = lines(year)
    path = Substr("org__path", 1, prefix) if prefix else F("org__path")
    grouped = (
        with_hours(members_in(fetched_by, root), year)
        .annotate(group_path=path)
        .values_list("group_path", "leader")
        .annotate(
            n=Count("pk"),
            total=Sum("hours"),
            met_member=Count("pk", filter=Q(hours__gte=rules.MEMBER_HOURS)),
            met_leader=Count("pk", filter=Q(hours__gte=rules.LEADER_HOURS)),
            behind_member=Count("pk", filter=Q(hours__lt=member_line)),
            behind_leader=Count("pk", filter=Q(hours__lt=leader_line)),
        )
        .order_by()
    )
    for path, leader, n, total, met_member, met_leader, behind_member, behind_leader in grouped:
        yield path, "members", n
        yield path, "leaders", n if leader else 0
        yield path, "met", met_leader if leader else met_member
        yield path, "behind", behind_leader if leader else behind_member
        yield path, "hours", total or Decimal(0)


def summary(*, fetched_by, year: int, root: Organization | None = None, orgs: list[Organization] = ()) -> Summary:
    """The 学时 of the user's scope (or `root`'s subtree) in `year`, and of each of `orgs`: one grouped query. Rows of
    one depth (a parent's children, the usual page) are grouped by that depth's path prefix in SQL: a hundred groups
    to add up rather than every branch's (0.1 s of Python for the whole tree at L); of mixed depths, per branch and
    rolled up (`core.scope.roll_up`)."""
    depths = {len(org.path) for org in orgs}
    prefix = depths.pop() if len(depths) == 1 else None
    grouped = list(_grouped(fetched_by, year, root, prefix))
    total = Figures()
    totals: Counter = Counter()
    for _path, key, value in grouped:
        totals[key] += value
    total.add(totals)
    if prefix:
        rolled: dict[str, Counter] = defaultdict(Counter)
        for path, key, value in grouped:
            rolled[path][key] += value
    else:
        rolled = roll_up(grouped, steplen=Organization.steplen)
    rows = []
    for org in orgs:
        figures = Figures()
        figures.add(rolled.get(org.path, Counter()))
        rows.append((org, figures))
    return Summary(year, total, rows)


# --- sessions (session_views.py) ------------------------------------------------------------------------------------

#: The sessions list's sorts (?sort=): newest first by default.
SESSION_SORTS = {
    "": ("-held_on", "-meeting__starts_at", "-id"),
    "date": ("held_on", "meeting__starts_at", "id"),
}


def _session_attendance(sessions: QuerySet) -> QuerySet:
    """`invited` and `present` of each session's meeting, counted by the meetings' own selector in a subquery (the
    meeting is the session's own, in the scope the sessions were read in): one query whatever the rows."""

    own = with_attendance(Meeting.objects.unrestricted().filter(pk=OuterRef("meeting_id")))  # the row's own meeting
    return sessions.annotate(
        invited=Coalesce(Subquery(own.values("invited")[:1]), Value(0)),
        present=Coalesce(Subquery(own.values("present")[:1]), Value(0)),
    )


def session_list(
    *,
    fetched_by,
    org: Organization | None = None,
    year: int | None = None,
    kind: str = "",
    q: str = "",
    sort: str = "",
) -> QuerySet:
    """The study sessions the user sees (of `org`'s subtree), filtered by year, kind and a text in the topic or the
    speaker, with their meeting, org and attendance counts in the same query."""

    sessions = Session.objects.visible_to(fetched_by)
    if org is not None:
        sessions = sessions.filter(subtree_q("org__path", [org.path]))
    if year:
        sessions = sessions.filter(held_on__gte=date(year, 1, 1), held_on__lte=date(year, 12, 31))
    if kind:
        sessions = sessions.filter(kind=kind)
    if q := q.strip():
        sessions = sessions.filter(Q(meeting__topic__icontains=q) | Q(speaker__icontains=q))
    sessions = sessions.select_related("org", "meeting", "lead")
    return _session_attendance(sessions).order_by(*SESSION_SORTS.get(sort, SESSION_SORTS[""]))


def session_get(*, fetched_by, pk: int, capability: str = "view"):
    """One session within the user's scope (VIEW: an invitee sees theirs), with what its page shows; DoesNotExist
    outside it as for none (the views answer 404)."""

    sessions = Session.objects.restrict(fetched_by, capability)
    related = ("org", "meeting__org", "meeting__recorder", "lead", "plan_item__org", "created_by")
    return sessions.select_related(*related).get(pk=pk)


def session_attendance(session):
    """The invitees of the session's meeting (meetings' own selector), each with the hours it credits them: the
    session's hours if present (at a meeting not cancelled), else 0."""

    summary = meeting_attendance(session.meeting)
    counts = session.meeting.status != MeetingStatus.CANCELLED
    for row in summary.rows:
        row.credited = session.hours if counts and row.presence == Presence.PRESENT else Decimal(0)
    return summary


def countable_meetings(*, fetched_by) -> QuerySet:
    """Meetings the user may change that could be counted as a study session: a 党课, 主题党日 or 集中学习 among their
    activities, not cancelled, not yet a session (of anyone's); newest first, with attendance counts."""
    # The outer meeting's own session (any, seen or not: a meeting counts once).
    counted = Session.objects.unrestricted().filter(meeting=OuterRef("pk"))
    meetings = (
        having_activity(meetings_scoped(fetched_by, Capability.CHANGE), COUNTABLE_ACTIVITIES)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(Exists(counted))
    )
    return with_attendance(meetings).select_related("org", "lecturer").order_by("-starts_at", "-pk")


def session_people(fetched_by, org: Organization) -> QuerySet[Member]:
    """Who may lead a session of `org` (领学人): its members in register the user may change, by name."""

    return membership().in_register(org).changeable_by(fetched_by).order_by("name_pinyin", "pk")


def plan_items_for(org: Organization, years) -> QuerySet:
    """Items of the training plans of `org` and its ancestors in `years`, that a session of `org` may carry out."""

    steplen = Organization.steplen
    paths = [org.path[:end] for end in range(steplen, len(org.path) + 1, steplen)]
    # An ancestor's plan (the 机关党委's) is what a branch carries out, though the branch's user may not see that org:
    # offered by title to link to, for the org the user may change (the caller checked it).
    items = PlanItem.objects.unrestricted().filter(org__path__in=paths, year__in=list(years))
    return items.select_related("org").order_by("-year", "month", "org__path", "pk")


# --- api lane ---


def child_orgs(*, fetched_by, root: Organization | None) -> QuerySet[Organization]:
    """The rows of a summary rolled up by org: `root`'s children (party groups aside); without a root, the tops of
    the user's scope, or the children of the one top when there is one (as fees' reconciliation rows)."""

    orgs = Organization.objects.visible_to(fetched_by).active().exclude(kind=OrgKind.GROUP)
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


# --- the yearly plan, 中心组学习, outcomes (lane "central") ---------------------------------------------------------
# Reads of plan_views.py and central_views.py: each a fixed number of queries whatever the rows.


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


# --- the progress pages, the home panels and the reminders (lane "progress") ------------------------------------

#: Sort keys of the members' list (a leading "-": descending).
MEMBER_SORTS = {"hours": "hours", "name": "name_pinyin", "org": "org__path"}
SEARCH_MAX = 50


def top_orgs(user) -> list[Organization]:
    """The tops of the user's granted subtrees, active ones, by path (as meetings.compliance.top_orgs)."""
    # The grants' own orgs: the user's scope is their subtrees (a superuser's, the roots).
    if user.is_superuser:
        return list(Organization.objects.get_root_nodes().unrestricted().active())
    paths = user.scope_paths(Capability.VIEW)
    return list(Organization.objects.unrestricted().active().filter(path__in=paths).order_by("path"))


def row_orgs(*, fetched_by, org: Organization | None) -> tuple[Organization | None, QuerySet[Organization]]:
    """(the org the rows belong to, the rows): the children of `org` that hold members (not 党小组: members are
    registered with their branch), or `org` itself when it has none (a branch). Without `org`: the user's top org's
    children when the scope has one top, else the tops."""
    if org is None:
        tops = top_orgs(fetched_by)
        if len(tops) != 1:
            return None, Organization.objects.visible_to(fetched_by).filter(pk__in=[o.pk for o in tops]).order_by(
                "path"
            )
        org = tops[0]
    children = (
        Organization.objects.visible_to(fetched_by)
        .active()
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
    )
    if not children.exists():
        return org, Organization.objects.visible_to(fetched_by).filter(pk=org.pk)
    return org, children


def progress_list(
    *, fetched_by, year: int, root: Organization | None = None, q: str = "", behind: bool = False, sort: str = ""
) -> QuerySet[Member]:
    """The members' list: member_progress with the seat that makes a leader (`seat_role`, one of CommitteeRole),
    filtered by a name or its pinyin (members.filters.pinyin_q) and to those behind; `sort` a key of MEMBER_SORTS."""
    seats = seats_between(date(year, 1, 1), date(year, 12, 31)).filter(member=OuterRef("pk")).order_by("started_on")
    rows = member_progress(fetched_by=fetched_by, year=year, root=root).annotate(
        seat_role=Subquery(seats.values("role")[:1])
    )
    q = q.strip()[:SEARCH_MAX]
    if q:
        rows = rows.filter(name__contains=q) if not q.isascii() else rows.filter(pinyin_q(q.lower()))
    if behind:
        rows = rows.filter(behind=True)
    key = sort.removeprefix("-")
    field_ = F(MEMBER_SORTS.get(key, "org__path"))
    first = field_.desc() if sort.startswith("-") and key in MEMBER_SORTS else field_.asc()
    return rows.order_by(first, "name_pinyin", "id")


def own_progress(user, year: int) -> Member | None:
    """The user's own member record with its 学时 of `year` (with_hours), or None: one query."""
    if not user.is_authenticated:
        return None
    return with_hours(Member.objects.visible_to(user).filter(user=user), year).first()


def behind_count(fetched_by, year: int) -> int:
    """Members in register the user sees who are behind in `year`: one query."""
    return with_hours(members_in(fetched_by), year).filter(behind=True).count()


def pending_reports(user) -> QuerySet[Report]:
    """Self-reports waiting for the user's review (those of the branches they may change)."""
    return Report.objects.changeable_by(user).filter(state=ReportState.PENDING)


def overdue_outcomes(user) -> QuerySet[Outcome]:
    """中心组 outcomes still open past their 转化 time limit, of the sessions the user sees."""
    return Outcome.objects.visible_to(user).filter(state=OutcomeState.OPEN, due_on__lt=clock.today())


# --- reports and a member's own page (lane "reports") -----------------------------------------------------------


#: The years a member's page and the reports' list offer: from this one back to YEAR_MIN.
YEAR_MIN = 2000


@dataclass
class Pace:
    """Where a member stands against the requirement of a year, as the page says it."""

    ok: bool
    text: str


def pace(hours: Decimal, required: Decimal, year: int, today: date | None = None) -> Pace:
    """进度正常, or how far behind (rules.behind_line: the pace in the running year, the whole requirement once the
    year is over)."""
    today = today or clock.today()
    line = rules.behind_line(required, year, today)
    if hours >= required:
        return Pace(True, "已完成全年学时要求")
    if hours >= line:
        return Pace(True, "进度正常")
    missing = (line - hours).quantize(rules.HOURS_STEP)
    if year < today.year:
        return Pace(False, f"未完成全年学时要求，差 {missing} 学时")
    return Pace(False, f"落后于进度，需再学 {missing} 学时")


@dataclass
class MyYear:
    """A member's own 学时 of a year and what they come from (study:mine)."""

    year: int
    hours: Decimal
    session_hours: Decimal
    report_hours: Decimal
    required: Decimal
    rule: str
    percent: int
    pace: Pace
    attended: list = field(default_factory=list)  # Session rows attended (counted)
    missed: list = field(default_factory=list)  # Session rows invited to, counting nothing (each with `why`)
    reports: list = field(default_factory=list)  # the member's Report rows of the year


MISSED_CANCELLED = "会议已取消"
MISSED_ABSENT = "缺席"
MISSED_NOT_YET = "尚未召开"
MISSED_UNRECORDED = "未登记出席（如已参加，请联系党支部登记）"


def missed_reason(session, now: datetime | None = None) -> str:
    """Why a session the member was invited to counts nothing (`presence`, `absence_reason` of their invitation)."""
    now = now or timezone.now()
    if session.meeting.status == MeetingStatus.CANCELLED:
        return MISSED_CANCELLED
    if session.presence == Presence.ABSENT:
        reason = AbsenceReason(session.absence_reason).label if session.absence_reason in AbsenceReason.values else ""
        return f"{MISSED_ABSENT}（{reason}）" if reason else MISSED_ABSENT
    if session.meeting.starts_at > now:
        return MISSED_NOT_YET
    return MISSED_UNRECORDED


def my_sessions(*, fetched_by, member: Member, year: int) -> list[Session]:
    """The study sessions of `year` the member was invited to (the meeting's attendance), each with `presence`,
    `absence_reason` of their invitation and `counted` (meetings' own rule of having taken part), newest first: one
    query."""
    counted = meetings_attended().filter(member_id=member.pk, meeting_id=OuterRef("meeting_id"))  # the outer row's
    return list(
        Session.objects.visible_to(fetched_by)
        .filter(held_on__year=year, meeting__attendances__member=member)
        .select_related("meeting")
        .annotate(
            presence=F("meeting__attendances__presence"),
            absence_reason=F("meeting__attendances__absence_reason"),
            counted=Exists(counted),
        )
        .order_by("-held_on", "-meeting__starts_at", "-id")
    )


def my_year(*, fetched_by, member: Member, year: int) -> MyYear:
    """The member's 学时 of `year` (MemberYear), their requirement with its rule, the pace, the sessions they
    attended or missed and their reports: 3 queries whatever their history."""
    found = with_hours(Member.objects.visible_to(fetched_by).filter(pk=member.pk), year).values(
        "hours", "session_hours", "report_hours", "leader", "required"
    )
    row = next(iter(found[:1]), None)
    if row is None:
        raise Member.DoesNotExist
    attended, missed = [], []
    today, now = clock.today(), timezone.now()
    for session in my_sessions(fetched_by=fetched_by, member=member, year=year):
        if session.counted:
            attended.append(session)
        else:
            session.why = missed_reason(session, now)
            missed.append(session)
    reports = list(
        Report.objects.visible_to(fetched_by)
        .filter(member=member, studied_on__year=year)
        .order_by("-studied_on", "-id")
    )
    required, hours = row["required"], row["hours"]
    return MyYear(
        year=year,
        hours=hours,
        session_hours=row["session_hours"],
        report_hours=row["report_hours"],
        required=required,
        rule=rules.RULE_LEADER if row["leader"] else rules.RULE_MEMBER,
        percent=min(100, int(hours * 100 / required)) if required else 100,
        pace=pace(hours, required, year, today),
        attended=attended,
        missed=missed,
        reports=reports,
    )


def reports_of(
    *, fetched_by, state: str = "", org: Organization | None = None, year: int | None = None, q: str = ""
) -> QuerySet[Report]:
    """The self-reports the user sees (their scope, and their own), pending first then newest: of `org`'s subtree,
    a state, a year of study, a member's name (characters) or pinyin prefix. One query a page."""
    rows = Report.objects.visible_to(fetched_by).select_related("member", "org")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if state:
        rows = rows.filter(state=state)
    if year is not None:
        rows = rows.filter(studied_on__year=year)
    if q:
        if q.isascii():
            term = q.lower().replace(" ", "")
            rows = rows.filter(Q(member__name_pinyin__startswith=term) | Q(member__name_initials__startswith=term))
        else:
            rows = rows.filter(member__name__contains=q)
    pending_first = Case(When(state=ReportState.PENDING, then=Value(0)), default=Value(1))
    return rows.order_by(pending_first, "-studied_on", "-id")


def report_get(*, fetched_by, pk: int) -> Report:
    """One report the user sees (their own, or in their scope), with its member and branch; Report.DoesNotExist
    otherwise."""
    return Report.objects.visible_to(fetched_by).select_related("member", "org", "reviewed_by").get(pk=pk)
