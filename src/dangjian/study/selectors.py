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


# --- reports and a member's own page (lane "reports") -----------------------------------------------------------

from datetime import datetime  # noqa: E402

from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.meetings.choices import AbsenceReason, MeetingStatus, Presence  # noqa: E402
from dangjian.meetings.selectors import attended as meetings_attended  # noqa: E402

from .choices import ReportState  # noqa: E402
from .models import Report, Session  # noqa: E402

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
