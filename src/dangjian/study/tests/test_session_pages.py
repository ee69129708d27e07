"""The 学习场次 pages: a new session through its form (accepted, counted once attendance is ticked; each refusal beside
its field with nothing written), counting a 党课 already held, the countable meetings, the list (filters, sort,
export, query count), a session's page, its edit (a stale version refused) and removal, and the scope (404)."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core import clock
from dangjian.meetings import services as meetings
from dangjian.meetings.choices import Activity
from dangjian.meetings.models import Meeting
from dangjian.meetings.tests.factories import meeting_of
from dangjian.members.tests.factories import MemberFactory
from dangjian.study import rules, services
from dangjian.study.choices import StudyKind
from dangjian.study.models import MemberYear, PlanItem, Session
from dangjian.study.session_forms import ERR_ENDS_AFTER, ERR_PLAN_YEAR, duration_hours
from dangjian.study.tests.study_world import session_of

pytestmark = pytest.mark.django_db


def hours_of(member, year: int) -> Decimal:
    row = MemberYear.objects.unrestricted().filter(member=member, year=year).first()
    return row.hours if row else Decimal(0)


def _create_url(org) -> str:
    return f"{reverse('study:session_create')}?org={org.pk}"


def _form(day, **changes) -> dict:
    data = {
        "kind": StudyKind.CONCENTRATED,
        "topic": "学习贯彻党的二十届四中全会精神",
        "starts_at": f"{day:%Y-%m-%d}T14:00",
        "ends_at": f"{day:%Y-%m-%d}T16:00",
        "place": "三楼会议室",
        "hours": "2",
        "speaker": "市委党校李教授",
        "held": "on",
        "invitee_mode": "all",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def _field_errors(response, field: str) -> list[str]:
    text = response.content.decode()
    return re.findall(rf'data-field="{field}">([^<]*)<', text)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ── a new session ────────────────────────────────────────────────────────────────────────────────────────────────
def test_a_session_made_on_the_page_counts_once_attendance_is_ticked(world, clock, client_for):
    client = client_for(world.secretary_a)
    day = clock.today() - timedelta(days=1)
    page = _text(client.get(_create_url(world.branch_a)))
    assert "本组织全体在册党员（2 人）" in page and "仅班子成员（现任委员 1 人）" in page
    response = client.post(_create_url(world.branch_a), _form(day, lead=world.member_a2.pk))
    session = Session.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("study:session", args=[session.pk])
    assert (session.kind, session.hours, session.speaker, session.lead) == (
        StudyKind.CONCENTRATED,
        Decimal(2),
        "市委党校李教授",
        world.member_a2,
    )
    assert session.held_on == day and session.meeting.status == "held"
    assert set(meetings.meeting_invitee_ids(session.meeting)) == {world.member_a.pk, world.member_a2.pk}
    assert hours_of(world.member_a, day.year) == 0  # invited is not attended
    ticked = client.post(
        reverse("meetings:attendance", args=[session.meeting_id]), {"member": world.member_a.pk, "presence": "present"}
    )
    assert ticked.status_code == 302
    assert hours_of(world.member_a, day.year) == 2
    assert hours_of(world.member_a2, day.year) == 0
    detail = _text(client.get(reverse("study:session", args=[session.pk])))
    assert "王小明" in detail and "张宏伟" in detail and "市委党校李教授" in detail
    credited = re.findall(r'data-testid="credited">([^<]*)<', detail)
    assert sorted(credited) == ["0", "2.0"]
    assert reverse("meetings:detail", args=[session.meeting_id]) in detail
    assert reverse("meetings:signin_qr", args=[session.meeting_id]) in detail
    assert "签到与出席登记、会议记录、学习材料在会议页面办理" in detail


def test_only_the_committee_may_be_invited(world, clock, client_for):
    client = client_for(world.secretary_a)
    day = clock.today() - timedelta(days=1)
    response = client.post(_create_url(world.branch_a), _form(day, invitee_mode="seats", kind=StudyKind.CENTRAL))
    assert response.status_code == 302
    session = Session.objects.unrestricted().get()
    assert meetings.meeting_invitee_ids(session.meeting) == [world.member_a2.pk]
    assert session.kind == StudyKind.CENTRAL


def test_a_planned_session_in_the_future_takes_chosen_invitees(world, clock, client_for):
    client = client_for(world.secretary_a)
    day = clock.today() + timedelta(days=7)
    data = _form(day, held=None, invitee_mode="custom", invitees=[world.member_a.pk])
    assert client.post(_create_url(world.branch_a), data).status_code == 302
    session = Session.objects.unrestricted().get()
    assert session.meeting.status == "planned"
    assert meetings.meeting_invitee_ids(session.meeting) == [world.member_a.pk]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours": "0"}, "hours", rules.ERR_HOURS_POSITIVE),
        ({"hours": "25"}, "hours", rules.ERR_HOURS_DAY),
        ({"hours": "1.25"}, "hours", rules.ERR_HOURS_STEP),
        ({"hours": "两小时"}, "hours", "请输入学时"),
        ({"hours": ""}, "hours", "请填写此项"),
        ({"ends_at": "{day}T13:00"}, "ends_at", ERR_ENDS_AFTER),
        ({"topic": ""}, "topic", "请填写此项"),
        ({"topic": "学" * 201}, "topic", "最多 200 个字"),
        ({"invitee_mode": "custom"}, "invitees", meetings.ERR_NO_INVITEE),
        ({"starts_at": "{tomorrow}T14:00", "ends_at": "{tomorrow}T16:00"}, "starts_at", meetings.ERR_HELD_IN_FUTURE),
    ],
)
def test_bad_input_is_refused_beside_its_field_with_nothing_written(world, clock, client_for, changes, field, message):
    day = clock.today() - timedelta(days=1)
    tomorrow = clock.today() + timedelta(days=1)
    values = {k: v.format(day=f"{day:%Y-%m-%d}", tomorrow=f"{tomorrow:%Y-%m-%d}") for k, v in changes.items()}
    response = client_for(world.secretary_a).post(_create_url(world.branch_a), _form(day, **values))
    assert response.status_code == 400
    assert any(message in error for error in _field_errors(response, field)), _field_errors(response, field)
    assert not Meeting.objects.unrestricted().exists()
    assert not Session.objects.unrestricted().exists()


def test_plan_items_of_the_org_and_its_ancestors_of_that_year(world, clock, client_for):
    day = clock.today() - timedelta(days=1)
    common = {"kind": StudyKind.LECTURE, "month": day.month, "audience": "全体党员", "planned_hours": 2}
    upper = PlanItem.objects.create(org=world.committee, year=day.year, topic="党纪学习教育", **common)
    next_year = clock.today().year + 1  # offered (this year's neighbours), never the year of yesterday's session
    other_year = PlanItem.objects.create(org=world.branch_a, year=next_year, topic="明年计划", **common)
    elsewhere = PlanItem.objects.create(org=world.branch_b, year=day.year, topic="财务处计划", **common)
    client = client_for(world.secretary_a)
    page = _text(client.get(_create_url(world.branch_a)))
    assert "党纪学习教育（测试机关党委）" in page and "明年计划" in page and "财务处计划" not in page
    refused = client.post(_create_url(world.branch_a), _form(day, plan_item=other_year.pk))
    assert refused.status_code == 400
    assert ERR_PLAN_YEAR.format(plan=next_year, year=day.year) in _field_errors(refused, "plan_item")
    assert client.post(_create_url(world.branch_a), _form(day, plan_item=elsewhere.pk)).status_code == 400
    assert not Session.objects.unrestricted().exists()
    assert client.post(_create_url(world.branch_a), _form(day, plan_item=upper.pk)).status_code == 302
    assert Session.objects.unrestricted().get().plan_item == upper


def test_the_org_is_chosen_first_defaulting_to_the_users_branch(world, clock, client_for):
    page = _text(client_for(world.secretary_a).get(reverse("study:session_create")))
    assert f'<option value="{world.branch_a.pk}" selected>' in page
    admin_page = _text(client_for(world.admin).get(reverse("study:session_create")))
    assert f'<option value="{world.committee.pk}" selected>' in admin_page


# ── counting a meeting already held ──────────────────────────────────────────────────────────────────────────────
def test_a_lecture_already_held_is_counted_through_the_page(world, clock, client_for):
    meeting = meeting_of(
        world.branch_a, world.secretary_a, held=True, activities=(Activity.LECTURE,), lecturer=world.member_a2
    )
    client = client_for(world.secretary_a)
    url = reverse("study:count_meeting", args=[meeting.pk])
    page = _text(client.get(url))
    assert 'name="hours" value="2"' in page and 'value="张宏伟"' in page
    assert '<option value="lecture" selected>' in page
    response = client.post(url, {"hours": "2", "kind": StudyKind.LECTURE, "speaker": "张宏伟"})
    session = Session.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("study:session", args=[session.pk])
    assert (session.meeting_id, session.kind, session.hours) == (meeting.pk, StudyKind.LECTURE, 2)
    meetings.set_attendance(
        by=world.secretary_a, meeting=meeting, member_id=world.member_a.pk, mark=meetings.Mark("present")
    )
    assert hours_of(world.member_a, session.held_on.year) == 2
    again = client.get(url)  # counted already: to the session, once
    assert again.status_code == 302 and again["Location"] == reverse("study:session", args=[session.pk])
    assert Session.objects.unrestricted().count() == 1


def test_counting_refuses_bad_hours_with_nothing_written(world, clock, client_for):
    meeting = meeting_of(world.branch_a, world.secretary_a, activities=(Activity.THEME_DAY,))
    response = client_for(world.secretary_a).post(
        reverse("study:count_meeting", args=[meeting.pk]), {"hours": "0", "kind": StudyKind.CONCENTRATED}
    )
    assert response.status_code == 400 and rules.ERR_HOURS_POSITIVE in _field_errors(response, "hours")
    assert not Session.objects.unrestricted().exists()


def test_a_committee_meeting_cannot_be_counted(world, clock, client_for):
    meeting = meeting_of(world.branch_a, world.secretary_a, activities=(Activity.COMMITTEE,))
    response = client_for(world.secretary_a).post(
        reverse("study:count_meeting", args=[meeting.pk]), {"hours": "2", "kind": StudyKind.CONCENTRATED}
    )
    assert response.status_code == 400 and services.ERR_NOT_COUNTABLE in response.content.decode()
    assert not Session.objects.unrestricted().exists()


@pytest.mark.parametrize(
    ("start", "end", "hours"), [(14, 16, "2"), ((14, 10), (15, 0), "1"), ((14, 0), (14, 10), "0.5")]
)
def test_duration_rounds_to_half_hours(start, end, hours):
    from dangjian.meetings.tests.factories import at  # noqa: PLC0415

    day = clock.today()
    s = at(day, start) if isinstance(start, int) else at(day, start[0]) + timedelta(minutes=start[1])
    e = at(day, end) if isinstance(end, int) else at(day, end[0]) + timedelta(minutes=end[1])
    assert duration_hours(s, e) == Decimal(hours)


def test_the_countable_list_leaves_out_counted_committee_cancelled_and_others_meetings(world, clock, client_for):
    lecture = meeting_of(world.branch_a, world.secretary_a, topic="讲党课", activities=(Activity.LECTURE,), held=True)
    theme = meeting_of(world.branch_a, world.secretary_a, topic="主题党日活动", days_ago=5)
    meeting_of(world.branch_a, world.secretary_a, topic="支委会研究工作", activities=(Activity.COMMITTEE,))
    cancelled = meeting_of(world.branch_a, world.secretary_a, topic="取消的党课", activities=(Activity.LECTURE,))
    meetings.cancel_meeting(by=world.secretary_a, meeting=cancelled)
    counted = meeting_of(world.branch_a, world.secretary_a, topic="已计入的党课", activities=(Activity.LECTURE,))
    services.count_meeting(by=world.secretary_a, meeting=counted, hours=Decimal(2))
    session_of(world.branch_a, world.secretary_a, topic="已登记的集中学习")
    meeting_of(world.branch_b, world.secretary_b, topic="财务处党课", activities=(Activity.LECTURE,))
    page = _text(client_for(world.secretary_a).get(reverse("study:countable")))
    rows = re.findall(r'data-meeting="(\d+)"', page)
    assert rows == [str(lecture.pk), str(theme.pk)]  # newest first
    for absent in ("支委会研究工作", "取消的党课", "已计入的党课", "已登记的集中学习", "财务处党课"):
        assert absent not in page
    assert "党课" in page and "主题党日" in page


# ── the list and its export ──────────────────────────────────────────────────────────────────────────────────────
def test_the_list_filters_searches_and_sorts(world, clock, client_for):
    old = session_of(world.branch_a, world.secretary_a, days_ago=400, topic="往年学习党章", speaker="王书记")
    new = session_of(world.branch_a, world.secretary_a, days_ago=2, topic="学习新党规", kind=StudyKind.LECTURE)
    other = session_of(world.branch_b, world.secretary_b, days_ago=3, topic="财务处学习")
    client = client_for(world.admin)
    url = reverse("study:sessions")

    def rows(query=""):
        return [int(pk) for pk in re.findall(r'data-session="(\d+)"', _text(client.get(url + query)))]

    assert rows() == [new.pk, other.pk, old.pk]
    assert rows("?sort=date") == [old.pk, other.pk, new.pk]
    assert rows(f"?year={old.held_on.year}") == [s.pk for s in (new, other, old) if s.held_on.year == old.held_on.year]
    assert rows(f"?kind={StudyKind.LECTURE}") == [new.pk]
    assert rows("?q=王书记") == [old.pk]
    assert rows("?q=新党规") == [new.pk]
    assert rows(f"?org={world.general.pk}") == [new.pk, old.pk]  # branch A lies under 第一党总支
    assert rows(f"?org={world.branch_b.pk}") == [other.pk]
    assert rows("?year=abc&kind=bogus&sort=x") == [new.pk, other.pk, old.pk]  # bad filters are ignored
    assert client_for(world.secretary_a).get(url + f"?org={world.branch_b.pk}").status_code == 404
    assert client_for(world.secretary_a).get(url + "?org=9x").status_code == 404
    page = _text(client_for(world.secretary_a).get(url))
    assert "财务处学习" not in page and "新建学习场次" in page and "将已开会议计入学时" in page
    assert "新建学习场次" not in _text(client_for(world.inspector).get(url))


def test_the_list_shows_attendance_counts_in_a_fixed_number_of_queries(
    world, clock, client_for, django_assert_max_num_queries
):
    client = client_for(world.secretary_a)
    url = reverse("study:sessions")
    session = session_of(world.branch_a, world.secretary_a, held=True)
    meetings.set_attendance(
        by=world.secretary_a, meeting=session.meeting, member_id=world.member_a.pk, mark=meetings.Mark("present")
    )
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        page = _text(client.get(url))
    assert re.findall(r'data-testid="counts">([^<]*)<', page) == ["2/1"]
    for i in range(5):
        MemberFactory(org=world.branch_a, name=f"新党员{i}")
        session_of(world.branch_a, world.secretary_a, days_ago=i + 2)
    with django_assert_max_num_queries(len(one)):
        page = _text(client.get(url))
    assert page.count("data-session=") == 6


def test_the_export_holds_the_filtered_rows(world, clock, client_for):
    session_of(world.branch_a, world.secretary_a, topic="学习党章", speaker="市委党校李教授", hours="2.5")
    session_of(world.branch_a, world.secretary_a, topic="学习党规", kind=StudyKind.LECTURE, days_ago=2)
    session_of(world.branch_b, world.secretary_b, topic="财务处学习")
    response = client_for(world.secretary_a).get(reverse("study:sessions_export") + "?q=党章")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in book.get_sheet_by_index(0).to_python()]
    assert rows[0][:6] == ["日期", "开始时间", "结束时间", "组织", "学习主题", "学习形式"]
    assert len(rows) == 2
    assert rows[1][3:7] == ["办公室党支部", "学习党章", "集中学习", "市委党校李教授"]
    assert rows[1][9:] == [2.5, 2, 0]
    everything = client_for(world.secretary_a).get(reverse("study:sessions_export"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(everything.streaming_content)))
    topics = [r[4] for r in book.get_sheet_by_index(0).to_python()[1:]]
    assert sorted(topics) == ["学习党章", "学习党规"]  # not branch B's


# ── one session: edit, remove, scope ─────────────────────────────────────────────────────────────────────────────
def test_an_edit_with_a_stale_version_is_refused(world, clock, client_for):
    session = session_of(world.branch_a, world.secretary_a, hours="2")
    client = client_for(world.secretary_a)
    url = reverse("study:session_edit", args=[session.pk])
    page = _text(client.get(url))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    services.update_session(
        by=world.admin, session=session, version=session.version, kind=session.kind, hours=Decimal(3)
    )
    data = {"kind": StudyKind.CONCENTRATED, "hours": "4", "speaker": "", "version": version}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "保存失败" in refused.content.decode()
    assert Session.objects.unrestricted().get().hours == 3
    fresh = re.search(r'name="version" value="(\d+)"', refused.content.decode()).group(1)
    assert client.post(url, data | {"version": fresh}).status_code == 302
    assert Session.objects.unrestricted().get().hours == 4


def test_an_edit_changes_the_hours_counted(world, clock, client_for):
    session = session_of(world.branch_a, world.secretary_a, hours="2", held=True)
    meetings.set_attendance(
        by=world.secretary_a, meeting=session.meeting, member_id=world.member_a.pk, mark=meetings.Mark("present")
    )
    client = client_for(world.secretary_a)
    data = {"kind": StudyKind.EXPERT, "hours": "3.5", "speaker": "专家", "lead": world.member_a2.pk}
    response = client.post(reverse("study:session_edit", args=[session.pk]), data | {"version": session.version})
    assert response.status_code == 302
    assert hours_of(world.member_a, session.held_on.year) == Decimal("3.5")
    bad = client.post(
        reverse("study:session_edit", args=[session.pk]), data | {"hours": "30", "version": session.version + 1}
    )
    assert bad.status_code == 400 and rules.ERR_HOURS_DAY in _field_errors(bad, "hours")


def test_removing_a_session_keeps_the_meeting_and_drops_the_hours(world, clock, client_for):
    session = session_of(world.branch_a, world.secretary_a, held=True)
    meetings.set_attendance(
        by=world.secretary_a, meeting=session.meeting, member_id=world.member_a.pk, mark=meetings.Mark("present")
    )
    client = client_for(world.secretary_a)
    page = _text(client.get(reverse("study:session", args=[session.pk])))
    assert "data-confirm=" in page and reverse("study:session_remove", args=[session.pk]) in page
    assert client.get(reverse("study:session_remove", args=[session.pk])).status_code == 405
    response = client.post(reverse("study:session_remove", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("study:sessions")
    assert not Session.objects.unrestricted().exists()
    assert Meeting.objects.unrestricted().filter(pk=session.meeting_id).exists()
    assert hours_of(world.member_a, session.held_on.year) == 0


def test_out_of_scope_is_404_and_writes_nothing(world, clock, client_for):
    session = session_of(world.branch_a, world.secretary_a)
    lecture = meeting_of(world.branch_a, world.secretary_a, activities=(Activity.LECTURE,))
    outsider = client_for(world.secretary_b)
    assert outsider.get(reverse("study:session", args=[session.pk])).status_code == 404
    assert outsider.get(reverse("study:session_edit", args=[session.pk])).status_code == 404
    assert outsider.post(reverse("study:session_remove", args=[session.pk])).status_code == 404
    assert outsider.get(reverse("study:count_meeting", args=[lecture.pk])).status_code == 404
    day = clock.today() - timedelta(days=1)
    assert outsider.post(_create_url(world.branch_a), _form(day)).status_code == 404
    assert outsider.post(reverse("study:count_meeting", args=[lecture.pk]), {"hours": "2"}).status_code == 404
    assert Session.objects.unrestricted().count() == 1
    inspector = client_for(world.inspector)  # sees, changes nothing
    page = _text(inspector.get(reverse("study:session", args=[session.pk])))
    assert "编辑学时" not in page and "不计入学时" not in page
    assert inspector.get(reverse("study:session_edit", args=[session.pk])).status_code == 404
    assert inspector.get(reverse("study:countable")).status_code == 404
    member = client_for(world.member_user_a)  # an invitee sees the session, not the list
    assert "王小明" in _text(member.get(reverse("study:session", args=[session.pk])))
    assert member.get(reverse("study:sessions")).status_code == 404


def test_a_central_session_passes_its_speeches_and_outcomes(world, clock, client_for):
    session = session_of(world.general, world.admin, kind=StudyKind.CENTRAL)
    response = client_for(world.admin).get(reverse("study:session", args=[session.pk]))
    assert response.status_code == 200
    assert list(response.context["speeches"]) == [] and list(response.context["outcomes"]) == []
    assert "study/session_central.html" in [t.name for t in response.templates]
    plain = session_of(world.branch_a, world.secretary_a)
    other = client_for(world.admin).get(reverse("study:session", args=[plain.pk]))
    assert "study/session_central.html" not in [t.name for t in other.templates]
