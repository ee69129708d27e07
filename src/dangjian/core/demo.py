"""Demo data set S (DESIGN.md "Scale targets"): 1 机关党委, 2 党总支, 12 党支部, 300 members, demo accounts.

Deterministic for a given `seed` and `today`, so screenshots, manuals and tests see the same people. The set
deliberately contains the DOMAIN.md §1 situations the 待办 list reports (a branch with only 2 full members,
a term about to expire, one expired, one more than a year overdue) and some member history (转出, 转入,
去世, 停止党籍, 系统内调整), so a fresh `make run` shows every page with something on it.

This module is only the mechanism; it knows no app. Like the scale set (core/scale.py), the set is made by
*producers*, functions registered with ``@demo_producer(order=…)`` in each app's ``demo.py`` (found the way
``admin.py`` modules are) and run in order inside one transaction, each receiving the DemoContext with what the
earlier ones made: the tree (10, orgs/demo.py), members (20), committees (30), the demo logins (40) and member
history (50), those in members/demo.py. Functions registered with ``@demo_summary(order=…)`` say what of the set the
database holds (whether it is there, its name, counts, the demo logins): `seed_demo` prints that, and writes nothing
when the set is there already. The producers share one random stream in run order, so a later module's producer
(a higher order) leaves every earlier record as it was.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from dangjian.core import clock
from dangjian.core.models import RoleGrant, User

#: One password for every demo account, printed by `seed_demo`; it passes the project's password validators.
DEMO_PASSWORD = "Demo#2026dj"
#: The demo's committee admin: later producers name them as having handled what they record (ctx.users[…]).
ADMIN_USERNAME = "admin"
#: Label of the demo logins' count on the summary line.
ACCOUNTS_LABEL = "演示账号"

ERR_USERNAME_TAKEN = "用户名 {names} 已被占用，无法创建演示账号；请换一个空数据库后再载入演示数据"
ERR_FUTURE_TODAY = "演示数据的基准日期不能晚于今天"


class DemoSeedError(Exception):
    """The demo cannot be loaded into this database (the message is for the user, in Chinese)."""


@dataclass
class DemoContext:
    """Passed to every demo producer: the reference day, the set's random stream, what earlier producers made."""

    seed: int
    today: date
    rng: random.Random
    #: what earlier producers made, keyed "<app>.<what>" (each app offers accessors for its own)
    made: dict[str, Any] = field(default_factory=dict)
    #: username → the demo login (ADMIN_USERNAME handles the demo's history)
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class DemoSummary:
    """What of the demo set the database holds now; each app's summary function adds its part."""

    present: bool = False  # the set is loaded (the app making its root says so): nothing is written again
    title: str = ""  # the set's name
    counts: dict[str, int] = field(default_factory=dict)  # label (党支部, 在册党员 …) → number
    usernames: list[str] = field(default_factory=list)  # the demo logins, in the order the summary lists them


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # the role's label, e.g. 支部书记
    org: str


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False: the demo was already there and nothing was written
    title: str
    password: str
    accounts: list[DemoAccount]
    counts: dict[str, int]


# --- The registries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Registered:
    name: str  # module.function
    order: int
    func: Callable


_producers: dict[str, _Registered] = {}
_summaries: dict[str, _Registered] = {}


def _register(registry: dict[str, _Registered], order: int):
    def register(func):
        name = f"{func.__module__}.{func.__qualname__}"
        registry[name] = _Registered(name=name, order=order, func=func)
        return func

    return register


def demo_producer(*, order: int):
    """Register a function(ctx: DemoContext) that writes its part of the set, after those with a lower `order`."""
    return _register(_producers, order)


def demo_summary(*, order: int):
    """Register a function(summary: DemoSummary) that adds what of the set the database holds now."""
    return _register(_summaries, order)


def _in_order(registry: dict[str, _Registered]) -> list[_Registered]:
    autodiscover_modules("demo")
    return sorted(registry.values(), key=lambda r: (r.order, r.name))


def demo_producers() -> list[_Registered]:
    """Every registered demo producer (after importing each installed app's `demo` module), in run order."""
    return _in_order(_producers)


# --- Running it --------------------------------------------------------------------------------------------


def demo_seed(*, seed: int = 2026, today: date | None = None) -> DemoResult:
    """Load data set S unless it is there already (then only report the accounts).

    `today` anchors every relative date (terms expiring, probation); it must not lie after the real date,
    since the roster refuses dates in the future.
    """
    today = today or clock.today()
    if today > clock.today():
        raise DemoSeedError(ERR_FUTURE_TODAY)
    summary = _summary()
    created = not summary.present
    if created:
        taken = list(User.objects.filter(username__in=summary.usernames).values_list("username", flat=True))
        if taken:
            raise DemoSeedError(ERR_USERNAME_TAKEN.format(names="、".join(sorted(taken))))
        ctx = DemoContext(seed=seed, today=today, rng=random.Random(seed))
        with transaction.atomic(), disable_auditlog():
            for producer in demo_producers():
                producer.func(ctx)
        summary = _summary()
    return DemoResult(
        created=created,
        title=summary.title,
        password=DEMO_PASSWORD,
        accounts=demo_accounts(summary.usernames),
        counts=summary.counts,
    )


def _summary() -> DemoSummary:
    summary = DemoSummary()
    for registered in _in_order(_summaries):
        registered.func(summary)
    summary.counts[ACCOUNTS_LABEL] = User.objects.filter(username__in=summary.usernames).count()
    return summary


def demo_accounts(usernames: list[str]) -> list[DemoAccount]:
    """The demo logins as they are in the database now (in the given order), one row per active grant."""
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    grants = RoleGrant.objects.active().filter(user__in=users.values()).select_related("org", "user")
    by_user: dict[str, list[RoleGrant]] = {}
    for grant in grants.order_by("org__path", "role"):
        by_user.setdefault(grant.user.username, []).append(grant)
    return [
        DemoAccount(username=name, full_name=users[name].full_name, role=g.get_role_display(), org=g.org.name)
        for name in usernames
        if name in users
        for g in by_user.get(name, [])
    ]
