"""Choosing the invitees by hand: when planning, when editing a planned meeting, through the API; each refusal has a
Chinese message and writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings.choices import Activity, Presence
from dangjian.meetings.forms import INVITEE_PICK_MAX
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import (
    ERR_INVITEE_NOT_IN_ORG,
    ERR_INVITEES_HELD,
    ERR_NO_INVITEE,
    ERR_REMOVE_PRESENT,
    Mark,
    create_meeting,
    set_attendance,
    update_meeting,
)
from dangjian.members.tests.factories import MemberFactory

from .factories import at, meeting_of
from .test_records_views import create_data

pytestmark = pytest.mark.django_db


def invited(meeting) -> set[int]:
    return set(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member_id", flat=True))


def plan(world, clock, **kwargs):
    day = clock.today() + timedelta(days=2)
    values = {
        "org": world.branch_a,
        "activities": [Activity.THEME_DAY],
        "topic": "学习党章",
        "starts_at": at(day),
        "ends_at": at(day, 16),
    }
    return create_meeting(by=world.secretary_a, **(values | kwargs))


def edit(world, meeting, **kwargs):
    values = {
        "activities": [Activity.THEME_DAY],
        "topic": meeting.topic,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
    }
    return update_meeting(by=world.secretary_a, meeting=meeting, version=meeting.version, **(values | kwargs))


def test_chosen_invitees_replace_the_default_with_each_members_branch(world, clock):
    meeting = plan(world, clock, invitees=[world.member_a2.pk])
    assert invited(meeting) == {world.member_a2.pk}
    row = Attendance.objects.unrestricted().get(meeting=meeting)
    assert (row.org_id, row.presence) == (world.branch_a.pk, Presence.UNKNOWN)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (lambda w: [], ERR_NO_INVITEE),
        (lambda w: [w.member_a.pk, w.member_b.pk], ERR_INVITEE_NOT_IN_ORG.format(count=1)),
        (lambda w: [w.member_a.pk, 2**31 - 1], ERR_INVITEE_NOT_IN_ORG.format(count=1)),
    ],
)
def test_invitees_outside_the_org_or_none_are_refused_and_nothing_is_written(world, clock, who, message):
    with pytest.raises(ValidationError) as error:
        plan(world, clock, invitees=who(world))
    assert error.value.message_dict["invitees"] == [message]
    assert not Meeting.objects.unrestricted().exists() and not Attendance.objects.unrestricted().exists()


def test_a_planned_meetings_invitees_change_and_a_present_one_stays(world, clock):
    started = timezone.now() - timedelta(minutes=30)  # begun: someone may be ticked present
    meeting = plan(world, clock, starts_at=started, ends_at=started + timedelta(hours=2))
    assert invited(meeting) == {world.member_a.pk, world.member_a2.pk}
    meeting = edit(world, meeting, invitees=[world.member_a.pk])
    assert invited(meeting) == {world.member_a.pk}
    meeting = edit(world, meeting, invitees=[world.member_a.pk, world.member_a2.pk], topic="改了主题")
    assert invited(meeting) == {world.member_a.pk, world.member_a2.pk}
    # Signed in (ticked present): a fact about the meeting, not removed by a change of plan; nothing else changes.
    set_attendance(by=world.secretary_a, meeting=meeting, member_id=world.member_a2.pk, mark=Mark("present"))
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        edit(world, meeting, invitees=[world.member_a.pk], topic="不会保存")
    assert error.value.message_dict["invitees"] == [ERR_REMOVE_PRESENT.format(names=world.member_a2.name)]
    meeting.refresh_from_db()
    assert meeting.topic == "改了主题" and invited(meeting) == {world.member_a.pk, world.member_a2.pk}
    # None keeps them.
    assert invited(edit(world, meeting, invitees=None, topic="又改了")) == {world.member_a.pk, world.member_a2.pk}


def test_a_held_meetings_invitees_stay(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, held=True)
    with pytest.raises(ValidationError) as error:
        edit(world, meeting, invitees=[world.member_a.pk])
    assert error.value.message_dict["invitees"] == [ERR_INVITEES_HELD]
    assert world.member_a2.pk in invited(meeting)


def test_the_plan_page_offers_the_members_ticked_and_takes_a_choice(world, client_for, clock):
    client = client_for(world.secretary_a)
    url = reverse("meetings:create") + f"?org={world.branch_a.pk}"
    page = client.get(url).content.decode()
    assert "data-checklist" in page and "仅现任委员" in page  # branch A has a committee: its seats are a preset
    assert f'value="{world.member_a.pk}" checked' in page and world.member_b.name not in page
    day = clock.today() + timedelta(days=3)
    response = client.post(url, create_data(day, invitee_mode="custom", invitees=[world.member_b.pk]))
    assert response.status_code == 400 and not Meeting.objects.unrestricted().exists()
    response = client.post(url, create_data(day, invitee_mode="custom"))
    assert response.status_code == 400 and ERR_NO_INVITEE in response.content.decode()
    # Ticked boxes are ignored unless 自行选择 is chosen.
    client.post(url, create_data(day, topic="默认", invitee_mode="default", invitees=[world.member_a.pk]))
    assert invited(Meeting.objects.unrestricted().get(topic="默认")) == {world.member_a.pk, world.member_a2.pk}
    client.post(url, create_data(day, topic="自选", invitee_mode="custom", invitees=[world.member_a2.pk]))
    assert invited(Meeting.objects.unrestricted().get(topic="自选")) == {world.member_a2.pk}


def test_the_edit_page_keeps_or_changes_a_planned_meetings_invitees(world, client_for, clock):
    meeting = plan(world, clock)
    client = client_for(world.secretary_a)
    url = reverse("meetings:edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "保持不变（2 人）" in page
    day = clock.today() + timedelta(days=2)
    data = create_data(day, version=meeting.version)
    assert client.post(url, data | {"invitee_mode": "keep", "invitees": [world.member_a.pk]}).status_code == 302
    assert invited(meeting) == {world.member_a.pk, world.member_a2.pk}
    meeting.refresh_from_db()
    data = create_data(day, version=meeting.version, invitee_mode="custom", invitees=[world.member_a.pk])
    assert client.post(url, data).status_code == 302
    assert invited(meeting) == {world.member_a.pk}
    held = meeting_of(world.branch_a, world.secretary_a, held=True)
    assert "invitee_mode" not in client.get(reverse("meetings:edit", args=[held.pk])).content.decode()


def test_an_org_too_big_to_list_takes_the_default(world, client_for, clock, settings):
    MemberFactory.create_batch(INVITEE_PICK_MAX, org=world.branch_b)
    page = client_for(world.secretary_b).get(reverse("meetings:create") + f"?org={world.branch_b.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and "data-checklist" not in text and f"超过 {INVITEE_PICK_MAX} 人" in text
