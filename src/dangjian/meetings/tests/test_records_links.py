"""With meetings in every state, every link the records' pages show can be followed by every persona, and no page
shows another branch's people."""

import pytest

from dangjian.core.tests.scope_walk import HIDDEN
from dangjian.core.tests.test_links_followable import crawl
from dangjian.meetings.services import REVIEW_RETURN, cancel_meeting, review_meeting

from .factories import meeting_of, submitted_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(world, clock):
    planned = meeting_of(world.branch_a, world.secretary_a, days_ago=-2, recorder=world.member_a)
    meeting_of(world.branch_a, world.secretary_a, days_ago=10, held=True)
    meeting_of(world.group_a, world.secretary_a, activities=["group"])
    returned = submitted_meeting(world.branch_a, world.secretary_a)
    review_meeting(by=world.admin, meeting=returned, decision=REVIEW_RETURN, comment="补充")
    submitted_meeting(world.branch_b, world.secretary_b)
    cancel_meeting(by=world.secretary_b, meeting=meeting_of(world.branch_b, world.secretary_b, days_ago=-1))
    return planned


@pytest.mark.parametrize("persona", ["committee_member_a", "secretary_a", "secretary_b", "inspector", "admin"])
def test_every_link_of_the_records_can_be_followed(world, meetings, client_for, persona):
    client = client_for(world.personas()[persona])
    visited, bad = crawl(client, "/meetings/")
    assert bad == []
    assert sum("/meetings/" in url for url in visited) > 3
    for url in visited:
        response = client.get(url)
        if url.startswith("/meetings/") and not response.streaming:  # pages, not the Word downloads
            text = response.content.decode()
            for hidden in HIDDEN.get(persona, []):
                assert hidden not in text, f"{persona} sees {hidden} on {url}"


def test_an_invited_member_follows_the_links_of_their_meeting(world, meetings, client_for):
    client = client_for(world.member_user_a)
    visited, bad = crawl(client, f"/meetings/{meetings.pk}/")
    assert bad == [] and f"/meetings/{meetings.pk}/" in visited
