"""党费基数: each member's fee kind and base from a month on (history kept), written by one service (set_base) that
also brings the member's existing ledger lines of the months it governs up to date; and its reads."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.core.validators import future_errors
from dangjian.members.choices import Status
from dangjian.members.filters import pinyin_q
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .choices import BaseSource, FeeKind
from .models import FeeBase, LedgerLine

ERR_OUT_OF_SCOPE = "您无权登记该党员的党费基数"
ERR_KIND = "请选择交纳类别"
ERR_NEGATIVE = "党费基数不能为负数"
ERR_MONTH_DAY = "起始月份须为某月1日"
ERR_MONTH_FUTURE = "起始月份最晚为下月（{month:%Y年%-m月}）"
ERR_MONTH_BEFORE_JOINING = "起始月份不能早于入党当月（{month:%Y年%-m月}）"
ERR_MONTH_RANGE = "起始月份须在 2000年 至 2100年 之间"
ERR_FARMER = "农民党员每月交纳 0.2 元至 1 元"
ERR_REASON_LONG = "批准理由/说明最多 200 个字"


def latest_month(today: date | None = None) -> date:
    """The latest effective month accepted: next month (a pay change known in advance)."""
    return rules.add_months(rules.month_first(today or clock.today()), 1)


@dataclass(frozen=True)
class BaseValues:
    """A base as it will be written: the kind's own fields kept, the others cleared."""

    kind: str
    base_fen: int | None
    fixed_fen: int | None
    effective_month: date
    approved_on: date | None
    reason: str

    @property
    def due_fen(self) -> int:
        return rules.monthly_due(self.kind, self.base_fen, self.fixed_fen)


def check_base(
    *,
    member: Member,
    kind: str,
    base_fen: int | None = None,
    fixed_fen: int | None = None,
    effective_month: date | None,
    approved_on: date | None = None,
    reason: str = "",
) -> BaseValues:
    """The values set_base would write, or ValidationError keyed by field (Chinese messages). Writes nothing: the
    yearly check's preview runs it on every row."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if kind not in FeeKind.values:
        errors["kind"] = ERR_KIND
    if base_fen is not None and base_fen < 0:
        errors["base_fen"] = ERR_NEGATIVE
    if fixed_fen is not None and fixed_fen < 0:
        errors["fixed_fen"] = ERR_FARMER
    if len(reason) > 200:
        errors["reason"] = ERR_REASON_LONG
    if effective_month is None:
        errors["effective_month"] = "请填写起始月份"
    elif effective_month.day != 1:
        errors["effective_month"] = ERR_MONTH_DAY
    elif not 2000 <= effective_month.year <= 2100:
        errors["effective_month"] = ERR_MONTH_RANGE
    elif effective_month > latest_month():
        errors["effective_month"] = ERR_MONTH_FUTURE.format(month=latest_month())
    elif effective_month < rules.month_first(member.joined_on):
        errors["effective_month"] = ERR_MONTH_BEFORE_JOINING.format(month=member.joined_on)
    if kind == FeeKind.EXEMPT:
        errors |= {k: v[0] for k, v in future_errors(approved_on=approved_on).items()}
    if errors:
        raise ValidationError(errors)
    values = BaseValues(
        kind=kind,
        base_fen=base_fen if kind in rules.BRACKETS else None,
        fixed_fen=fixed_fen if kind == FeeKind.FARMER else None,
        effective_month=effective_month,
        approved_on=approved_on if kind == FeeKind.EXEMPT else None,
        reason=reason,
    )
    # The per-kind rules (a base for 在职/离退休 and its ceiling, a farmer's 0.2–1 元, an exemption's approval).
    FeeBase(member=member, **values.__dict__).clean()
    return values


@transaction.atomic
def set_base(
    *,
    by,
    member: Member,
    kind: str,
    base_fen: int | None = None,
    fixed_fen: int | None = None,
    effective_month: date | None,
    approved_on: date | None = None,
    reason: str = "",
    source: str = BaseSource.MANUAL,
) -> FeeBase:
    """Record the member's fee kind and base from `effective_month` on. One row per (member, month): setting again
    for the same month replaces that row's values (audit-logged). Then the member's existing ledger lines from that
    month up to the next base's month take the new kind, base and due (paid or not: a quarter paid in advance shows
    the difference as owed or overpaid). Returns the row, with `lines_updated`."""
    if not by.can(Capability.CHANGE, member.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    # Locks the member's row: two writes of the same member's bases run one after the other (the caller already
    # holds the member, fetched within its scope).
    Member.objects.unrestricted().select_for_update().filter(pk=member.pk).values_list("pk").first()
    values = check_base(
        member=member,
        kind=kind,
        base_fen=base_fen,
        fixed_fen=fixed_fen,
        effective_month=effective_month,
        approved_on=approved_on,
        reason=reason,
    )
    # The member's own bases (in scope: checked above).
    bases = FeeBase.objects.unrestricted().filter(member=member)
    row = bases.filter(effective_month=values.effective_month).first()
    if row is None:
        row = FeeBase(member=member, effective_month=values.effective_month)
    for field, value in values.__dict__.items():
        setattr(row, field, value)
    row.member, row.source, row.recorded_by = member, source, by  # the member as held: audit's repr reads no more
    # The member and the user are the objects at hand (no lookup needed), and the row is the one for this member and
    # month, found above under the member's lock: the unique constraint holds without asking again.
    row.full_clean(exclude=["member", "recorded_by"], validate_unique=False, validate_constraints=False)
    row.save()
    following = bases.filter(effective_month__gt=values.effective_month).order_by("effective_month").first()
    lines = LedgerLine.objects.unrestricted().filter(member=member, month__gte=values.effective_month)
    if following is not None:
        lines = lines.filter(month__lt=following.effective_month)
    row.lines_updated = lines.update(kind=values.kind, base_fen=values.base_fen, due_fen=values.due_fen)
    return row


# ── Reads ────────────────────────────────────────────────────────────────────────────────────────────────────


def base_in_force(member: Member, month: date) -> FeeBase | None:
    """The member's base in force in `month`: the latest not after it (None before the first)."""
    # The caller holds the member, fetched within its scope: these are that member's own rows.
    bases = FeeBase.objects.unrestricted().filter(member=member, effective_month__lte=rules.month_first(month))
    return bases.order_by("-effective_month").first()


def base_history(*, fetched_by, member: Member) -> QuerySet[FeeBase]:
    """The member's bases, latest first, with who recorded each."""
    return (
        FeeBase.objects.visible_to(fetched_by)
        .filter(member=member)
        .select_related("recorded_by")
        .order_by("-effective_month")
    )


def member_lines(*, fetched_by, member: Member) -> QuerySet[LedgerLine]:
    """The member's ledger lines (every branch they owed to), latest month first."""
    return LedgerLine.objects.visible_to(fetched_by).filter(member=member).select_related("org").order_by("-month")


def with_current_base(members: QuerySet[Member], month: date) -> QuerySet[Member]:
    """Each member annotated with the base in force in `month` (`b_kind`, `b_base`, `b_fixed`, `b_month`,
    `b_source`), in the same query."""
    # Subqueries over the outer (already scoped) members' own rows.
    base = FeeBase.objects.unrestricted().filter(member=OuterRef("pk"), effective_month__lte=month)
    base = base.order_by("-effective_month")
    return members.annotate(
        b_kind=Subquery(base.values("kind")[:1]),
        b_base=Subquery(base.values("base_fen")[:1]),
        b_fixed=Subquery(base.values("fixed_fen")[:1]),
        b_month=Subquery(base.values("effective_month")[:1]),
        b_source=Subquery(base.values("source")[:1]),
    )


def members_in_register(*, fetched_by, org: Organization | None, capability: str = Capability.VIEW) -> QuerySet:
    """Members in register the user reaches with `capability` (of `org`'s subtree if given), with their branch."""
    members = Member.objects.restrict(fetched_by, capability).filter(status=Status.ACTIVE)
    if org is not None:
        members = members.filter(Q(group=org) if org.is_group else subtree_q("org__path", [org.path]))
    return members.select_related("org")


NO_BASE = "none"
PENDING = "pending"
SORTS = {"name": "name_pinyin", "org": "org__path", "kind": "b_kind", "base": "b_base", "month": "b_month"}


def base_rows(
    *, fetched_by, org: Organization | None = None, q: str = "", kind: str = "", pending: bool = False, sort: str = ""
) -> QuerySet[Member]:
    """The bases list: members in register the user sees, each with the base in force this month; `kind` one of
    FeeKind or NO_BASE; `pending` only roster-derived bases (待核定); `sort` a key of SORTS, "-" for descending."""
    rows = with_current_base(members_in_register(fetched_by=fetched_by, org=org), rules.month_first(clock.today()))
    q = q.strip()[:50]
    if q:
        rows = rows.filter(name__contains=q) if not q.isascii() else rows.filter(pinyin_q(q.lower()))
    if kind == NO_BASE:
        rows = rows.filter(b_kind__isnull=True)
    elif kind in FeeKind.values:
        rows = rows.filter(b_kind=kind)
    if pending:
        rows = rows.filter(b_source=BaseSource.ROSTER)
    key = sort.removeprefix("-")
    field = F(SORTS.get(key, "org__path"))
    first = field.desc(nulls_last=True) if sort.startswith("-") and key in SORTS else field.asc(nulls_last=True)
    return rows.order_by(first, "name_pinyin", "id")
