"""The calendar: one month of the user's meetings, scoped, with a bounded ?month=."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings.calendar import ERR_MONTH, MONTH_RANGE_YEARS, parse_month
from dangjian.meetings.flags import month_start
from dangjian.meetings.models import Meeting

from .helpers import local, meeting

pytestmark = pytest.mark.django_db


def test_parse_month_is_bounded(clock):
    today = clock.today()
    this_month = month_start(today)
    assert parse_month(f"{today.year - 1}-03", today) == (this_month.replace(year=today.year - 1, month=3), "")
    message = ERR_MONTH.format(years=MONTH_RANGE_YEARS)
    for bad in ("2026-13", "abc", "9999-01", "2026-00", "1-1", "2026-03-01", "２０２６-03"):
        assert parse_month(bad, today) == (this_month, message), bad
    assert parse_month("", today) == (this_month, "")


def test_the_month_shows_planned_held_and_cancelled_meetings_of_the_scope(world, clock, client_for):
    today = clock.set(clock.today())  # 10:00: the meetings of the 1st at 8:00 have begun, whenever the suite runs
    first = month_start(today)
    meeting(world, on=local(first, 8), held=True, topic="月初已召开")
    cancelled = meeting(world, on=local(first, 9), topic="取消的会")
    Meeting.objects.unrestricted().filter(pk=cancelled.pk).update(status="cancelled")
    meeting(world, on=timezone.now() + timedelta(hours=1), topic="计划中")
    meeting(world, org=world.branch_b, on=local(first, 8), held=True, topic="财务处的会")
    url = reverse("meetings:calendar")
    page = client_for(world.secretary_a).get(url).content.decode()
    for topic in ("月初已召开", "取消的会"):
        assert topic in page
    assert 'data-status="cancelled"' in page and 'data-status="held"' in page
    assert "财务处的会" not in page
    page = client_for(world.admin).get(url, {"org": world.branch_b.pk, "month": f"{today:%Y-%m}"}).content.decode()
    assert "财务处的会" in page and "月初已召开" not in page
    # Another month: none of these.
    other = month_start(today, 2)
    page = client_for(world.admin).get(url, {"month": f"{other:%Y-%m}"}).content.decode()
    assert "月初已召开" not in page and f"{other.year}年{other.month}月" in page


def test_a_member_sees_the_meetings_they_are_invited_to(world, clock, client_for):
    first = month_start(clock.set(clock.today()))  # 10:00: the meetings of the 1st at 8:00 have begun
    meeting(world, on=local(first, 8), held=True, topic="支部主题党日")
    meeting(world, on=local(first, 8), held=True, topic="支委会", activities=["committee"])  # member_a2's seat only
    page = client_for(world.member_user_a).get(reverse("meetings:calendar")).content.decode()
    assert "支部主题党日" in page and "支委会" not in page


def test_a_bad_month_is_a_chinese_message_not_an_error(world, clock, client_for):
    response = client_for(world.secretary_a).get(reverse("meetings:calendar"), {"month": "2026-99"})
    assert response.status_code == 200
    assert ERR_MONTH.format(years=MONTH_RANGE_YEARS) in response.content.decode()


def test_another_branchs_org_is_404(world, clock, client_for):
    client = client_for(world.secretary_b)
    assert client.get(reverse("meetings:calendar"), {"org": world.branch_a.pk}).status_code == 404
    assert client.get(reverse("meetings:calendar"), {"org": "x1"}).status_code == 404
