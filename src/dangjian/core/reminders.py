"""待办 (reminders): a registry that every module adds producers to; the home page lists them per user.

A producer is `func(user) -> Iterable[Reminder]`; it must scope itself with visible_to(user) and run a
constant number of queries whatever the size of the user's scope.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

LEVELS = {"danger": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Reminder:
    level: str  # danger | warning | info (Bootstrap contextual colours)
    title: str
    detail: str = ""
    url: str = ""
    source: str = ""  # which rule raised it, e.g. "支部条例第五条"


Producer = Callable[..., Iterable[Reminder]]
_producers: list[Producer] = []


def reminder_producer(func: Producer) -> Producer:
    """Decorator: register a producer (at import time, from the app's ready())."""
    if func not in _producers:
        _producers.append(func)
    return func


def reminders_for(user) -> list[Reminder]:
    items = [reminder for producer in _producers for reminder in producer(user)]
    return sorted(items, key=lambda r: (LEVELS.get(r.level, 9), r.title))
