"""Every URL of the project, as every persona: in-scope objects answer, out-of-scope ones are 404 (never 403,
so existence does not leak), refused POSTs change nothing, and no page shows what is outside the user's scope.

A new URL pattern without an entry in CASES fails test_every_url_pattern_has_a_scope_case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.models import Job
from dangjian.core.services import token_create
from dangjian.members.importer.jobs import IMPORT_KIND

PERSONAS = ["admin", "secretary_a", "committee_member_a", "member_user_a", "secretary_b", "inspector"]
VIEWERS = {"admin", "secretary_a", "committee_member_a", "secretary_b", "inspector"}
A_SIDE = {"admin", "secretary_a", "committee_member_a", "member_user_a", "inspector"}

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


def job_of(user, output: str = "") -> Job:
    job = Job.objects.create(kind="test", title="导出花名册", created_by=user, status=Job.Status.SUCCEEDED)
    if output:
        job.output_file.save(output, ContentFile(b"xlsx"), save=True)
        job.result = {"filename": output}
        job.save()
    return job


def import_job_of(user) -> Job:
    """A finished, clean preview: the one state that may be confirmed."""
    return Job.objects.create(
        kind=IMPORT_KIND,
        title="花名册导入预检",
        created_by=user,
        status=Job.Status.SUCCEEDED,
        params={"dry_run": True, "org_id": None, "update": False},
        result={"ok": True, "total_rows": 0, "mapping": [], "missing_columns": [], "preview": [], "errors": []},
    )


#: Tables a refused request may still write: the session it saves on every request.
UNTRACKED_TABLES = {"django_session"}


def database_rows() -> dict[str, list[str]]:
    """Every row of every table (but UNTRACKED_TABLES), to tell whether a request changed anything at all."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table not in UNTRACKED_TABLES:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def obj(attr, query=""):
    return lambda w: ([getattr(w, attr).pk], query)


CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
MANAGE_A = {"admin", "secretary_a"}

CASES: dict[str, Case] = {
    "login": Case(a_ok=set(PERSONAS), ok_status=302, post=False),  # signed-in users are sent home
    "logout": Case(a_ok=set(PERSONAS), get=False, post=False),
    "password_change": Case(a_ok=set(PERSONAS), post=False),
    "password_change_done": Case(a_ok=set(PERSONAS), post=False),
    "core:home": Case(a_ok=set(PERSONAS), post=False),
    "core:scope_switch": Case(a_ok=set(PERSONAS), get=False, post=False),  # tested in test_views_shell
    "core:audit": Case(a_ok={"admin"}),
    "core:grants": Case(a_ok={"admin"}),
    "core:grant_revoke": Case(
        a_ok={"admin"},
        b_ok={"admin"},
        a=lambda w: ([w.secretary_a.grants[0].pk], ""),
        b=lambda w: ([w.secretary_b.grants[0].pk], ""),
        get=False,
    ),
    # Two-step login is off in these tests: the code page sends everyone on (test_second_factor.py has it on).
    "core:second_factor": Case(a_ok=set(PERSONAS), ok_status=302, post=False),
    "core:second_factor_reset": Case(a_ok={"admin"}, a=lambda w: ([w.secretary_a.pk], ""), get=False),
    # A job and its file belong to whoever started it (secretary A here), whatever their roles.
    "core:job_detail": Case(a_ok={"secretary_a"}, a=lambda w: ([job_of(w.secretary_a).pk], ""), post=False),
    "core:job_download": Case(
        a_ok={"secretary_a"}, a=lambda w: ([job_of(w.secretary_a, "out.xlsx").pk], ""), post=False
    ),
    # API tokens: every user with a grant has their own; only the owner sees or revokes one.
    "core:tokens": Case(a_ok=set(PERSONAS), post=False),
    "core:token_revoke": Case(
        a_ok={"secretary_a"}, a=lambda w: ([token_create(acting_user=w.secretary_a, name="集成")[0].pk], ""), get=False
    ),
    "orgs:tree": Case(a_ok=VIEWERS, post=False),
    "orgs:create": Case(
        a_ok=MANAGE_A,
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([], f"?parent={w.branch_a.pk}"),
        b=lambda w: ([], f"?parent={w.branch_b.pk}"),
    ),
    "orgs:detail": Case(
        a_ok=A_SIDE, b_ok={"admin", "secretary_b", "inspector"}, a=obj("branch_a"), b=obj("branch_b"), post=False
    ),
    "orgs:edit": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("branch_a"), b=obj("branch_b")),
    # Moving or dissolving needs the right over the parent: a group of A (secretary A may), branch B (only admin).
    "orgs:move": Case(a_ok=MANAGE_A, b_ok={"admin"}, a=obj("group_a"), b=obj("branch_b")),
    "orgs:dissolve": Case(a_ok=MANAGE_A, b_ok={"admin"}, a=obj("group_a"), b=obj("branch_b")),
    "orgs:term_create": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("branch_a"), b=obj("branch_b")),
    "orgs:seat_add": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("term_a"), b=obj("term_b")),
    "orgs:seat_end": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("seat_a"), b=obj("seat_b")),
    "members:list": Case(a_ok=VIEWERS, post=False),
    "members:export": Case(a_ok=VIEWERS, get=False),  # POST only: starts a job over the user's own scope
    "members:template": Case(a_ok=VIEWERS, post=False),
    "members:stats": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "members:stats_recount": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=obj("branch_a"),
        b=obj("branch_b"),
        get=False,
    ),
    "members:stats_export": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=lambda w: ([], f"?table=all&org={w.branch_a.pk}"),  # every table: a superset of each alone
        b=lambda w: ([], f"?table=all&org={w.branch_b.pk}"),
        post=False,
    ),
    "members:import": Case(a_ok={"admin", "secretary_a", "committee_member_a", "secretary_b"}),
    # An import job (preview or run) belongs to whoever uploaded the file.
    "members:import_job": Case(a_ok={"secretary_a"}, a=lambda w: ([import_job_of(w.secretary_a).pk], ""), post=False),
    "members:import_confirm": Case(
        a_ok={"secretary_a"}, a=lambda w: ([import_job_of(w.secretary_a).pk], ""), get=False
    ),
    "members:create": Case(a_ok={"admin", "secretary_a", "committee_member_a", "secretary_b"}),
    "members:detail": Case(
        a_ok=A_SIDE, b_ok={"admin", "secretary_b", "inspector"}, a=obj("member_a"), b=obj("member_b"), post=False
    ),
    "members:edit": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:status": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:transfer_out": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:transfer_in": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:move": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
}

#: Namespaces served only to superusers by Django itself (everyone else is redirected to its login).
SUPERUSER_NAMESPACES = {"admin"}
#: Namespaces walked by their own test, with a bearer token instead of a session (test_api_scope_every_url.py).
TOKEN_NAMESPACES = {"api"}


def all_url_names(resolver=None, namespace="") -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


def test_every_url_pattern_has_a_scope_case():
    names = {n for n in all_url_names() if n.split(":")[0] not in SUPERUSER_NAMESPACES | TOKEN_NAMESPACES}
    assert names - set(CASES) == set(), "URL patterns without a scope case in CASES"
    assert set(CASES) - names == set(), "CASES for URLs that no longer exist"


def _check_page(response, persona):
    if response.streaming:
        return  # a file download: its owner is checked by the status code
    text = response.content.decode()
    for hidden in HIDDEN.get(persona, []):
        assert hidden not in text, f"{persona} sees {hidden!r} on {response.request['PATH_INFO']}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_url_scope(name, persona, world, client_for):
    case = CASES[name]
    client = client_for(world.personas()[persona])
    for side, allowed in (("a", case.a_ok), ("b", case.b_ok)):
        target = getattr(case, side)
        if target is None:
            continue
        args, query = target(world)
        url = reverse(name, args=args) + query
        if case.get:
            response = client.get(url)
            expected = case.ok_status if persona in allowed else 404
            assert response.status_code == expected, f"GET {url} as {persona}"
            if response.status_code == 200:
                _check_page(response, persona)
        if case.post and persona not in allowed:
            before = database_rows()
            response = client.post(url, {})
            assert response.status_code == 404, f"POST {url} as {persona}"
            assert database_rows() == before, f"refused POST {url} as {persona} changed data"


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_superusers_only(persona, world, client_for):
    response = client_for(world.personas()[persona]).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]
