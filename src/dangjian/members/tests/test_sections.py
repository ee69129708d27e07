"""Other modules' sections on a member's page (members.sections)."""

import pytest
from django.urls import reverse

from dangjian.members import sections
from dangjian.members.sections import Action, Section, member_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(sections, "_sections", [])

    @member_section
    def probation(user, member):
        if member.name != "王小明":
            return None
        return Section("预备期", [f"{member.name}的预备期"], [Action("办理转正", "/x/", post=True)], testid="s")

    return probation


def test_a_registered_section_shows_on_the_members_page_it_answers_for(client, world, registered):
    client.force_login(world.admin)
    page = client.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert 'data-testid="s"' in page and "王小明的预备期" in page and 'action="/x/"' in page
    other = client.get(reverse("members:detail", args=[world.member_a2.pk])).content.decode()
    assert 'data-testid="s"' not in other
