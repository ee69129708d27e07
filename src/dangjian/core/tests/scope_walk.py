"""What the every-URL walks (test_scope_every_url.py, test_api_scope_every_url.py) share: the personas, what each
must never see, how one URL behaves, and the cases each app keeps beside its own tests.

Each app lists its URLs in `<app>/tests/scope_cases.py` (`CASES` for pages, `API_CASES` for its API); the walks
collect them from every installed app, so a new module adds its cases without touching core.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

PERSONAS = ["admin", "secretary_a", "committee_member_a", "member_user_a", "secretary_b", "inspector"]
VIEWERS = {"admin", "secretary_a", "committee_member_a", "secretary_b", "inspector"}
A_SIDE = {"admin", "secretary_a", "committee_member_a", "member_user_a", "inspector"}
B_SIDE = {"admin", "secretary_b", "inspector"}
CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
MANAGE_A = {"admin", "secretary_a"}

#: Names that must never appear on a page served to the persona (people and orgs outside their scope).
HIDDEN = {
    "secretary_a": ["李秀英", "财务处党支部"],
    "committee_member_a": ["李秀英", "财务处党支部"],
    "member_user_a": ["李秀英", "财务处党支部"],
    "secretary_b": ["王小明", "张宏伟", "办公室党支部", "第一党小组"],
}


@dataclass
class Case:
    """How one URL behaves. `a`/`b`: (args, query) for an object in branch A's / branch B's subtree; the sets
    say which personas get through for each; everyone else must get 404."""

    a_ok: set[str]
    b_ok: set[str] = field(default_factory=set)
    a: Callable = lambda w: ([], "")
    b: Callable | None = None
    get: bool = True  # GET answers (False: POST-only action)
    post: bool = True  # a refused POST must be 404 and change nothing
    ok_status: int = 200


@dataclass
class ApiCase:
    """`a`/`b`: (args, query) for an object in branch A's / branch B's subtree; the sets say which personas get
    200 for each, everyone else 404. `public`: answers 200 to anyone, token or not (index, schema, docs)."""

    a_ok: set[str] = field(default_factory=set)
    b_ok: set[str] = field(default_factory=set)
    a: Callable = lambda w: ([], "")
    b: Callable | None = None
    public: bool = False
    #: "patch" (or "post"): a write, sent with the JSON `body(world, args)` (which names the version it is made
    #: from); the personas in a_ok/b_ok get `ok_status`, everyone else 404 (or their status in `refused`, e.g. 422
    #: for one who sees the meeting but is not invited) with every table as it was.
    method: str = "get"
    body: Callable | None = None
    ok_status: int = 200
    refused: dict[str, int] = field(default_factory=dict)
    #: A read whose URL also takes a POST (a list and its create, each with its own case): no 405 expected.
    also_post: bool = False


def obj(attr, query=""):
    return lambda w: ([getattr(w, attr).pk], query)


def everything(query: str = "") -> Callable:
    """A list with every row on one page (out-of-scope names would show)."""
    return lambda w: ([], f"?page_size=100{query}")


def app_cases(name: str) -> dict:
    """`name` ("CASES" or "API_CASES") of every installed app's tests/scope_cases.py, merged."""
    merged: dict = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "tests"):
            continue
        tests = import_module(f"{config.name}.tests")
        if not module_has_submodule(tests, "scope_cases"):
            continue
        cases = getattr(import_module(f"{config.name}.tests.scope_cases"), name, {})
        assert not set(cases) & set(merged), f"{config.name} repeats scope cases: {set(cases) & set(merged)}"
        merged |= cases
    return merged
