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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
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
