"""组织生活会: criticism items per person, 整改 items with owner and deadline (overdue in red); such meetings only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dangjian.core.concurrency import StaleEdit
from dangjian.core.validators import future_message
from dangjian.meetings import parts
from dangjian.meetings.choices import Activity, CriticismKind
from dangjian.meetings.models import LifeMeetingItem, Rectification

from .parts_world import held_meeting, parts_of

pytestmark = pytest.mark.django_db


def test_add_edit_delete_a_criticism_item(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    client = client_for(world.secretary_a)
    url = reverse("meetings:life_item_create", args=[meeting.pk])
    form = client.get(url).content.decode()
    assert "王小明" in form and "李秀英" not in form
    response = client.post(url, {"member": world.member_a.pk, "kind": CriticismKind.OTHERS, "content": "工作方法简单"})
    assert response.status_code == 302
    item = LifeMeetingItem.objects.unrestricted().get()
    assert (item.member, item.kind) == (world.member_a, CriticismKind.OTHERS)
    response = client.post(
        reverse("meetings:life_item_edit", args=[item.pk]),
        {"member": world.member_a.pk, "kind": CriticismKind.SELF, "content": "改正"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.content) == (CriticismKind.SELF, "改正")
    assert client.post(reverse("meetings:life_item_delete", args=[item.pk])).status_code == 302
    assert not LifeMeetingItem.objects.unrestricted().exists()


def test_a_member_of_another_org_is_refused(world):
    meeting = held_meeting(world, world.branch_a)
    with pytest.raises(Exception) as error:
        parts.life_item_save(by=world.admin, meeting=meeting, member=world.member_b, kind="self", content="x")
    assert parts.ERR_NOT_MEMBER.format(name="李秀英") in str(error.value)
    assert not LifeMeetingItem.objects.unrestricted().exists()


def test_pages_exist_only_for_a_life_meeting(world, client_for):
    meeting = held_meeting(world, world.branch_a, activities=[Activity.THEME_DAY], topic="主题党日")
    client = client_for(world.secretary_a)
    assert client.get(reverse("meetings:life_item_create", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:rectification_create", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:appraisal", args=[meeting.pk])).status_code == 404
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="rectifications"' not in page and 'id="appraisal"' not in page


def test_rectification_with_owner_and_deadline_overdue_shown_in_red(world, client_for, clock):
    meeting = held_meeting(world, world.branch_a, days_ago=40)
    client = client_for(world.secretary_a)
    today = clock.today()
    response = client.post(
        reverse("meetings:rectification_create", args=[meeting.pk]),
        {"content": "建立学习台账", "owner": world.member_a2.pk, "deadline": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 302
    late = Rectification.objects.unrestricted().get()
    Rectification.objects.create(meeting=meeting, content="按时完成", owner=world.member_a, deadline=today)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert page.count("已逾期") == 1
    assert 'class="table-danger"' in page
    # Done: no longer overdue.
    response = client.post(
        reverse("meetings:rectification_edit", args=[late.pk]),
        {
            "content": late.content,
            "owner": world.member_a2.pk,
            "deadline": late.deadline.isoformat(),
            "done_on": today.isoformat(),
            "version": late.version,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "已逾期" not in page


def test_rectification_refusals_write_nothing(world, client_for, tomorrow):
    rect = parts_of(world, "a")["rectification"]
    client = client_for(world.secretary_a)
    data = {
        "content": "改",
        "owner": world.member_a2.pk,
        "deadline": rect.deadline.isoformat(),
        "done_on": tomorrow.isoformat(),
        "version": rect.version,
    }
    response = client.post(reverse("meetings:rectification_edit", args=[rect.pk]), data)
    assert response.status_code == 400
    assert future_message() in response.content.decode()
    # The owner must be a member of the org (a B member is not even offered).
    response = client.post(
        reverse("meetings:rectification_edit", args=[rect.pk]), data | {"done_on": "", "owner": world.member_b.pk}
    )
    assert response.status_code == 400
    rect.refresh_from_db()
    assert rect.content == "加强理论学习" and rect.done_on is None


def test_rectification_stale_edit_is_refused(world):
    rect = parts_of(world, "a")["rectification"]
    old = rect.version
    parts.rectification_save(
        by=world.admin, meeting=rect.meeting, content="甲", owner=rect.owner, deadline=rect.deadline, item=rect
    )
    with pytest.raises(StaleEdit):
        parts.rectification_save(
            by=world.admin,
            meeting=rect.meeting,
            content="乙",
            owner=rect.owner,
            deadline=rect.deadline,
            item=rect,
            version=old,
        )
    rect.refresh_from_db()
    assert rect.content == "甲"


def test_detail_sections_read_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    meeting = parts_of(world, "a")["meeting"]
    parts.meeting_parts(fetched_by=world.secretary_a, meeting=meeting)  # warm the user's grants

    def count():
        with django_assert_max_num_queries(8):
            result = parts.meeting_parts(fetched_by=world.secretary_a, meeting=meeting)
        return result

    count()
    for n in range(5):
        LifeMeetingItem.objects.create(meeting=meeting, member=world.member_a, kind="self", content=f"第{n}条")
        Rectification.objects.create(meeting=meeting, content=f"{n}", owner=world.member_a, deadline=meeting.starts_at)
    result = count()
    assert len(result.life_items) == 6 and len(result.rectifications) == 6


def test_a_rectification_cannot_be_done_before_the_meeting(world):
    rect = parts_of(world, "a")["rectification"]
    meeting = rect.meeting
    before = meeting.starts_at.date() - timedelta(days=3)
    with pytest.raises(Exception) as error:
        parts.rectification_save(
            by=world.admin,
            meeting=meeting,
            content="x",
            owner=rect.owner,
            deadline=rect.deadline,
            done_on=before,
            item=rect,
        )
    assert parts.ERR_DONE_BEFORE in str(error.value)
    rect.refresh_from_db()
    assert rect.done_on is None


def test_an_overlong_item_is_refused_on_the_server_and_nothing_written(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    url = reverse("meetings:life_item_create", args=[meeting.pk])
    data = {"member": world.member_a.pk, "kind": CriticismKind.SELF, "content": "长" * 5001}
    page = client_for(world.secretary_a).post(url, data).content.decode()
    assert "5000" in page
    assert not LifeMeetingItem.objects.unrestricted().exists()
