"""The monthly ledger, written set-based: one INSERT … SELECT per month for every member who owes it (rules.owing_org
is the same rule over plain values, and the tests hold the two equal), and the first bases from the roster's
党费基数 column for members who have none yet."""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
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


def due_sql(kind: str, base: str, fixed: str) -> tuple[str, list]:
    """rules.monthly_due as an SQL CASE over plain columns: base × rate half up to the fen, in integer arithmetic
    ((2·b·bp + 10000) div 20000). Over columns, not subqueries: each WHEN would run the base's subquery again."""
    whens, params = [], []
    for fee_kind, brackets in rules.BRACKETS.items():
        lower = None
        for upper, bp in brackets:
            condition = f"{kind} = %s"
            params.append(str(fee_kind))
            if upper is not None:
                condition += f" AND {base} <= %s"
                params.append(upper)
            if lower is not None:
                condition += f" AND {base} > %s"
                params.append(lower)
            whens.append(f"WHEN {condition} THEN ({base} * {2 * bp} + 10000) / 20000")
            lower = upper
    whens.append(f"WHEN {kind} = %s THEN {fixed}")
    params.append(str(FeeKind.FARMER))
    for fee_kind, fen in rules.FIXED_FEN.items():
        whens.append(f"WHEN {kind} = %s THEN {int(fen)}")
        params.append(str(fee_kind))
    return f"CASE {' '.join(whens)} ELSE 0 END", params


def seed_roster_bases(member_ids: list[int] | None = None) -> int:
    """Members in register with no base yet get one from the roster's 党费基数 (在职, from the month they joined,
    marked 花名册（待核定）until the yearly check); only `member_ids` when given."""
    now = timezone.now()
    # Unrestricted: a task over the whole register (each user reads the result through their scope).
    register = Member.objects.unrestricted().filter(status=Status.ACTIVE)
    if member_ids is not None:
        register = register.filter(pk__in=member_ids)
    members = (
        register.filter(~Exists(FeeBase.objects.unrestricted().filter(member=OuterRef("pk"))))
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


def generate_month(first: date, member_ids: list[int] | None = None) -> int:
    """Write the month's ledger line of every member who owes it and has none yet (idempotent: run again, it adds
    the members who became due since, a 预备党员 accepted on the 20th); only `member_ids` when given. Returns the
    lines written.

    One INSERT … SELECT: the owing members (owing_members, with the base in force) as a derived table, the amount
    computed over its columns."""
    first = rules.month_first(first)
    now = timezone.now()
    owing = owing_members(first)
    if member_ids is not None:
        owing = owing.filter(pk__in=member_ids)
    inner, inner_params = owing.values_list("pk", "at_org", "b_kind", "b_base", "b_fixed").query.sql_with_params()
    due, due_params = due_sql("o.b_kind", "o.b_base", "o.b_fixed")
    table = LedgerLine._meta.db_table
    columns = ["member", "org", "month", "kind", "base_fen", "due_fen", "paid_fen", "created_at", "updated_at"]
    names = ", ".join(connection.ops.quote_name(LedgerLine._meta.get_field(c).column) for c in columns)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT o.pk, o.at_org, %s, o.b_kind, o.b_base, {due}, 0, %s, %s "
        f"FROM ({inner}) o WHERE true ON CONFLICT DO NOTHING"
    )
    params = [first, *due_params, now, now, *inner_params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def open_member(member_id: int, today: date) -> int:
    """A member who joined the roster with months already owed (a 预备党员 approved months after the 支部大会 that
    accepted them, development.services): their first base from the roster, and every month's line from the one
    they joined to this one. Returns the lines written."""
    seed_roster_bases([member_id])
    joined = Member.objects.unrestricted().values_list("joined_on", flat=True).get(pk=member_id)  # the one member
    month, last, written = rules.month_first(joined), rules.month_first(today), 0
    while month <= last:
        written += generate_month(month, [member_id])
        month = rules.month_first(rules.month_last(month) + timedelta(days=1))
    return written
