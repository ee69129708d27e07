"""The flags page: scoped, filtered by kind and org, the six-month list with the last attended meeting."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dangjian.meetings.choices import AbsenceReason, Presence
from dangjian.meetings.flags import absence_window, refresh_flags
from dangjian.meetings.models import Flag

from .helpers import local, mark, meeting

pytestmark = pytest.mark.django_db


def test_the_six_month_list_shows_last_attendance_and_reasons(world, clock, client_for):
    first, _ = absence_window(clock.today())
    long_ago = meeting(world, on=local(first - timedelta(days=20)), held=True)
    mark(long_ago, world.member_a)
    inside = meeting(world, on=local(first + timedelta(days=35)), held=True)
    mark(inside, world.member_a, Presence.ABSENT, AbsenceReason.BUSINESS)
    refresh_flags()
    url = reverse("meetings:flags")
    page = client_for(world.secretary_a).get(url, {"kind": "absent_six_months"}).content.decode()
    assert "王小明" in page and "张宏伟" in page and "李秀英" not in page
    assert "期间缺席：公差1次" in page
    assert f"{(first - timedelta(days=20)).year}年" in page
    page = client_for(world.admin).get(url, {"org": world.branch_b.pk}).content.decode()
    assert "李秀英" in page and "王小明" not in page


def test_the_refresh_button_recomputes_for_committee_staff_once_in_a_while(world, clock, client_for):
    url = reverse("meetings:flags_refresh")
    assert "立即重新计算" not in client_for(world.secretary_a).get(reverse("meetings:flags")).content.decode()
    assert client_for(world.secretary_a).post(url).status_code == 404
    assert not Flag.objects.unrestricted().exists()
    client = client_for(world.admin)
    assert "立即重新计算" in client.get(reverse("meetings:flags")).content.decode()
    assert client.post(url).status_code == 302
    assert "王小明" in client.get(reverse("meetings:flags")).content.decode()
    computed = set(Flag.objects.unrestricted().values_list("computed_at", flat=True))
    response = client.post(url, follow=True)
    assert "分钟内不再重复计算" in response.content.decode()
    assert set(Flag.objects.unrestricted().values_list("computed_at", flat=True)) == computed


def test_a_member_has_no_flags_page(world, clock, client_for):
    assert client_for(world.member_user_a).get(reverse("meetings:flags")).status_code == 404
