"""The home page's workbench: the secretary's and the admin's panel, the member's, the reminders from the flags; each
in a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings.choices import MeetingStatus, Presence, ReviewState
from dangjian.meetings.flags import refresh_flags
from dangjian.meetings.models import Attendance, Flag, Meeting
from dangjian.meetings.reminders import ABSENT_ORGS_MAX, PER_KIND_MAX, meeting_flag_reminders
from dangjian.meetings.signin import open_for
from dangjian.meetings.workbench_home import member_panel_context, workbench
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.tests.factories import OrgFactory

from .helpers import mark, meeting

pytestmark = pytest.mark.django_db


def topics(rows) -> list[str]:
    return [row.meeting.topic for row in rows]


def test_the_secretarys_workbench(world, clock):
    now = timezone.now()
    meeting(world, on=now + timedelta(days=3), topic="下周主题党日")
    meeting(world, on=now + timedelta(days=9), topic="下下周")
    meeting(world, on=now - timedelta(days=2), topic="已过时间未登记")
    held = meeting(world, on=now - timedelta(days=4), held=True, topic="已召开未提交")
    back = meeting(world, on=now - timedelta(days=5), held=True, topic="被退回的")
    Meeting.objects.unrestricted().filter(pk=back.pk).update(review_state=ReviewState.RETURNED)
    meeting(world, org=world.branch_b, on=now + timedelta(days=1), topic="财务处会议")
    board = workbench(world.secretary_a)
    assert topics(board["next"]) == ["下周主题党日"]
    assert topics(board["to_finish"]) == ["已召开未提交", "已过时间未登记"]  # oldest first
    assert topics(board["returned"]) == ["被退回的"]
    assert board["counts"] == {"upcoming": 1, "to_finish": 2, "returned": 1, "planned": 3}
    assert held.pk in [row.meeting.pk for row in board["to_finish"]]
    # The committee admin: the same, rolled up over the subtree.
    assert "财务处会议" in topics(workbench(world.admin)["next"])
    assert workbench(world.secretary_b)["counts"]["to_finish"] == 0


def test_the_workbench_reads_in_constant_queries(world, clock, django_assert_max_num_queries):
    now = timezone.now()
    workbench(world.admin)  # the user's grants, cached on the user
    with django_assert_max_num_queries(4):
        workbench(world.admin)
    for i in range(8):
        org = OrgFactory(name=f"支部{i}", code=f"Q{i}", parent=world.committee)
        MemberFactory(org=org)
        meeting(world, org=org, on=now + timedelta(days=1), topic=f"会{i}")
        meeting(world, org=org, on=now - timedelta(days=3), topic=f"旧{i}")
    with django_assert_max_num_queries(4):
        board = workbench(world.admin)
    assert board["counts"]["upcoming"] == 8 and len(board["next"]) == 5


def test_the_member_panel_next_meetings_signin_and_attendance_this_year(world, clock):
    now = timezone.now()
    meeting(world, on=now + timedelta(days=2), topic="后天的会")
    soon = meeting(world, on=now + timedelta(minutes=10), topic="马上开始")
    earlier = meeting(world, on=now - timedelta(hours=2), held=True, topic="今天早些时候")
    mark(earlier, world.member_a)
    absent = meeting(world, on=now - timedelta(hours=1, minutes=30), held=True, topic="缺席的")
    mark(absent, world.member_a, Presence.ABSENT)
    meeting(world, org=world.branch_b, on=now + timedelta(minutes=5), topic="别人的会")
    user = world.member_user_a
    assert [m.pk for m in open_for(user)] == [soon.pk]
    Attendance.objects.unrestricted().filter(meeting=soon, member=world.member_a).update(signed_in_at=now)
    assert list(open_for(user)) == []
    context = member_panel_context(user, world.member_a)
    assert topics(context["next"]) == ["马上开始", "后天的会"]
    assert (context["invited"], context["attended"], context["rate"]) == (2, 1, 50)


def test_the_member_panel_reads_in_constant_queries(world, clock, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(6):
        meeting(world, on=now + timedelta(days=i + 1), topic=f"会{i}")
        meeting(world, on=now + timedelta(minutes=i), topic=f"签到{i}")
    member_panel_context(world.member_user_a, world.member_a)
    with django_assert_max_num_queries(3):
        context = member_panel_context(world.member_user_a, world.member_a)
    assert len(context["signins"]) == 5 and len(context["next"]) == 5


def test_the_home_page_shows_the_panels(world, clock, client_for):
    meeting(world, on=timezone.now() + timedelta(days=1), topic="明天的主题党日")
    page = client_for(world.secretary_a).get(reverse("core:home")).content.decode()
    assert "组织生活工作台" in page and "明天的主题党日" in page
    page = client_for(world.member_user_a).get(reverse("core:home")).content.decode()
    assert "我的组织生活" in page and "明天的主题党日" in page and "组织生活工作台" not in page
    page = client_for(world.secretary_b).get(reverse("core:home")).content.decode()
    assert "明天的主题党日" not in page


def test_reminders_from_the_flags_are_scoped_and_grouped(world, clock):
    now = timezone.now()
    overdue = meeting(world, on=now - timedelta(days=3), topic="逾期的会")
    refresh_flags()
    titles = [r.title for r in meeting_flag_reminders(world.secretary_a)]
    assert any("逾期的会" in t for t in titles)
    assert "办公室党支部：2名党员连续6个月未参加组织生活，请核实" in titles
    assert not any("财务处" in t for t in titles)
    assert not any("逾期的会" in r.title for r in meeting_flag_reminders(world.secretary_b))
    assert meeting_flag_reminders(world.member_user_a) == []
    # Recorded since the night's run: the reminder goes at once.
    Meeting.objects.unrestricted().filter(pk=overdue.pk).update(status=MeetingStatus.HELD)
    assert not any("逾期的会" in r.title for r in meeting_flag_reminders(world.secretary_a))


def test_reminders_read_in_constant_queries_and_summarise_big_scopes(world, clock, django_assert_max_num_queries):
    now = timezone.now()
    refresh_flags()
    meeting_flag_reminders(world.admin)
    with django_assert_max_num_queries(3):
        meeting_flag_reminders(world.admin)
    for i in range(max(PER_KIND_MAX, ABSENT_ORGS_MAX) + 1):
        org = OrgFactory(name=f"支部{i}", code=f"Q{i}", parent=world.committee)
        MemberFactory(org=org)
        meeting(world, org=org, on=now - timedelta(days=3), topic=f"逾期{i}")
    refresh_flags()
    with django_assert_max_num_queries(3):
        reminders = meeting_flag_reminders(world.admin)
    overdue = Flag.objects.unrestricted().filter(kind=Flag.Kind.OVERDUE).count()
    titles = [r.title for r in reminders]
    assert f"组织生活提醒：会议逾期未召开共{overdue}项" in titles
    absent = Flag.objects.unrestricted().filter(kind=Flag.Kind.ABSENT_SIX_MONTHS).count()
    assert f"共{absent}名党员连续6个月未参加组织生活，请核实" in titles
    assert len(reminders) <= 2 + PER_KIND_MAX * len(Flag.Kind)
