"""/api/v1/study: the 学时 summary and the members' list (scoped, filtered, bounded, in a fixed number of queries),
a member's own 学时, sessions with the hours each attendance credits, planning a session (the service's refusals as
422 in Chinese, nothing written), the review of a self-report (its version, its refusals) and the yearly plan."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.services import token_create
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting
from dangjian.members.tests.factories import MemberFactory
from dangjian.study import rules, services
from dangjian.study.api import ERR_PLAN_ITEM
from dangjian.study.choices import ReportState, StudyKind
from dangjian.study.models import MemberYear, PlanItem, Report, Session

from .study_world import report_of, session_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/study"


@pytest.fixture
def api_post(client):
    keys = {}

    def post(user, url, body, **headers):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        return client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {keys[user.pk]}",
            **headers,
        )

    return post


def present(world, session, *members):
    for member in members:
        meetings.set_attendance(
            by=world.secretary_a, meeting=session.meeting, member_id=member.pk, mark=meetings.Mark("present")
        )


def held_session(world, *, days_ago=1, hours="3", org=None, by=None):
    return session_of(org or world.branch_a, by or world.secretary_a, days_ago=days_ago, hours=hours, held=True)


def approved_report(world, hours="4"):
    report = report_of(world.member_user_a, hours=hours, days_ago=1)
    return services.review_report(by=world.secretary_a, report=report, decision="approve")


def errors_of(response) -> list[str]:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    return [e["message"] for e in response.json()["errors"]]


# --- the 学时 of the scope ---------------------------------------------------------------------------------------


def test_the_summary_counts_the_hours_of_the_scope_and_of_each_child_org(world, clock, api_get):
    session = held_session(world)  # yesterday: its year is the one asked for (on 1 January, last year)
    year = session.held_on.year
    present(world, session, world.member_a, world.member_a2)
    approved_report(world, hours="5")
    body = api_get(world.admin, f"{BASE}/summary", year=year).json()
    assert body["year"] == year and body["org"] is None
    assert body["member_hours"] == "32.0" and body["leader_hours"] == "56.0"
    # member_a 3 + 5, member_a2 3 (a secretary: 56 owed), member_b nothing
    assert (body["total"]["members"], body["total"]["leaders"], body["total"]["hours"]) == (3, 2, "11.0")
    rows = {r["org"]["name"]: r["figures"] for r in body["rows"]}
    assert set(rows) == {"第一党总支", "财务处党支部"}
    assert (rows["第一党总支"]["members"], rows["第一党总支"]["hours"], rows["第一党总支"]["average"]) == (
        2,
        "11.0",
        "5.5",
    )
    assert rows["财务处党支部"]["hours"] == "0.0"
    # secretary_b: her branch only; branch A is outside (404), a plain member has no summary
    mine = api_get(world.secretary_b, f"{BASE}/summary", year=year).json()
    assert mine["total"]["members"] == 1 and "办公室党支部" not in json.dumps(mine, ensure_ascii=False)
    assert api_get(world.secretary_b, f"{BASE}/summary", org=world.branch_a.pk).status_code == 404
    assert api_get(world.member_user_a, f"{BASE}/summary").status_code == 404
    branch = api_get(world.inspector, f"{BASE}/summary", org=world.branch_a.pk, year=year).json()
    assert branch["org"]["id"] == world.branch_a.pk and branch["total"]["members"] == 2
    last_year = api_get(world.admin, f"{BASE}/summary", year=year - 1).json()
    assert last_year["total"]["hours"] == "0.0" and last_year["total"]["behind"] == 3  # a past year unmet


def test_the_summary_refuses_years_out_of_bounds_in_chinese(world, api_get):
    for year in (1999, 2101, "abc"):
        messages = errors_of(api_get(world.admin, f"{BASE}/summary", year=year))
        assert messages and all(any("\u4e00" <= c <= "\u9fff" for c in m) for m in messages)
    assert errors_of(api_get(world.admin, f"{BASE}/summary", org=10**19)) == ["不能大于 1000000000000000000"]


def test_the_members_list_gives_hours_requirement_and_pace(world, clock, api_get):
    session = held_session(world, hours="4")
    year = session.held_on.year
    present(world, session, world.member_a)
    body = api_get(world.secretary_a, f"{BASE}/members", year=year).json()
    rows = {r["member"]["name"]: r for r in body["results"]}
    assert set(rows) == {"王小明", "张宏伟"} and body["count"] == 2
    assert rows["王小明"]["hours"] == "4.0" and rows["王小明"]["session_hours"] == "4.0"
    assert (rows["王小明"]["required"], rows["王小明"]["leader"]) == ("32.0", False)
    assert (rows["张宏伟"]["required"], rows["张宏伟"]["leader"]) == ("56.0", True)
    assert rows["王小明"]["behind"] is (Decimal(4) < rules.behind_line(Decimal(32), year, clock.today()))
    assert rows["张宏伟"]["behind"] is (rules.behind_line(Decimal(56), year, clock.today()) > 0)  # none in January
    behind = api_get(world.secretary_a, f"{BASE}/members", behind="true", year=year).json()["results"]
    assert {r["member"]["name"] for r in behind} == {n for n, r in rows.items() if r["behind"]}
    # branch B's member is not listed to branch A's secretary, and branch A is not to B's
    assert "李秀英" not in json.dumps(body, ensure_ascii=False)
    assert api_get(world.secretary_b, f"{BASE}/members", org=world.branch_a.pk).status_code == 404
    assert api_get(world.member_user_a, f"{BASE}/members").status_code == 404


def test_the_members_list_pages_within_bounds(world, api_get):
    first = api_get(world.admin, f"{BASE}/members", page_size=2).json()
    assert (first["count"], first["page_size"], len(first["results"])) == (3, 2, 2)
    second = api_get(world.admin, f"{BASE}/members", page_size=2, page=2).json()
    assert len(second["results"]) == 1
    assert {r["member"]["id"] for r in first["results"] + second["results"]} == {
        world.member_a.pk,
        world.member_a2.pk,
        world.member_b.pk,
    }
    assert api_get(world.admin, f"{BASE}/members", page=9).json()["results"] == []
    assert errors_of(api_get(world.admin, f"{BASE}/members", page_size=101)) == ["不能大于 100"]
    assert errors_of(api_get(world.admin, f"{BASE}/members", page=0)) == ["不能小于 1"]


def test_the_members_lists_queries_do_not_grow_with_rows(world, api_get):
    api_get(world.inspector, f"{BASE}/members")
    with CaptureQueriesContext(connection) as few:
        assert api_get(world.inspector, f"{BASE}/members").json()["count"] == 3
    for _ in range(6):
        MemberFactory(org=world.branch_a)
    with CaptureQueriesContext(connection) as many:
        assert api_get(world.inspector, f"{BASE}/members").json()["count"] == 9
    assert len(many) == len(few)


# --- my 学时 -------------------------------------------------------------------------------------------------------


def test_my_hours_sessions_and_reports(world, clock, api_get):
    session = held_session(world, hours="2.5")
    year = session.held_on.year
    present(world, session, world.member_a)
    held_session(world, hours="7")  # not attended: not listed, not counted
    approved_report(world, hours="4")
    pending = report_of(world.member_user_a, days_ago=1, hours="1")
    body = api_get(world.member_user_a, f"{BASE}/members/me", year=year).json()
    assert body["member"]["name"] == "王小明" and body["year"] == year
    assert (body["hours"], body["session_hours"], body["report_hours"]) == ("6.5", "2.5", "4.0")
    assert body["required"] == "32.0" and body["rule"] == rules.RULE_MEMBER
    assert [s["id"] for s in body["sessions"]] == [session.pk] and body["sessions"][0]["hours"] == "2.5"
    assert {(r["hours"], r["state"]) for r in body["reports"]} == {("4.0", "approved"), ("1.0", "pending")}
    assert pending.pk in {r["id"] for r in body["reports"]}
    last_year = api_get(world.member_user_a, f"{BASE}/members/me", year=year - 1).json()
    assert (last_year["hours"], last_year["sessions"], last_year["reports"]) == ("0.0", [], [])
    assert last_year["expected_by_now"] == "32.0"  # a past year: the whole requirement


def test_my_hours_need_a_member_record(world, api_get):
    for user in (world.admin, world.secretary_b, world.inspector):
        response = api_get(user, f"{BASE}/members/me")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- sessions ----------------------------------------------------------------------------------------------------


def test_the_sessions_are_scoped_and_filtered(world, clock, api_get):
    mine = held_session(world)
    lecture = session_of(world.branch_a, world.secretary_a, kind=StudyKind.LECTURE, held=True)
    theirs = held_session(world, org=world.branch_b, by=world.secretary_b)
    ids = lambda user, **q: [r["id"] for r in api_get(user, f"{BASE}/sessions", **q).json()["results"]]  # noqa: E731
    assert set(ids(world.secretary_a)) == {mine.pk, lecture.pk}
    assert set(ids(world.inspector)) == {mine.pk, lecture.pk, theirs.pk}
    assert ids(world.secretary_b) == [theirs.pk]
    assert set(ids(world.member_user_a)) == {mine.pk, lecture.pk}  # invited to branch A's
    assert ids(world.admin, kind="lecture") == [lecture.pk]
    assert ids(world.admin, org=world.branch_b.pk) == [theirs.pk]
    assert ids(world.admin, year=clock.today().year - 5) == []
    assert api_get(world.secretary_b, f"{BASE}/sessions", org=world.branch_a.pk).status_code == 404
    assert "不是有效的选项" in errors_of(api_get(world.admin, f"{BASE}/sessions", kind="party"))[0]


def test_the_sessions_lists_queries_do_not_grow_with_rows(world, api_get):
    held_session(world)
    api_get(world.admin, f"{BASE}/sessions")
    with CaptureQueriesContext(connection) as few:
        api_get(world.admin, f"{BASE}/sessions")
    for days in range(2, 7):
        held_session(world, days_ago=days)
    with CaptureQueriesContext(connection) as many:
        assert api_get(world.admin, f"{BASE}/sessions").json()["count"] == 6
    assert len(many) == len(few)


def test_a_sessions_detail_credits_hours_to_those_present(world, api_get):
    session = held_session(world, hours="3")
    present(world, session, world.member_a)
    response = api_get(world.secretary_a, f"{BASE}/sessions/{session.pk}")
    assert response.status_code == 200 and response["ETag"] == f'W/"{session.version}"'
    body = response.json()
    assert body["topic"] == session.meeting.topic and body["meeting"] == session.meeting_id
    rows = {a["member"]["name"]: a for a in body["attendance"]}
    assert (rows["王小明"]["presence"], rows["王小明"]["hours"]) == ("present", "3.0")
    assert (rows["张宏伟"]["presence"], rows["张宏伟"]["hours"]) == ("unknown", "0.0")
    # the invited member reads the session and only their own attendance; branch B's secretary nothing
    own = api_get(world.member_user_a, f"{BASE}/sessions/{session.pk}").json()
    assert [a["member"]["name"] for a in own["attendance"]] == ["王小明"]
    assert api_get(world.secretary_b, f"{BASE}/sessions/{session.pk}").status_code == 404
    assert api_get(world.admin, f"{BASE}/sessions/{session.pk + 1000}").status_code == 404


def _session_body(world, **changes):
    start = timezone.localtime() - timedelta(days=1)
    body = {
        "org": world.branch_a.pk,
        "kind": "seminar",
        "topic": "专题培训：党纪学习教育",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "place": "三楼会议室",
        "speaker": "党校王教授",
        "hours": "3",
        "held": True,
    }
    return body | changes


def test_a_session_is_planned_through_the_service(world, api_post):
    item = PlanItem.objects.create(
        org=world.general,
        year=clock.today().year,
        topic="党纪学习",
        kind=StudyKind.SEMINAR,
        month=6,
        audience="全体党员",
        planned_hours=Decimal(3),
    )
    body = _session_body(world, plan_item=item.pk, invitees=[world.member_a.pk])
    response = api_post(world.secretary_a, f"{BASE}/sessions", body)
    assert response.status_code == 201, response.content
    created = response.json()
    session = Session.objects.unrestricted().get(pk=created["id"])
    assert (session.kind, session.hours, session.speaker, session.plan_item_id) == ("seminar", 3, "党校王教授", item.pk)
    assert session.meeting.status == "held" and session.meeting.place == "三楼会议室"
    assert [a["member"]["name"] for a in created["attendance"]] == ["王小明"]
    assert response["ETag"] == f'W/"{session.version}"'


def test_a_refused_session_is_422_in_chinese_and_writes_nothing(world, api_post):
    before = (Meeting.objects.unrestricted().count(), Session.objects.unrestricted().count())
    start = timezone.localtime() - timedelta(days=1)
    cases = [
        ({"hours": "0"}, rules.ERR_HOURS_POSITIVE),
        ({"hours": "25"}, rules.ERR_HOURS_DAY),
        ({"hours": "1.25"}, rules.ERR_HOURS_STEP),
        ({"ends_at": (start - timedelta(hours=1)).isoformat()}, "结束时间不能早于开始时间"),
        (
            {
                "starts_at": (start + timedelta(days=3)).isoformat(),
                "ends_at": (start + timedelta(days=3, hours=2)).isoformat(),
            },
            meetings.ERR_HELD_IN_FUTURE,
        ),
        ({"invitees": [world.member_b.pk]}, "应到人员须为本组织的在册党员（1 人不符合）"),
        ({"topic": "学" * 201}, "长度不能超过 200 个字符"),
        ({"hours": "abc"}, "请输入数字"),
        ({"version": 1}, "不能通过接口修改此项（只读或未知字段）"),
    ]
    for change, message in cases:
        response = api_post(world.secretary_a, f"{BASE}/sessions", _session_body(world, **change))
        assert message in errors_of(response), (change, response.content.decode())
    response = api_post(world.secretary_a, f"{BASE}/sessions", _session_body(world, plan_item=10**6))
    assert errors_of(response) == [ERR_PLAN_ITEM]
    assert (Meeting.objects.unrestricted().count(), Session.objects.unrestricted().count()) == before


def test_a_session_is_planned_only_where_the_user_may_change(world, api_post):
    before = Session.objects.unrestricted().count()
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        response = api_post(user, f"{BASE}/sessions", _session_body(world))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert (
        api_post(world.secretary_b, f"{BASE}/sessions", _session_body(world, org=world.branch_b.pk)).status_code == 201
    )
    assert Session.objects.unrestricted().count() == before + 1


# --- self-reports ------------------------------------------------------------------------------------------------


def test_the_reports_are_scoped_and_filtered(world, api_get):
    report = report_of(world.member_user_a)
    ids = lambda user, **q: [r["id"] for r in api_get(user, f"{BASE}/reports", **q).json()["results"]]  # noqa: E731
    assert ids(world.secretary_a) == ids(world.member_user_a) == ids(world.inspector) == [report.pk]
    assert ids(world.secretary_b) == []
    assert ids(world.admin, state="pending") == [report.pk] and ids(world.admin, state="approved") == []
    assert api_get(world.secretary_b, f"{BASE}/reports", org=world.branch_a.pk).status_code == 404
    row = api_get(world.admin, f"{BASE}/reports").json()["results"][0]
    assert (row["member"]["name"], row["org"]["name"], row["hours"], row["certificate_name"]) == (
        "王小明",
        "办公室党支部",
        "4.0",
        "证书.png",
    )


def test_a_report_is_approved_with_its_version_and_counts(world, clock, api_post, api_get):
    report = report_of(world.member_user_a, hours="6", days_ago=1)
    url = f"{BASE}/reports/{report.pk}/review"
    assert api_post(world.secretary_a, url, {"decision": "approve"}).status_code == 428
    response = api_post(world.secretary_a, url, {"decision": "approve"}, HTTP_IF_MATCH=f'W/"{report.version}"')
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved" and response["ETag"] == f'W/"{report.version + 1}"'
    year = report.studied_on.year
    assert MemberYear.objects.unrestricted().get(member=world.member_a, year=year).hours == 6
    assert api_get(world.member_user_a, f"{BASE}/members/me", year=year).json()["report_hours"] == "6.0"
    # reviewed already: refused with the rule's text, whatever the version; an older version is stale (412)
    again = api_post(world.secretary_a, url, {"decision": "reject", "comment": "重复", "version": report.version + 1})
    assert errors_of(again) == [services.ERR_REVIEW_STATE]
    stale = api_post(world.secretary_a, url, {"decision": "approve", "version": report.version})
    assert stale.status_code == 412 and stale.json()["version"] == report.version + 1
    assert Report.objects.unrestricted().get(pk=report.pk).state == ReportState.APPROVED


def test_a_refused_review_is_422_or_404_and_changes_nothing(world, api_post):
    report = report_of(world.member_user_a)
    url = f"{BASE}/reports/{report.pk}/review"
    body = {"decision": "reject", "version": report.version}
    assert errors_of(api_post(world.secretary_a, url, body)) == [services.ERR_REJECT_COMMENT]
    assert "不是有效的选项" in errors_of(api_post(world.secretary_a, url, body | {"decision": "maybe"}))[0]
    long = body | {"comment": "理" * 201}
    assert errors_of(api_post(world.secretary_a, url, long)) == ["长度不能超过 200 个字符"]
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        response = api_post(user, url, {"decision": "approve", "version": report.version})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_post(world.admin, f"{BASE}/reports/{report.pk + 99}/review", body).status_code == 404
    unchanged = Report.objects.unrestricted().get(pk=report.pk)
    assert (unchanged.state, unchanged.version) == (ReportState.PENDING, report.version)
    assert not MemberYear.objects.unrestricted().filter(member=world.member_a, report_hours__gt=0).exists()


def test_a_rejection_with_its_reason_counts_nothing(world, clock, api_post):
    report = report_of(world.member_user_a)
    response = api_post(
        world.committee_member_a,
        f"{BASE}/reports/{report.pk}/review",
        {"decision": "reject", "comment": "证明与课程不符", "version": report.version},
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_comment"]) == ("rejected", "证明与课程不符")
    assert not MemberYear.objects.unrestricted().filter(member=world.member_a, report_hours__gt=0).exists()


# --- the plan ------------------------------------------------------------------------------------------------------


def _item(org, month, year=None, **kwargs):
    values = {"topic": f"{month}月专题学习", "kind": StudyKind.CONCENTRATED, "audience": "全体党员"} | kwargs
    return PlanItem.objects.create(
        org=org, year=year or clock.today().year, month=month, planned_hours=Decimal("2.5"), **values
    )


def test_the_plan_lists_the_years_items_in_scope(world, api_get):
    a3, a1, general = _item(world.branch_a, 3), _item(world.branch_a, 1), _item(world.general, 5)
    b = _item(world.branch_b, 2)
    _item(world.branch_a, 4, year=clock.today().year - 1)
    session_of(world.branch_a, world.secretary_a, plan_item=a1)
    ids = lambda user, **q: [r["id"] for r in api_get(user, f"{BASE}/plan", **q).json()["results"]]  # noqa: E731
    assert ids(world.admin) == [general.pk, a1.pk, a3.pk, b.pk]  # by org, then month
    assert ids(world.secretary_a) == [a1.pk, a3.pk]
    assert ids(world.secretary_b) == [b.pk]
    assert ids(world.inspector, org=world.branch_b.pk) == [b.pk]
    assert len(ids(world.admin, year=clock.today().year - 1)) == 1
    row = api_get(world.secretary_a, f"{BASE}/plan").json()["results"][0]
    assert (row["planned_hours"], row["sessions"], row["month"]) == ("2.5", 1, 1)
    assert api_get(world.secretary_b, f"{BASE}/plan", org=world.branch_a.pk).status_code == 404
    assert api_get(world.member_user_a, f"{BASE}/plan").status_code == 404


def test_no_token_no_answer(client):
    for url in ("summary", "members", "members/me", "sessions", "reports", "plan"):
        response = client.get(f"{BASE}/{url}")
        assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_the_reports_plan_and_summary_queries_do_not_grow_with_rows(world, api_get):
    report_of(world.member_user_a)
    _item(world.branch_a, 1)
    urls = (f"{BASE}/reports", f"{BASE}/plan", f"{BASE}/summary")
    counts = {}
    for url in urls:
        api_get(world.admin, url)
        with CaptureQueriesContext(connection) as few:
            api_get(world.admin, url)
        counts[url] = len(few)
    for n in range(2, 7):
        report_of(world.member_user_a, days_ago=n)
        _item(world.branch_a, n)
        _item(world.branch_b, n)
        MemberFactory(org=world.branch_b)
    assert api_get(world.admin, f"{BASE}/reports").json()["count"] == 6
    for url in urls:
        with CaptureQueriesContext(connection) as many:
            api_get(world.admin, url)
        assert len(many) == counts[url], url
