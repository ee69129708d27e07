"""A scoped queryset that nobody restricted cannot reach a view: reading it while a request is served raises."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path

from dangjian.core.middleware import ScopeGuardMiddleware
from dangjian.core.scope import UnrestrictedQuerySetError
from dangjian.members.models import Member
from dangjian.orgs.models import CommitteeSeat

pytestmark = pytest.mark.django_db


def serve(view, path: str = "/members/"):
    """Run `view` as ScopeGuardMiddleware serves a request (as every view of the site is)."""
    return ScopeGuardMiddleware(lambda request: HttpResponse(view(request)))(RequestFactory().get(path))


def test_scope_is_enforced_in_the_tests(settings):
    assert settings.SCOPE_ENFORCE


@pytest.mark.parametrize(
    "read",
    [
        lambda qs: list(qs),
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: list(qs.iterator()),
        lambda qs: list(qs.values_list("name", flat=True)),
    ],
    ids=["list", "count", "exists", "first", "iterator", "values_list"],
)
def test_an_unrestricted_queryset_read_in_a_view_raises(world, read):
    with pytest.raises(UnrestrictedQuerySetError):
        serve(lambda request: read(Member.objects.filter(org=world.branch_a)))


def test_a_restricted_queryset_reads_and_keeps_its_mark_through_filters(world):
    response = serve(lambda request: Member.objects.visible_to(world.secretary_a).filter(name="王小明").count())
    assert response.content == b"1"


def test_a_related_list_goes_through_restrict_too(world):
    with pytest.raises(UnrestrictedQuerySetError):
        serve(lambda request: list(world.member_a2.committee_seats.all()))
    for user, seen in ((world.secretary_a, b"1"), (world.secretary_b, b"0")):
        seats = CommitteeSeat.objects.visible_to(user).filter(member=world.member_a2)
        assert serve(lambda request, seats=seats: seats.count()).content == seen


def test_unrestricted_on_purpose_reads_in_a_view(world):
    assert serve(lambda request: Member.objects.unrestricted().count()).content == b"3"


def test_outside_a_request_nothing_is_checked(world):
    """Services, tasks and commands run with the caller's authority; the views are what is guarded."""
    assert Member.objects.count() == 3


def test_off_when_not_enforced(world, settings):
    settings.SCOPE_ENFORCE = False
    assert serve(lambda request: Member.objects.count()).content == b"3"


def test_the_admin_is_not_guarded(world):
    """Only superusers reach the Django admin, and they see every row anyway."""
    assert serve(lambda request: Member.objects.count(), path="/django-admin/").content == b"3"


def _leaky_view(request):
    return HttpResponse(", ".join(m.name for m in Member.objects.all()))  # forgot visible_to(request.user)


urlpatterns = [path("leaky/", _leaky_view), path("", include("dangjian.urls"))]


@pytest.mark.urls(__name__)
def test_a_page_that_forgets_the_scope_fails_its_test(world, client_for):
    """Through the site's whole middleware stack, as every view test of the suite runs its page."""
    with pytest.raises(UnrestrictedQuerySetError):
        client_for(world.secretary_a).get("/leaky/")
