"""Every URL of the REST API (namespace "api"), with a bearer token of every persona: in-scope objects answer,
out-of-scope ones are JSON 404 (never 403), lists never name what is outside the token user's scope, and without a
token every operation is a JSON 401. test_scope_every_url.py leaves the "api" namespace to this file.

A new API URL without a case (in its app's tests/scope_cases.py, API_CASES) fails test_every_api_url_has_a_scope_case.
"""

import json

import pytest
from django.urls import reverse

from dangjian.core.models import ApiToken
from dangjian.core.services import token_create
from dangjian.core.tests.scope_walk import HIDDEN, PERSONAS, ApiCase, app_cases
from dangjian.core.tests.test_scope_every_url import all_url_names, database_rows

#: Every app's API cases (its tests/scope_cases.py).
API_CASES: dict[str, ApiCase] = app_cases("API_CASES")


def api_url_names() -> set[str]:
    return {name for name in all_url_names() if name.split(":")[0] == "api"}


def test_every_api_url_has_a_scope_case():
    assert api_url_names() - set(API_CASES) == set(), "API URLs without a scope case in API_CASES"
    assert set(API_CASES) - api_url_names() == set(), "API_CASES for URLs that no longer exist"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(acting_user=user, name='scope walk')[1]}"}


def targets(case: ApiCase, world):
    for target, allowed in ((case.a, case.a_ok), (case.b, case.b_ok)):
        if target is not None:
            yield target(world), allowed


def _check_body(response, persona, url):
    if response["Content-Type"].startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    else:
        text = response.content.decode()
    for hidden in HIDDEN.get(persona, []):
        assert hidden not in text, f"{persona}'s token sees {hidden!r} on {url}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(API_CASES))
def test_api_url_scope(name, persona, world, client):
    case = API_CASES[name]
    headers = bearer(world.personas()[persona])
    for (args, query), allowed in targets(case, world):
        url = reverse(name, args=args) + query
        if case.method in {"patch", "post"}:
            send = getattr(client, case.method)
            _check_write(case, persona, allowed, send, url, case.body(world, args), headers)
            continue
        response = client.get(url, **headers)
        expected = 200 if case.public or persona in allowed else 404
        assert response.status_code == expected, f"GET {url} as {persona}'s token"
        if expected == 404:
            assert response.json()["code"] == "not_found"
        _check_body(response, persona, url)
        if not case.public and not case.also_post:
            # Read-only API: other methods are refused before anything runs, whoever asks.
            assert client.post(url, {}, **headers).status_code == 405


def rows_but_tokens() -> dict[str, list[str]]:
    """database_rows() without the tokens' table: a token's first use records its time (core.api.TokenAuth)."""
    return {table: rows for table, rows in database_rows().items() if table != ApiToken._meta.db_table}


def _check_write(case: ApiCase, persona, allowed, send, url, body, headers):
    before = rows_but_tokens()
    response = send(url, json.dumps(body), content_type="application/json", **headers)
    expected = case.ok_status if persona in allowed else case.refused.get(persona, 404)
    method = case.method.upper()
    assert response.status_code == expected, f"{method} {url} as {persona}'s token: {response.content.decode()}"
    if expected == 404:
        assert response.json()["code"] == "not_found"
    if persona not in allowed:
        assert rows_but_tokens() == before, f"a refused {method} {url} as {persona} changed rows"
    _check_body(response, persona, url)


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("name", sorted(API_CASES))
def test_api_url_without_a_token(name, signed_in, world, client):
    """No token is JSON 401, never the login page's 302; a signed-in session does not stand in for a token."""
    case = API_CASES[name]
    if signed_in:
        client.force_login(world.admin)
    for (args, query), _allowed in targets(case, world):
        url = reverse(name, args=args) + query
        if case.method in {"patch", "post"}:
            send = getattr(client, case.method)
            response = send(url, json.dumps(case.body(world, args)), content_type="application/json")
        else:
            response = client.get(url)
        if case.public:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 401, url
            assert response.json() == {"code": "unauthorized", "message": "缺少或无效的访问令牌"}
