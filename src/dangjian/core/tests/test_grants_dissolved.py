"""Role grants and dissolved (撤销) orgs: a grant on a dissolved org gives no access, and none can be made."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Capability, Role
from dangjian.core.services import ERR_GRANT_DISSOLVED, grant_create
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_dissolve
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dissolved(world) -> Organization:
    """An empty branch under the 党总支, dissolved through the service."""
    branch = OrgFactory(name="临时党支部", code="T", parent=world.general)
    return org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))


def test_a_grant_on_an_org_dissolved_since_gives_no_access(world, client_for):
    branch = OrgFactory(name="临时党支部", code="T", parent=world.general)
    user = UserFactory(username="temp_secretary")
    RoleGrant.objects.create(user=user, role=Role.SECRETARY, org=branch)
    assert User.objects.get(pk=user.pk).can(Capability.VIEW, branch.path)  # the control: before the dissolution
    org_dissolve(acting_user=world.admin, org=branch, dissolved_on=date(2026, 1, 1))

    user = User.objects.get(pk=user.pk)  # as the next request loads them
    assert not user.can(Capability.VIEW) and not user.can(Capability.CHANGE, branch.path)
    assert not Organization.objects.visible_to(user).exists()
    assert not Member.objects.visible_to(user).exists()
    client = client_for(user)
    assert client.get(reverse("orgs:detail", args=[branch.pk])).status_code == 404
    assert client.get(reverse("orgs:tree")).status_code == 404
    assert client.get(reverse("members:list")).status_code == 404
    assert client.get(reverse("members:create")).status_code == 404


def test_granting_on_a_dissolved_org_is_refused(world, dissolved):
    with pytest.raises(ValidationError) as refused:
        grant_create(acting_user=world.admin, username="x1", full_name="某某", role=Role.SECRETARY, org=dissolved)
    assert refused.value.message_dict == {"org": [ERR_GRANT_DISSOLVED]}
    assert not RoleGrant.objects.filter(org=dissolved).exists()
    assert not User.objects.filter(username="x1").exists()


def test_the_grant_page_does_not_offer_a_dissolved_org(world, client_for, dissolved):
    client = client_for(world.admin)
    page = client.get(reverse("core:grants"))
    assert dissolved not in page.context["form"].fields["org"].queryset
    response = client.post(
        reverse("core:grants"), {"username": "x1", "full_name": "某某", "role": Role.SECRETARY, "org": dissolved.pk}
    )
    assert response.status_code == 200  # the form again, with its error
    assert not RoleGrant.objects.filter(org=dissolved).exists()
