"""Scale data set L (DESIGN.md "Scale targets"): one 工委 over some 100 机关党委, 5,000 organisations and 100,000
members, written in bulk and deterministic for a seed and a day. `dangjian seed-scale` runs it.

This module is only the mechanism; it knows no app. The set is made by *producers*, functions registered with
``@scale_producer(order=…)`` in each app's ``scale.py`` (found the way ``admin.py`` modules are) and run in order
inside one transaction, each receiving the ScaleContext with what the earlier ones made: the org tree (10,
orgs/scale.py), members (20), committees (30), logins (40), member history (50) and last the figures derived from
them all (900: the precomputed statistics), those in members/scale.py. A later module adds its own records (meetings,
fees …) with a producer in its own ``<app>/scale.py``. Each producer draws from its own random stream, so adding one
never changes the others.
"""

import random
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import autodiscover_modules

from dangjian.core import clock

#: One password for every generated login (the set is for benchmarks and load tests, never production).
SCALE_PASSWORD = "Scale#2026dj"
#: The login at the root that later producers name as having handled what they record (ctx.users[ADMIN_USERNAME]).
ADMIN_USERNAME = "gw_admin"
#: Rows per INSERT.
BATCH_SIZE = 5000

ERR_PRODUCTION = "生产环境（DANGJIAN_PRODUCTION=1）不能生成规模测试数据"
ERR_YEARS = "年数应在 1 到 10 之间"
ERR_FUTURE_TODAY = "基准日期不能晚于今天"


class ScaleSeedError(Exception):
    """The set cannot be generated here (the message is for the user, in Chinese)."""


# --- What producers share ----------------------------------------------------------------------------------


@dataclass
class ScaleContext:
    """Passed to every producer: the parameters, a random stream of its own, what earlier producers made."""

    seed: int
    members_target: int
    orgs_target: int | None  # None: the org producer derives it from members_target
    years: int
    today: date
    #: audit log entries to write (None: ten per member, 1,000,000 at L)
    audit_entries: int | None = None
    report: Callable[[str, int, int], None] = lambda label, done, total: None
    rng: random.Random = field(default_factory=random.Random)
    #: what earlier producers made, keyed "<app>.<what>" (each app offers typed accessors for its own)
    made: dict[str, Any] = field(default_factory=dict)
    #: username → user id of the generated logins (ADMIN_USERNAME handles the generated history)
    users: dict[str, int] = field(default_factory=dict)
    #: the set's name for the summary line (the org producer names it after the root)
    title: str = ""
    #: rows written, by label (the summary line)
    counts: dict[str, int] = field(default_factory=dict)

    def bulk_create(self, model, objs: Iterable, *, label: str, total: int, keep: Callable | None = None) -> list:
        """Insert `objs` in batches, reporting progress under `label`; returns keep(obj) for each (or the objects).
        Objects are handed over one batch at a time, so a generator keeps memory flat."""
        kept: list = []
        batch: list = []
        done = 0

        def flush() -> None:
            nonlocal done
            created = model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            kept.extend(map(keep, created) if keep else created)
            done += len(created)
            batch.clear()
            self.report(label, done, total)

        self.report(label, 0, total)
        for obj in objs:
            batch.append(obj)
            if len(batch) >= BATCH_SIZE:
                flush()
        if batch:
            flush()
        self.counts[label] = self.counts.get(label, 0) + done
        return kept


# --- The registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleProducer:
    name: str  # module.function: also seeds the producer's random stream
    order: int
    func: Callable[[ScaleContext], None]


_producers: dict[str, ScaleProducer] = {}


def scale_producer(*, order: int):
    """Register a function(ctx) that writes its part of the set, after those with a lower `order`."""

    def register(func: Callable[[ScaleContext], None]):
        name = f"{func.__module__}.{func.__qualname__}"
        _producers[name] = ScaleProducer(name=name, order=order, func=func)
        return func

    return register


def scale_producers() -> list[ScaleProducer]:
    """Every registered producer (after importing each installed app's `scale` module), in run order."""
    autodiscover_modules("scale")
    return sorted(_producers.values(), key=lambda p: (p.order, p.name))


# --- Running it --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleResult:
    title: str
    made: dict[str, Any]
    counts: dict[str, int]
    seconds: dict[str, float]  # producer name → time taken
    elapsed: float


def scale_seed(
    *,
    members: int = 100_000,
    orgs: int | None = None,
    years: int = 3,
    seed: int = 2026,
    today: date | None = None,
    report: Callable[[str, int, int], None] | None = None,
    audit_entries: int | None = None,
) -> ScaleResult:
    """Run every scale producer in one transaction. A producer refuses what it cannot make (sizes, a set already
    there) by raising ScaleSeedError, which undoes the run.

    `years` is how far back generated records reach (member history; meetings, fees … in later modules).
    `report(label, done, total)` is called as each part progresses.
    """
    if settings.PRODUCTION:
        raise ScaleSeedError(ERR_PRODUCTION)
    today = today or clock.today()
    if today > clock.today():
        raise ScaleSeedError(ERR_FUTURE_TODAY)
    if not 1 <= years <= 10:
        raise ScaleSeedError(ERR_YEARS)
    ctx = ScaleContext(
        seed=seed, members_target=members, orgs_target=orgs, years=years, today=today, audit_entries=audit_entries
    )
    if report is not None:
        ctx.report = report
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), disable_auditlog():
        for producer in scale_producers():
            ctx.rng = random.Random(f"{seed}:{producer.name}")
            begin = time.perf_counter()
            producer.func(ctx)
            seconds[producer.name] = time.perf_counter() - begin
    if connection.vendor == "postgresql":
        # Fresh statistics, so the first queries on the new rows get sensible plans (autovacuum comes later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ScaleResult(
        title=ctx.title,
        made=ctx.made,
        counts=ctx.counts,
        seconds=seconds,
        elapsed=time.perf_counter() - started,
    )


# --- Helpers for producers ---------------------------------------------------------------------------------


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into len(weights) whole parts proportional to the weights, each at least `minimum`
    (largest remainder; deterministic)."""
    parts = [minimum] * len(weights)
    left = total - minimum * len(weights)
    if left <= 0 or not weights:
        return parts
    scale = left / sum(weights)
    shares = [w * scale for w in weights]
    for i, share in enumerate(shares):
        parts[i] += int(share)
    remainder = left - sum(int(s) for s in shares)
    by_fraction = sorted(range(len(shares)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_fraction[:remainder]:
        parts[i] += 1
    return parts


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99; beyond, digits)."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


# ── Helpers for producers that write many rows ─────────────────────────────────────────────────────────────


def write_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (values in `fields` order): COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(f.removesuffix("_id") if f != "id" else f).column for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            prep = [tuple(map(_sqlite_value, row)) for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prep)


def _sqlite_value(value):
    """What Django's SQLite backend stores: datetimes as naive UTC text, dates as ISO text, UUIDs as hex."""
    if isinstance(value, date):
        return _sqlite_date(value)
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


@lru_cache(maxsize=4096)
def _sqlite_date(value: date) -> str:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value.isoformat()


@contextmanager
def foreign_keys_checked_at_the_end(models):
    """PostgreSQL: drop the tables' foreign keys for the writes and add them back after, each checked by one query
    over the table instead of a trigger per row queued until the commit (millions at L). Pending checks of the
    earlier producers run first: a table with queued trigger events cannot be altered."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reset_sequence(model) -> None:
    """After rows written with chosen ids: the table's id sequence past them (PostgreSQL; SQLite follows by itself)."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))", [table]
        )
