"""Every URL of the project, as every persona: in-scope objects answer, out-of-scope ones are 404 (never 403,
so existence does not leak), refused POSTs change nothing, and no page shows what is outside the user's scope.

A new URL pattern without a case (in its app's tests/scope_cases.py) fails test_every_url_pattern_has_a_scope_case.
"""

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.tests.scope_walk import HIDDEN, PERSONAS, Case, app_cases

#: Every app's page cases (its tests/scope_cases.py).
CASES: dict[str, Case] = app_cases("CASES")

#: Namespaces served only to superusers by Django itself (everyone else is redirected to its login).
SUPERUSER_NAMESPACES = {"admin"}
#: Namespaces walked by their own test, with a bearer token instead of a session (test_api_scope_every_url.py).
TOKEN_NAMESPACES = {"api"}


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
