"""The monthly ledger, written set-based: one INSERT … SELECT per month for every member who owes it (rules.owing_org
is the same rule over plain values, and the tests hold the two equal), and the first bases from the roster's
党费基数 column for members who have none yet."""

from datetime import date

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth
from django.utils import timezone

from dangjian.members.choices import Status, TransferKind
from dangjian.members.models import Member, Transfer

from . import rules
from .choices import BaseSource, FeeKind
from .models import FeeBase, LedgerLine


def _insert_select(model, columns: list[str], queryset) -> int:
    """INSERT INTO model (columns) SELECT … (the queryset's values, in that order) ON CONFLICT DO NOTHING: the rows
    never leave the database. Returns the rows written."""
    sql, params = queryset.query.sql_with_params()
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql} ON CONFLICT DO NOTHING", params)
        return cursor.rowcount


def due_expression(kind: str = "kind", base: str = "base_fen", fixed: str = "fixed_fen"):
    """rules.monthly_due in SQL: base × rate half up to the fen (integer arithmetic: (2·b·bp + 10000) div 20000)."""
    whens = []
    for fee_kind, brackets in rules.BRACKETS.items():
        lower = None
        for upper, bp in brackets:
            condition = Q(**{kind: fee_kind})
            if upper is not None:
                condition &= Q(**{f"{base}__lte": upper})
            if lower is not None:
                condition &= Q(**{f"{base}__gt": lower})
            amount = ExpressionWrapper((F(base) * (2 * bp) + 10_000) / 20_000, output_field=BigIntegerField())
            whens.append(When(condition, then=amount))
            lower = upper
    whens.append(When(Q(**{kind: FeeKind.FARMER}), then=F(fixed)))
    whens += [When(Q(**{kind: k}), then=Value(fen)) for k, fen in rules.FIXED_FEN.items()]
    return Case(*whens, default=Value(0), output_field=BigIntegerField())


def seed_roster_bases() -> int:
    """Members in register with no base yet get one from the roster's 党费基数 (在职, from the month they joined,
    marked 花名册（待核定）until the yearly check)."""
    now = timezone.now()
    # Unrestricted: a task over the whole register (each user reads the result through their scope).
    members = (
        Member.objects.unrestricted()
        .filter(status=Status.ACTIVE)
        .filter(~Exists(FeeBase.objects.unrestricted().filter(member=OuterRef("pk"))))
        .annotate(
            f_kind=Value(FeeKind.EMPLOYED),
            f_base=Cast(Round(F("fee_base") * 100), BigIntegerField()),
            f_month=TruncMonth("joined_on"),
            f_source=Value(BaseSource.ROSTER),
            f_reason=Value(""),
            f_created=Value(now),
            f_updated=Value(now),
        )
        .values_list("pk", "f_kind", "f_base", "f_month", "f_source", "f_reason", "f_created", "f_updated")
    )
    columns = ["member", "kind", "base_fen", "effective_month", "source", "reason", "created_at", "updated_at"]
    with transaction.atomic():
        return _insert_select(FeeBase, columns, members)


def owing_members(first: date):
    """Members owing month `first`, annotated with the branch they owe it to (`at_org`) and the base in force
    (`b_kind`, `b_base`, `b_fixed`): rules.owing_org in SQL."""
    last = rules.month_last(first)
    later = Transfer.objects.unrestricted().filter(member=OuterRef("pk"), transferred_on__gte=first)
    base = FeeBase.objects.unrestricted().filter(member=OuterRef("pk"), effective_month__lte=first)
    base = base.order_by("-effective_month")
    in_register = (
        Q(status=Status.ACTIVE)
        | Q(status=Status.TRANSFERRED_OUT, left_here=True)
        | (~Q(status__in=[Status.ACTIVE, Status.TRANSFERRED_OUT]) & Q(status_changed_on__gt=last))
    )
    # Unrestricted: the whole register, for a task (or a caller that restricts the result by branch).
    return (
        Member.objects.unrestricted()
        .filter(joined_on__lte=last)
        .annotate(
            arrived=Exists(later.filter(kind=TransferKind.IN)),
            left_here=Exists(later.filter(kind=TransferKind.OUT)),
            at_org=Coalesce(
                Subquery(later.filter(from_org__isnull=False).order_by("transferred_on", "id").values("from_org")[:1]),
                F("org"),
                output_field=BigIntegerField(),
            ),
            b_kind=Subquery(base.values("kind")[:1]),
            b_base=Subquery(base.values("base_fen")[:1]),
            b_fixed=Subquery(base.values("fixed_fen")[:1]),
        )
        .filter(in_register, arrived=False, b_kind__isnull=False)
    )


def generate_month(first: date) -> int:
    """Write the month's ledger line of every member who owes it and has none yet (idempotent: run again, it adds
    the members who became due since, a 预备党员 accepted on the 20th). Returns the lines written."""
    first = rules.month_first(first)
    now = timezone.now()
    rows = (
        owing_members(first)
        .annotate(
            l_month=Value(first),
            l_due=due_expression("b_kind", "b_base", "b_fixed"),
            l_paid=Value(0, output_field=IntegerField()),
            l_created=Value(now),
            l_updated=Value(now),
        )
        .values_list("pk", "at_org", "l_month", "b_kind", "b_base", "l_due", "l_paid", "l_created", "l_updated")
    )
    columns = ["member", "org", "month", "kind", "base_fen", "due_fen", "paid_fen", "created_at", "updated_at"]
    with transaction.atomic():
        return _insert_select(LedgerLine, columns, rows)
