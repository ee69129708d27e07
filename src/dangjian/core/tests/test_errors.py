"""With DEBUG on (the demo), the Chinese error pages rather than Django's English technical ones, unless
DEBUG_TECHNICAL_ERRORS; production (DEBUG off) renders the same pages through Django itself."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.core import views as core_views

pytestmark = pytest.mark.django_db

TECHNICAL = "DEBUG = True"


@pytest.fixture
def demo_debug(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_ERRORS = False
    return settings


def test_an_unknown_address_is_the_chinese_404(demo_debug, world, client_for):
    response = client_for(world.member_user_a).get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="not-found"' in page and "页面不存在" in page and TECHNICAL not in page


def test_a_missing_slash_still_redirects(demo_debug, world, client_for):
    response = client_for(world.secretary_a).get("/members")
    assert (response.status_code, response["Location"]) == (301, "/members/")


def test_a_page_outside_the_scope_is_the_chinese_404(demo_debug, world, client_for):
    response = client_for(world.secretary_a).get(reverse("members:detail", args=[world.member_b.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and TECHNICAL not in page and "李秀英" not in page


def test_a_refusal_is_the_chinese_403_and_an_error_the_500(demo_debug, world, client_for, monkeypatch):
    client = client_for(world.secretary_a)

    def refuse(user):
        raise PermissionDenied("您无权查看待办提醒")

    monkeypatch.setattr(core_views, "reminders_for", refuse)
    response = client.get(reverse("core:home"))
    assert response.status_code == 403
    assert "您无权查看待办提醒" in response.content.decode()

    def fail(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_views, "reminders_for", fail)
    client.raise_request_exception = False
    response = client.get(reverse("core:home"))
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode() and "boom" not in response.content.decode()


def test_technical_pages_when_asked_for(demo_debug, world, client_for):
    demo_debug.DEBUG_TECHNICAL_ERRORS = True
    response = client_for(world.secretary_a).get("/no-such-page/")
    assert response.status_code == 404 and TECHNICAL in response.content.decode()
