"""Security headers: the Content-Security-Policy on every page, and no cache may keep a page, an API answer or a
download (they carry personal data); static files keep theirs. The browser side (no violation on any main page) is
tests/browser/test_csp_browser.py."""

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.urls import reverse

from dangjian.core.models import Job
from dangjian.core.services import token_create

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_carry_the_strict_policy(client_for, world):
    policy = client_for(world.admin).get(reverse("members:list"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no other origin
    assert directives["style-src"] == "'self'"
    assert "style-src-attr" not in directives
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


def test_login_page_and_api_docs_carry_it_too(client):
    for url in (reverse("login"), "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_only_the_statistics_page_allows_style_attributes_for_echarts(client_for, world):
    policy = client_for(world.admin).get(reverse("members:stats"))["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy  # its scripts stay as strict


def test_nonce_is_fresh_per_response_when_a_template_asks_for_one(rf, settings):
    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    policies = []
    for _ in range(2):
        request = rf.get("/")
        response = CSPMiddleware(view)(request)
        nonce = request.csp_nonce
        assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
        policies.append(response["Content-Security-Policy"])
    assert policies[0] != policies[1]


def test_personal_pages_are_not_stored(client_for, world):
    client = client_for(world.secretary_a)
    for url in (
        reverse("members:list"),
        reverse("members:detail", args=[world.member_a2.pk]),
        reverse("members:edit", args=[world.member_a2.pk]),
        reverse("members:stats"),
        reverse("core:home"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_export_download_is_not_stored(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:export"))
    job = Job.objects.get(created_by=world.secretary_a, status=Job.Status.SUCCEEDED)
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert no_store(response)


def test_api_answers_are_not_stored(client, world):
    key = token_create(acting_user=world.secretary_a, name="同步")[1]
    response = client.get(f"/api/v1/members/{world.member_a2.pk}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json()["name"] == "张宏伟"
    assert no_store(response)


def test_static_files_keep_their_caching(client):
    response = client.get("/static/js/dangjian.js")
    assert response.status_code == 200
    assert not no_store(response)
    assert "max-age" in response["Cache-Control"]
