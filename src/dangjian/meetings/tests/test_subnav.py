"""The module's tabs: every page of 组织生活 reachable from the others, only the tabs a user may open."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TABS = {"会议记录": "meetings:list", "落实情况": "meetings:compliance", "提醒名单": "meetings:flags"}


def tabs_of(page: str) -> str:
    return page.split('data-testid="meetings-subnav"')[1].split("</nav>")[0]


def test_a_secretary_has_every_tab_and_the_current_one_marked(world, client_for):
    page = client_for(world.secretary_a).get(reverse("meetings:calendar")).content.decode()
    nav = tabs_of(page)
    for label, name in {**TABS, "会议日历": "meetings:calendar", "谈心谈话": "meetings:talk_list"}.items():
        assert label in nav and reverse(name) in nav
    assert 'aria-current="page">会议日历' in nav


def test_a_member_sees_only_the_calendar_and_talks(world, client_for):
    nav = tabs_of(client_for(world.member_user_a).get(reverse("meetings:talk_list")).content.decode())
    assert "会议日历" in nav and "谈心谈话" in nav
    assert not any(label in nav for label in TABS)
