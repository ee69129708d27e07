"""谈心谈话: list (scoped, filtered, paged), create/edit with the version, the yearly count."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dangjian.core.validators import future_message
from dangjian.meetings import parts
from dangjian.meetings.choices import TalkKind
from dangjian.meetings.models import Talk
from dangjian.members.tests.factories import MemberFactory

from .parts_world import parts_of

pytestmark = pytest.mark.django_db


def data(world, day, **extra):
    return {
        "talker": world.member_a2.pk,
        "talkee": world.member_a.pk,
        "held_on": day.isoformat(),
        "kind": TalkKind.REMINDER,
        "summary": "提醒按时交纳党费",
        **extra,
    }


def test_create_and_edit(world, client_for, clock):
    client = client_for(world.secretary_a)
    url = reverse("meetings:talk_create") + f"?org={world.branch_a.pk}"
    form = client.get(url).content.decode()
    assert "王小明" in form and "李秀英" not in form
    response = client.post(url, data(world, clock.today()))
    assert response.status_code == 302
    talk = Talk.objects.unrestricted().get()
    assert (talk.org, talk.talker, talk.kind, talk.recorded_by) == (
        world.branch_a,
        world.member_a2,
        TalkKind.REMINDER,
        world.secretary_a,
    )
    edit = reverse("meetings:talk_edit", args=[talk.pk])
    response = client.post(edit, data(world, clock.today(), kind=TalkKind.INTEGRITY, version=talk.version))
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.kind == TalkKind.INTEGRITY
    # A stale form is refused, and writes nothing.
    response = client.post(edit, data(world, clock.today(), summary="旧页面", version=talk.version - 1))
    assert response.status_code == 400
    assert "保存失败：在您打开此页面后" in response.content.decode()
    talk.refresh_from_db()
    assert talk.summary == "提醒按时交纳党费"


def test_refusals_write_nothing(world, client_for, tomorrow):
    client = client_for(world.secretary_a)
    url = reverse("meetings:talk_create") + f"?org={world.branch_a.pk}"
    response = client.post(url, data(world, tomorrow))
    assert response.status_code == 400
    assert future_message() in response.content.decode()
    today = tomorrow - timedelta(days=1)
    response = client.post(url, data(world, today, talkee=world.member_a2.pk))
    assert response.status_code == 400
    assert parts.ERR_SAME_PERSON in response.content.decode()
    response = client.post(url, data(world, today, talkee=world.member_b.pk))  # not offered: outside the scope
    assert response.status_code == 400
    assert not Talk.objects.unrestricted().exists()
    with pytest.raises(Exception) as error:  # the service refuses a future date too
        parts.talk_save(
            by=world.admin,
            org=world.branch_a,
            talker=world.member_a2,
            talkee=world.member_a,
            held_on=tomorrow,
            kind=TalkKind.HEART,
            summary="x",
        )
    assert future_message() in str(error.value)
    # Outside the scope: 404.
    other = reverse("meetings:talk_create") + f"?org={world.branch_b.pk}"
    assert client.post(other, data(world, today)).status_code == 404
    assert client.get(reverse("meetings:talk_create") + "?org=abc").status_code == 404
    assert not Talk.objects.unrestricted().exists()


def test_list_is_scoped_and_filtered(world, client_for):
    a, b = parts_of(world, "a")["talk"], parts_of(world, "b")["talk"]
    page = client_for(world.secretary_a).get(reverse("meetings:talk_list")).content.decode()
    assert "谈工作和思想" in page and "赵六" not in page
    page = client_for(world.admin).get(reverse("meetings:talk_list")).content.decode()
    assert "张宏伟" in page and "赵六" in page
    page = client_for(world.admin).get(reverse("meetings:talk_list"), {"org": world.branch_b.pk}).content.decode()
    assert "赵六" in page and "张宏伟" not in page
    page = client_for(world.admin).get(reverse("meetings:talk_list"), {"kind": TalkKind.INTEGRITY}).content.decode()
    assert "没有符合条件的谈话记录" in page
    year = a.held_on.year
    response = client_for(world.admin).get(reverse("meetings:talk_list"), {"year": year - 1})
    assert "没有符合条件的谈话记录" in response.content.decode()
    response = client_for(world.admin).get(reverse("meetings:talk_list"), {"year": 99999, "per_page": 100000})
    assert response.status_code == 200  # out of bounds: ignored
    assert response.context["per_page"] == 25
    # A plain member sees the talks they took part in.
    page = client_for(world.member_user_a).get(reverse("meetings:talk_list")).content.decode()
    assert "谈工作和思想" in page
    assert b.pk


def test_list_pages(world, client_for, clock, django_assert_max_num_queries):
    for n in range(30):
        Talk.objects.create(
            org=world.branch_a,
            talker=world.member_a2,
            talkee=world.member_a,
            held_on=clock.today() - timedelta(days=n),
            summary=f"第{n}次",
        )
    client = client_for(world.secretary_a)
    client.get(reverse("meetings:talk_list"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("meetings:talk_list"), {"org": world.branch_a.pk, "page": 2})
    assert "第 2 / 2 页，共 30 条" in response.content.decode()


def test_yearly_count(world, clock):
    year = clock.today().year
    extra = MemberFactory(name="孙八", org=world.branch_a)
    summary = parts.talk_year(fetched_by=world.secretary_a, org=world.branch_a, year=year)
    assert (summary.committee_size, summary.committee_talks) == (1, 0)
    assert summary.committee_silent == [world.member_a2]
    assert {m.pk for m in summary.not_talked} == {world.member_a.pk, world.member_a2.pk, extra.pk}
    parts.talk_save(
        by=world.admin,
        org=world.branch_a,
        talker=world.member_a2,
        talkee=world.member_a,
        held_on=clock.today(),
        kind=TalkKind.HEART,
        summary="谈心",
    )
    summary = parts.talk_year(fetched_by=world.secretary_a, org=world.branch_a, year=year)
    assert (summary.committee_talks, summary.committee_silent) == (1, [])
    assert [m.pk for m in summary.not_talked] == [extra.pk]
    # Last year's talks do not count this year.
    summary = parts.talk_year(fetched_by=world.secretary_a, org=world.branch_a, year=year + 1)
    assert summary.committee_talks == 0
