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


# --- api lane ---


def child_orgs(*, fetched_by, root: Organization | None) -> QuerySet[Organization]:
    """The rows of a summary rolled up by org: `root`'s children (party groups aside); without a root, the tops of
    the user's scope, or the children of the one top when there is one (as fees' reconciliation rows)."""
    from dangjian.core.roles import Capability  # noqa: PLC0415  (only this read needs it)
    from dangjian.core.scope import collapse_paths  # noqa: PLC0415
    from dangjian.orgs.choices import OrgKind  # noqa: PLC0415

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
