"""Compliance pages, export, API and the home panel, with the conftest personas (DOMAIN.md §3)."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.meetings.choices import Activity
from dangjian.meetings.compliance import ERR_PERIOD
from dangjian.meetings.services import create_meeting

pytestmark = pytest.mark.django_db
CN = ZoneInfo("Asia/Shanghai")


def last_month(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def hold(world, org, activities, day, by=None):
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=CN)
    return create_meeting(
        by=by or world.admin,
        org=org,
        activities=activities,
        topic="学习",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        held=True,
    )


@pytest.fixture
def history(world, clock):
    """Last month: branch A held its 主题党日 (combined with a 党课), branch B held nothing."""
    clock.set(date(2026, 5, 20))
    day = last_month(clock.today())
    hold(world, world.branch_a, [Activity.THEME_DAY, Activity.LECTURE], day)
    return day


def text(response) -> str:
    return response.content.decode()


def test_overview_rolls_up_the_roots_children_and_ranks_the_worst(client, world, history):
    client.force_login(world.admin)
    response = client.get(reverse("meetings:compliance"))
    assert response.status_code == 200
    overview = response.context["overview"]
    # Rows: the committee's children (第一党总支 over branch A, branch B), not every org.
    assert [r.org.name for r in overview.rows] == ["第一党总支", "财务处党支部"]
    month = overview.months.index((history.year, history.month))
    general, branch_b = overview.rows
    # Branch A: 主题党日 held, its 党小组's 党小组会 not.
    assert (general.cells[month].met, general.cells[month].missed) == (1, 1)
    assert (branch_b.cells[month].met, branch_b.cells[month].missed) == (0, 1)  # 主题党日 missed
    # Branch A also owes its group's 党小组会 every month: it ranks first.
    assert [(o.name, c.missed) for o, c in overview.worst] == [
        ("办公室党支部", general.total.missed),
        ("财务处党支部", branch_b.total.missed),
    ]
    assert general.total.missed > branch_b.total.missed
    heatmap = response.context["heatmap"]
    assert heatmap["orgs"] == ["第一党总支", "财务处党支部"]
    assert heatmap["links"][1][month].endswith(f"/{world.branch_b.pk}/?month={history:%Y-%m}")
    assert 'id="compliance-heatmap"' in text(response) and "meetings-heatmap.js" in text(response)
    assert "<script>" not in text(response)  # data only in json_script blobs (strict CSP)


def test_drill_down_lists_the_missing_items_of_the_month(client, world, history):
    client.force_login(world.admin)
    url = reverse("meetings:compliance_org", args=[world.branch_b.pk])
    response = client.get(url, {"month": f"{history:%Y-%m}"})
    missing = [(org.name, o.activity) for org, o in response.context["result"].missing]
    assert missing == [("财务处党支部", Activity.THEME_DAY)]
    # A 党总支's cell lists its branches' missing items: branch A held its 主题党日, its group no 党小组会.
    response = client.get(reverse("meetings:compliance_org", args=[world.general.pk]), {"month": f"{history:%Y-%m}"})
    missing = [(org.name, o.activity) for org, o in response.context["result"].missing]
    assert missing == [("办公室党支部", Activity.GROUP)]
    # A quarter: one 党员大会 in the quarter would have been enough; none was held.
    quarter = (history.month - 1) // 3 + 1
    response = client.get(url, {"period": f"{history.year}-Q{quarter}"})
    activities = {o.activity for _, o in response.context["result"].missing}
    assert Activity.THEME_DAY in activities


def test_a_bad_period_is_refused_with_a_message(client, world, history):
    client.force_login(world.secretary_a)
    response = client.get(reverse("meetings:compliance_org", args=[world.branch_a.pk]), {"period": "2026-13"})
    assert response.status_code == 200 and ERR_PERIOD in text(response)


def test_activity_filter_and_year(client, world, history):
    client.force_login(world.admin)
    response = client.get(reverse("meetings:compliance"), {"activity": Activity.ASSEMBLY, "year": history.year})
    overview = response.context["overview"]
    assert set(overview.by_activity) == {Activity.ASSEMBLY}
    assert overview.months[0] == (history.year, 1)


def test_a_secretary_sees_their_branch(client, world, history):
    client.force_login(world.secretary_a)
    response = client.get(reverse("meetings:compliance"))
    assert [r.org.name for r in response.context["overview"].rows] == ["办公室党支部"]
    assert "财务处党支部" not in text(response)


def test_export(client, world, history):
    client.force_login(world.admin)
    response = client.get(reverse("meetings:compliance_export"), {"org": world.committee.pk})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "组织" and [r[0] for r in rows[1:]] == ["第一党总支", "财务处党支部"]
    worst = book.get_sheet_by_index(1).to_python()
    assert [r[1] for r in worst[1:]] == ["办公室党支部", "财务处党支部"]


def test_api(api_get, world, history):
    url = reverse("api:meeting_compliance")
    response = api_get(world.admin, url, org=world.branch_b.pk, period=f"{history:%Y-%m}")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == f"{history:%Y-%m}"
    items = body["branches"][0]["items"]
    assert {(i["activity"], i["state"]) for i in items} == {(Activity.THEME_DAY, "missed")}
    response = api_get(world.admin, url, org=world.branch_a.pk, period=f"{history:%Y-%m}")
    assert {(i["activity"], i["state"]) for i in response.json()["branches"][0]["items"]} == {
        (Activity.THEME_DAY, "met"),
        (Activity.GROUP, "missed"),  # branch A has one 党小组, which held no 党小组会
    }
    assert api_get(world.admin, url, period="2026-Q5").status_code == 422
    assert api_get(world.secretary_b, url, org=world.branch_a.pk).status_code == 404


def test_home_panel_secretary_and_admin(client, world, history):
    client.force_login(world.secretary_a)
    response = client.get(reverse("core:home"))
    assert 'data-testid="compliance-panel"' in text(response)
    assert "主题党日" in text(response) and "待召开" in text(response)  # this month's, not yet held
    client.force_login(world.admin)
    response = client.get(reverse("core:home"))
    assert "个党支部" in text(response) and f"?activity={Activity.THEME_DAY}" in text(response)
    client.force_login(world.member_user_a)
    assert 'data-testid="compliance-panel"' not in text(client.get(reverse("core:home")))


def test_a_group_page_says_its_meetings_count_for_its_branch(client, world, history):
    client.force_login(world.secretary_a)
    response = client.get(reverse("meetings:compliance_org", args=[world.group_a.pk]))
    assert "计入所在党支部" in text(response)
