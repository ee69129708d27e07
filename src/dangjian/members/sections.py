"""Other modules' sections on a member's page (members:detail): an app's `member_sections.py`
(MembersConfig.extension_modules) registers `func(user, member) -> Section | None`, asked for every page view.

A section is a small card: a title, lines of text, and actions (links, or POST buttons) — the development module
shows a 预备党员's 预备期 and its 转正 procedure, and opens a 处置 case. Each function scopes itself (the user may
see the member, not necessarily the module's rows) and runs a constant number of queries."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    post: bool = False  # a POST button (with the page's CSRF token) instead of a link
    confirm: str = ""  # asked before a POST
    testid: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    level: str = ""  # "" | warning | danger: the card's border
    testid: str = ""
    order: int = 100


SectionFunction = Callable[..., Section | None]
_sections: list[SectionFunction] = []


def member_section(func: SectionFunction) -> SectionFunction:
    """Decorator: register a section producer (at import time, from the app's member_sections.py)."""
    if func not in _sections:
        _sections.append(func)
    return func


def sections_for(user, member) -> list[Section]:
    found = [section for func in _sections if (section := func(user, member)) is not None]
    return sorted(found, key=lambda s: s.order)
