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
    F,
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
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.members.filters import pinyin_q
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import seats_between

from . import rules
from .choices import OutcomeState, ReportState
from .models import MemberYear, Outcome, Report

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
