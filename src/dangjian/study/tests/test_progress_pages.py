"""The 学时 progress pages against a small hand-made world (sessions attended, reports approved, on 15 November):
the tree's figures rolled up per child org with drill-down, the members' list (filters, search, sort, behind flag),
its xlsx, scoping, the year's bounds, and query counts that do not grow with rows."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.meetings import services as meetings
from dangjian.meetings.choices import Presence
from dangjian.meetings.services import Mark
from dangjian.members.tests.factories import MemberFactory
from dangjian.study import progress_views, rules, services
from dangjian.study.tests.study_world import report_of, session_of

pytestmark = pytest.mark.django_db


def tick(session, by, *members):
    for member in members:
        meetings.set_attendance(by=by, meeting=session.meeting, member_id=member.pk, mark=Mark(Presence.PRESENT))


def approved_report(world, user, hours: str, reviewer=None):
    report = report_of(user, hours=hours)
    return services.review_report(
        by=reviewer or world.secretary_a, report=report, decision=services.REVIEW_APPROVE, version=report.version
    )


@pytest.fixture
def hw(world, clock):
    """15 November of this year. Branch A: a session of 10 学时 attended by 王小明 (a member: 32 owed, line 24) and
    张宏伟 (its secretary: 56 owed, line 42); 王小明's report of 24 approved → 34, met. Branch B: 李秀英 (its
    secretary) attended 20. So 王小明 met and on pace, 张宏伟 and 李秀英 behind."""
    clock.set(date(clock.today().year, 11, 15))
    tick(session_of(world.branch_a, world.secretary_a, hours="10"), world.secretary_a, world.member_a, world.member_a2)
    approved_report(world, world.member_user_a, "24")
    tick(session_of(world.branch_b, world.secretary_b, hours="20"), world.secretary_b, world.member_b)
    return world


def open_page(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content.decode()


def cells(html: str, attr: str, pk: int) -> dict[str, str]:
    """The data-col cells of the row `data-<attr>="pk"`, their text without tags."""
    row = re.search(rf'<tr data-{attr}="{pk}">(.*?)</tr>', html, re.S)
    assert row, f"no row {attr}={pk}"
    found = re.findall(r'data-col="(\w+)">(.*?)</td>', row.group(1), re.S)
    return {key: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value)).strip() for key, value in found}


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


# ── the tree's figures ──
def test_the_committee_sees_its_children_rolled_up_with_totals(hw, client_for):
    html = open_page(client_for(hw.admin), "study:progress")
    totals = {k: shown(html, f"total-{k}") for k in ("members", "leaders", "average", "met", "met-percent", "behind")}
    assert totals == {
        "members": "3", "leaders": "2", "average": "21.3", "met": "1", "met-percent": "33%", "behind": "2"
    }  # fmt: skip
    # The committee's children: the general branch (branch A under it) and branch B; not the group of branch A.
    assert cells(html, "org", hw.general.pk) == {
        "members": "2", "leaders": "1", "average": "22.0", "met": "1", "met_percent": "50%", "behind": "1"
    }  # fmt: skip
    assert cells(html, "org", hw.branch_b.pk) == {
        "members": "1", "leaders": "1", "average": "20.0", "met": "0", "met_percent": "0%", "behind": "1"
    }  # fmt: skip
    assert f'data-org="{hw.group_a.pk}"' not in html
    # Drill-down: the general branch opens its own rows; a branch its members (all, and those behind).
    assert f"{reverse('study:progress')}?org={hw.general.pk}&amp;year=" in html
    assert f"{reverse('study:progress')}?org={hw.branch_b.pk}" not in html
    assert f"{reverse('study:members')}?org={hw.branch_b.pk}&amp;year=" in html
    assert "behind=1" in html
    # The rule and its source, in Chinese.
    assert rules.RULE_MEMBER in html and rules.RULE_LEADER in html and "75%" in html and rules.REGULATION in html
    assert "党员24.0学时，书记和委员42.0学时" in html


def test_drilling_into_the_general_branch_and_a_branch(hw, client_for, clock):
    client = client_for(hw.admin)
    year = clock.today().year
    html = open_page(client, "study:progress", f"?org={hw.general.pk}&year={year}")
    assert cells(html, "org", hw.branch_a.pk)["members"] == "2"
    assert f'data-org="{hw.branch_b.pk}"' not in html and shown(html, "total-members") == "2"
    assert f"{reverse('study:progress')}?org={hw.committee.pk}" in html  # up one level
    # A branch has no child orgs holding members: its own row.
    html = open_page(client, "study:progress", f"?org={hw.branch_a.pk}")
    assert cells(html, "org", hw.branch_a.pk)["behind"] == "1"


def test_a_secretary_sees_their_branch_only(hw, client_for):
    html = open_page(client_for(hw.secretary_b), "study:progress")
    assert shown(html, "total-members") == "1" and f'data-org="{hw.branch_b.pk}"' in html
    assert "办公室党支部" not in html and "第一党总支" not in html
    client = client_for(hw.secretary_b)
    assert client.get(reverse("study:progress") + f"?org={hw.branch_a.pk}").status_code == 404
    assert client.get(reverse("study:members") + f"?org={hw.general.pk}").status_code == 404
    assert client.get(reverse("study:progress") + "?org=abc").status_code == 404


def test_the_inspector_sees_all_and_a_member_gets_404(hw, client_for):
    assert shown(open_page(client_for(hw.inspector), "study:progress"), "total-members") == "3"
    client = client_for(hw.member_user_a)
    for name in ("study:progress", "study:members", "study:members_export"):
        assert client.get(reverse(name)).status_code == 404


def test_a_year_out_of_bounds_is_this_year_with_a_message(hw, client_for, clock):
    client = client_for(hw.admin)
    for bad in ("99999", "1999", str(clock.today().year + 1), "20x6", "-1"):
        html = open_page(client, "study:progress", f"?year={bad}")
        assert shown(html, "year-error") == progress_views.ERR_YEAR
        assert shown(html, "total-met") == "1"  # this year's figures
        assert shown(open_page(client, "study:members", f"?year={bad}"), "year-error") == progress_views.ERR_YEAR


def test_last_year_counts_against_the_whole_requirement(hw, client_for, clock):
    """No hours last year: everyone behind (a past year is met or not), nobody met."""
    html = open_page(client_for(hw.admin), "study:progress", f"?year={clock.today().year - 1}")
    assert shown(html, "total-behind") == "3" and shown(html, "total-met") == "0"
    assert shown(html, "total-average") == "0.0"


# ── the members' list ──
def test_members_list_shows_hours_requirement_and_behind(hw, client_for):
    html = open_page(client_for(hw.secretary_a), "study:members")
    a = cells(html, "member", hw.member_a.pk)
    assert (a["session"], a["report"], a["hours"]) == ("10.0", "24.0", "34.0")
    assert a["required"] == "32 （党员）" and a["progress"].startswith("100%") and "进度落后" not in a["progress"]
    a2 = cells(html, "member", hw.member_a2.pk)
    assert a2["hours"] == "10.0" and a2["required"] == "56 （任书记）"
    assert a2["progress"] == "17% 进度落后"  # 10 / 56
    assert reverse("members:detail", args=[hw.member_a.pk]) in html
    assert "李秀英" not in html


def test_members_list_filters_searches_and_sorts(hw, client_for):
    client = client_for(hw.admin)
    behind = open_page(client, "study:members", "?behind=1")
    assert "张宏伟" in behind and "李秀英" in behind and "王小明" not in behind
    only_b = open_page(client, "study:members", f"?org={hw.branch_b.pk}")
    assert "李秀英" in only_b and "王小明" not in only_b
    subtree = open_page(client, "study:members", f"?org={hw.general.pk}")
    assert "王小明" in subtree and "张宏伟" in subtree and "李秀英" not in subtree
    wang = open_page(client, "study:members", "?q=王")
    assert "张宏伟" not in wang and "王小明" in wang
    found = open_page(client, "study:members", "?q=wxm")
    assert "王小明" in found and "张宏伟" not in found
    by_hours = open_page(client, "study:members", "?sort=-hours")
    assert by_hours.index("王小明") < by_hours.index("李秀英") < by_hours.index("张宏伟")
    by_name = open_page(client, "study:members", "?sort=name")  # li, wang, zhang
    assert by_name.index("李秀英") < by_name.index("王小明") < by_name.index("张宏伟")
    ascending = open_page(client, "study:members", "?sort=hours")
    assert ascending.index("张宏伟") < ascending.index("李秀英") < ascending.index("王小明")


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def test_export_is_the_filtered_list(hw, client_for):
    client = client_for(hw.admin)
    rows = xlsx_rows(client.get(reverse("study:members_export") + "?behind=1&sort=name"))
    assert rows[0] == progress_views.EXPORT_HEADER
    assert [r[0] for r in rows[1:]] == ["李秀英", "张宏伟"]
    li = rows[1]
    assert li[1] == "财务处党支部" and li[2:6] == [20.0, 0.0, 20.0, 56.0] and li[6] == "任书记" and li[8] == "进度落后"
    everyone = xlsx_rows(client_for(hw.secretary_a).get(reverse("study:members_export")))
    assert sorted(r[0] for r in everyone[1:]) == ["张宏伟", "王小明"]
    assert [r for r in everyone if r[0] == "王小明"][0][4:6] == [34.0, 32.0]


# ── queries do not grow with rows ──
def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["study:progress", "study:members", "study:members_export"])
def test_query_count_does_not_grow_with_members_or_orgs(hw, client_for, name):
    from dangjian.orgs.tests.factories import OrgFactory

    client = client_for(hw.admin)
    url = reverse(name)
    client.get(url)  # warm up (the session, the user's grants)
    before = _count(client, url)
    for i in range(4):
        branch = OrgFactory(name=f"第{i}测试党支部", code=f"T{i}", parent=hw.committee)
        for _ in range(3):
            MemberFactory(org=branch)
    assert _count(client, url) == before


def test_a_user_over_two_subtrees_gets_a_row_for_each(hw, client_for):
    from dangjian.core.models import RoleGrant
    from dangjian.core.roles import Role
    from dangjian.core.tests.factories import UserFactory

    both = UserFactory(username="two_branches")
    for org in (hw.branch_a, hw.branch_b):
        RoleGrant.objects.create(user=both, role=Role.SECRETARY, org=org)
    html = open_page(client_for(both), "study:progress")
    assert cells(html, "org", hw.branch_a.pk)["members"] == "2" and cells(html, "org", hw.branch_b.pk)["behind"] == "1"
    assert shown(html, "total-members") == "3" and f'data-org="{hw.general.pk}"' not in html
