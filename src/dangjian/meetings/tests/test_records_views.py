"""The records' pages: list (filters, counts, query count), export, plan, record, attendance, review."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.meetings.choices import Activity, MeetingStatus, Presence, ReviewState
from dangjian.meetings.filters import ERR_DATE_ORDER, ERR_DATE_RANGE
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import (
    ERR_GROUP_MEETING,
    ERR_HELD_IN_FUTURE,
    Mark,
    record_meeting,
    set_attendance,
)

from .factories import at, meeting_of, submitted_meeting

pytestmark = pytest.mark.django_db
LIST = reverse("meetings:list")


def listed(client, query="") -> list[str]:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [row.record.topic for row in response.context["table"].page.object_list]


def test_the_list_shows_each_meeting_once_with_its_attendance_rate(world, client_for, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, topic="三月主题党日")
    set_attendance(by=world.secretary_a, meeting=meeting, member_id=world.member_a.pk, mark=Mark("present"))
    client = client_for(world.secretary_a)
    assert listed(client) == ["三月主题党日"]
    page = client.get(LIST).content.decode()
    assert "1/2（50%）" in page
    # A member invited sees the meeting through own_records; the list is for those with VIEW.
    assert client_for(world.member_user_a).get(LIST).status_code == 404


def test_list_filters(world, client_for, clock):
    meeting_of(world.branch_a, world.secretary_a, topic="主题党日A", days_ago=3, held=True)
    late = meeting_of(world.branch_a, world.secretary_a, topic="补录的会", days_ago=20, activities=[Activity.LECTURE])
    record_meeting(by=world.secretary_a, meeting=late, minutes="补记")
    meeting_of(world.group_a, world.secretary_a, topic="小组会", days_ago=-5, activities=[Activity.GROUP])
    meeting_of(world.branch_b, world.secretary_b, topic="财务处会议", days_ago=2)
    client = client_for(world.admin)
    assert set(listed(client)) == {"主题党日A", "补录的会", "小组会", "财务处会议"}
    assert listed(client, "?q=党日") == ["主题党日A"]
    assert set(listed(client, f"?org={world.branch_a.pk}")) == {"主题党日A", "补录的会", "小组会"}
    assert listed(client, f"?org={world.group_a.pk}") == ["小组会"]
    assert listed(client, "?activity=lecture") == ["补录的会"]
    assert listed(client, "?status=planned&org=" + str(world.branch_a.pk)) == ["小组会"]
    assert listed(client, "?backfilled=yes") == ["补录的会"]
    assert "补录的会" not in listed(client, "?backfilled=no")
    assert set(listed(client, "?review_state=draft")) == {"主题党日A", "补录的会"}
    since = (late.starts_at + timedelta(days=1)).date().isoformat()
    assert "补录的会" not in listed(client, f"?date_from={since}")
    assert listed(client, f"?date_to={since}") == ["补录的会"]
    day = late.starts_at.date().isoformat()
    assert listed(client, f"?date_from={day}&date_to={day}") == ["补录的会"]
    # Bounds: a date out of range or a reversed range is reported, not applied.
    response = client.get(LIST + "?date_from=0001-01-01")
    assert ERR_DATE_RANGE in response.content.decode()
    response = client.get(LIST + "?date_from=2026-02-01&date_to=2026-01-01")
    assert ERR_DATE_ORDER in response.content.decode()
    assert client.get(LIST + "?per_page=100000").context["table"].paginator.per_page == 25
    for junk in ("?per_page=-1", "?page=abc", "?sort=no_such_column", "?org=abc", "?org=999999", "?q=" + "长" * 60):
        assert client.get(LIST + junk).status_code == 200, junk
    # Sorted by date, oldest first on request.
    assert listed(client, "?sort=starts_at")[0] == "补录的会"
    # Secretary B sees branch B's meeting only, and cannot filter into branch A.
    assert listed(client_for(world.secretary_b)) == ["财务处会议"]
    assert listed(client_for(world.secretary_b), f"?org={world.branch_a.pk}") == ["财务处会议"]


def test_the_list_reads_a_fixed_number_of_queries(world, client_for, clock, django_assert_max_num_queries):
    client = client_for(world.secretary_a)
    meeting_of(world.branch_a, world.secretary_a, held=True)
    client.get(LIST)
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    for n in range(29):
        meeting_of(world.branch_a, world.secretary_a, days_ago=n + 2, activities=[Activity.THEME_DAY, Activity.LECTURE])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST + "?per_page=50")
    assert response.context["table"].paginator.count == 30


def test_export_is_the_filtered_list(world, client_for, clock):
    meeting_of(world.branch_a, world.secretary_a, topic="导出的会", held=True)
    meeting_of(world.branch_a, world.secretary_a, topic="不导出的会", days_ago=-3)
    response = client_for(world.secretary_a).post(reverse("meetings:export") + "?status=held")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][3] == "主题" and [r[3] for r in rows[1:]] == ["导出的会"]
    assert rows[1][10:13] == [2, 0, "0%"] or rows[1][10:13] == [2.0, 0.0, "0%"]


def create_data(day, **extra):
    return {
        "activities": [Activity.THEME_DAY],
        "topic": "学习新党章",
        "starts_at": at(day).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": at(day, 16).strftime("%Y-%m-%dT%H:%M"),
        "place": "三楼会议室",
        "host": "",
        "recorder": "",
        "lecturer": "",
    } | extra


def test_create_plans_or_records_and_refuses_the_future_as_held(world, client_for, clock):
    client = client_for(world.secretary_a)
    url = reverse("meetings:create") + f"?org={world.branch_a.pk}"
    page = client.get(url).content.decode()
    assert 'value="group"' not in page and world.member_a.name in page and world.member_b.name not in page
    tomorrow = clock.today() + timedelta(days=1)
    response = client.post(url, create_data(tomorrow, held="on"))
    assert response.status_code == 400 and ERR_HELD_IN_FUTURE in response.content.decode()
    assert not Meeting.objects.unrestricted().exists()
    response = client.post(url, create_data(tomorrow, host=world.member_a2.pk))
    meeting = Meeting.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert (meeting.status, meeting.host) == (MeetingStatus.PLANNED, world.member_a2)
    # Not started yet: no offer to record it as held.
    assert 'data-testid="record-link"' not in client.get(response["Location"]).content.decode()
    yesterday = clock.today() - timedelta(days=1)
    response = client.post(url, create_data(yesterday, held="on", topic="昨天的会"))
    assert Meeting.objects.unrestricted().get(topic="昨天的会").status == MeetingStatus.HELD


def test_only_a_party_group_holds_a_group_meeting(world, client_for, clock):
    client = client_for(world.secretary_a)
    day = clock.today() + timedelta(days=3)
    response = client.post(
        reverse("meetings:create") + f"?org={world.branch_a.pk}", create_data(day, activities=[Activity.GROUP])
    )
    assert response.status_code == 400 and not Meeting.objects.unrestricted().exists()
    group_url = reverse("meetings:create") + f"?org={world.group_a.pk}"
    assert 'value="group"' in client.get(group_url).content.decode()
    client.post(group_url, create_data(day, activities=[Activity.GROUP]))
    meeting = Meeting.objects.unrestricted().get()
    assert list(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member", flat=True)) == [
        world.member_a.pk
    ]
    assert ERR_GROUP_MEETING  # the service's message, tested in test_create_meeting


def test_create_asks_for_the_org_first(world, client_for):
    page = client_for(world.admin).get(reverse("meetings:create")).content.decode()
    assert 'data-testid="org-pick"' in page and world.branch_b.name in page
    response = client_for(world.secretary_b).get(reverse("meetings:create"))
    assert response.status_code == 302 and response["Location"].endswith(f"?org={world.branch_b.pk}")


def test_record_page_with_attendance(world, client_for, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, days_ago=9)
    client = client_for(world.secretary_a)
    url = reverse("meetings:record", args=[meeting.pk])
    assert client.get(url).status_code == 200
    a, a2 = world.member_a.pk, world.member_a2.pk
    data = {
        "version": meeting.version,
        "minutes": "<script>x</script>第一段\n\n第二段",
        "resolutions": "",
        f"presence_{a}": "present",
        f"presence_{a2}": "absent",
        f"reason_{a2}": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "缺席须选择原因" in response.content.decode()
    assert Meeting.objects.unrestricted().get(pk=meeting.pk).status == MeetingStatus.PLANNED
    response = client.post(url, data | {f"reason_{a2}": "sick", f"presence_{world.member_b.pk}": "present"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.backfilled
    assert dict(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member", "presence")) == {
        a: Presence.PRESENT,
        a2: Presence.ABSENT,
    }
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;第一段</p>" in page
    assert "<p>第二段</p>" in page and 'data-testid="backfilled"' in page and "1/2（50%）" in page
    assert 'data-testid="backfilled"' in client.get(LIST).content.decode()


def test_a_meeting_ahead_cannot_be_recorded_as_held(world, client_for, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, days_ago=-1)
    data = {"version": meeting.version, "minutes": "提前写好", f"presence_{world.member_a.pk}": "present"}
    data[f"presence_{world.member_a2.pk}"] = "present"
    response = client_for(world.secretary_a).post(reverse("meetings:record", args=[meeting.pk]), data)
    assert response.status_code == 400 and ERR_HELD_IN_FUTURE in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (MeetingStatus.PLANNED, "")


def test_stale_record_form_is_refused(world, client_for, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, days_ago=-3)
    client = client_for(world.secretary_a)
    day = clock.today() + timedelta(days=3)
    url = reverse("meetings:edit", args=[meeting.pk])
    old = create_data(day, topic="第一次修改", version=meeting.version)
    assert client.post(url, old).status_code == 302
    response = client.post(url, old | {"topic": "第二次修改"})
    assert response.status_code == 400 and "保存失败" in response.content.decode()
    assert Meeting.objects.unrestricted().get(pk=meeting.pk).topic == "第一次修改"


def test_attendance_by_htmx(world, client_for, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, held=True)
    client = client_for(world.secretary_a)
    url = reverse("meetings:attendance", args=[meeting.pk])
    response = client.post(url, {"member": world.member_a.pk, "presence": "present"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="attendance"' in response.content.decode()
    assert Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a).presence == Presence.PRESENT
    response = client.post(url, {"member": world.member_b.pk, "presence": "present"}, HTTP_HX_REQUEST="true")
    assert "不在本次会议的应到人员中" in response.content.decode()
    assert not Attendance.objects.unrestricted().filter(member=world.member_b).exists()
    member = client_for(world.member_user_a)
    assert member.post(url, {"member": world.member_a.pk, "presence": "present"}).status_code == 404


def test_review_pages(world, client_for, clock):
    meeting = submitted_meeting(world.branch_a, world.secretary_a)
    url = reverse("meetings:review", args=[meeting.pk])
    assert client_for(world.secretary_a).get(url).status_code == 404
    detail = reverse("meetings:detail", args=[meeting.pk])
    assert 'data-testid="review-link"' not in client_for(world.secretary_a).get(detail).content.decode()
    admin = client_for(world.admin)
    assert 'data-testid="review-link"' in admin.get(detail).content.decode()
    response = admin.post(url, {"decision": "return", "comment": "", "version": meeting.version})
    assert response.status_code == 400 and "退回时请填写" in response.content.decode()
    response = admin.post(url, {"decision": "return", "comment": "请补充决议", "version": meeting.version})
    assert response.status_code == 302
    assert Meeting.objects.unrestricted().get(pk=meeting.pk).review_state == ReviewState.RETURNED
    # The test client is one: each client_for logs another persona in.
    secretary = client_for(world.secretary_a)
    page = secretary.get(detail).content.decode()
    assert "请补充决议" in page and 'data-testid="submit-review"' in page
    assert "退回补充" in secretary.get(LIST).content.decode()
    assert secretary.post(reverse("meetings:submit", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    client_for(world.admin).post(url, {"decision": "pass", "comment": "", "version": meeting.version})
    assert Meeting.objects.unrestricted().get(pk=meeting.pk).review_state == ReviewState.PASSED
    page = client_for(world.secretary_a).get(detail).content.decode()
    assert 'href="/meetings/' + str(meeting.pk) + '/edit/"' not in page and "已通过" in page
