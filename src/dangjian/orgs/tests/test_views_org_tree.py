"""The org tree page as the personas of conftest.world: whole or collapsed by the scope's size, the children rows HTMX
loads, the search box and the list of orgs with warnings — each scoped, each in a fixed number of queries."""

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs import rules, selectors, services
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.tests.factories import OrgFactory

TREE = reverse("orgs:tree")
HTMX = {"HX-Request": "true"}
ROW = re.compile(r"<tr[^>]*>.*?</tr>", re.S)


def rows(response) -> dict[str, str]:
    """Each row's HTML, by the name of the org it links to."""
    found = {}
    for row in ROW.findall(response.content.decode()):
        if name := re.search(r'<a href="/orgs/\d+/">([^<]+)</a>', row):
            found[html.unescape(name.group(1))] = row
    return found


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def toggle(row: str) -> dict[str, str]:
    """The attributes of the row's expand toggle ({} when it has none)."""
    button = re.search(r"<button[^>]*data-tree-toggle[^>]*>", row)
    if not button:
        return {}
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', button.group(0))}


def level(row: str) -> str:
    return re.search(r'<td class="tree-level-(\d+)">', row).group(1)


@pytest.fixture(autouse=True)
def today(clock):
    """A day far from the end of world's terms (2028-01-10): the warnings here are about members only."""
    clock.set(date(2026, 6, 15))


@pytest.fixture
def collapsing(settings):
    """The admin's five orgs are more than the tree opens whole."""
    settings.ORG_TREE_EXPANDED_MAX = 3


# ── whole or collapsed ──────────────────────────────────────────────────────


def test_a_small_scope_opens_whole(world, client_for):
    response = client_for(world.admin).get(TREE)
    shown = rows(response)
    assert list(shown) == ["测试机关党委", "第一党总支", "办公室党支部", "第一党小组", "财务处党支部"]
    assert [level(r) for r in shown.values()] == ["0", "1", "2", "3", "1"]
    # Every org with children is open (its children are here) and can be folded without a request.
    for name in ["测试机关党委", "第一党总支", "办公室党支部"]:
        assert toggle(shown[name])["aria-expanded"] == "true"
        assert "data-children-url" not in toggle(shown[name])
    assert toggle(shown["第一党小组"]) == {} and toggle(shown["财务处党支部"]) == {}
    assert "style=" not in response.content.decode()


def test_a_large_scope_opens_at_its_top_orgs_and_their_children(world, client_for, collapsing):
    response = client_for(world.admin).get(TREE)
    shown = rows(response)
    assert list(shown) == ["测试机关党委", "第一党总支", "财务处党支部"]
    assert toggle(shown["测试机关党委"])["aria-expanded"] == "true"
    general = toggle(shown["第一党总支"])
    assert general["aria-expanded"] == "false"
    assert general["data-children-url"] == f"?parent={world.general.pk}"
    assert toggle(shown["财务处党支部"]) == {}  # no children: nothing to expand
    status = text(re.search(r'data-testid="tree-status">(.*?)</p>', response.content.decode(), re.S).group(1))
    assert status.startswith("共5个组织，较多，先显示上两级")
    # 办公室党支部's warning (two full members) lies folded under 第一党总支: its row says so.
    assert "下级1条提示" in text(shown["第一党总支"])
    assert "下级" not in text(shown["财务处党支部"])


def test_the_tree_marks_warnings_below_a_collapsed_org_only_under_it(world, client_for, collapsing):
    branch = OrgFactory(name="新党支部", parent=Organization.objects.get(pk=world.general.pk))
    MemberFactory(org=branch)
    shown = rows(client_for(world.admin).get(TREE))
    assert "下级2条提示" in text(shown["第一党总支"])
    assert "下级" not in text(shown["测试机关党委"])  # open: its children's rows show their own


# ── the children rows (HTMX) ────────────────────────────────────────────────


def test_the_children_rows_come_indented_and_collapsed(world, client_for, collapsing):
    client = client_for(world.admin)
    response = client.get(TREE, {"parent": world.general.pk}, headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<table" not in content and "<html" not in content  # only the rows, to insert after the parent's
    shown = rows(response)
    assert list(shown) == ["办公室党支部"]
    assert level(shown["办公室党支部"]) == "2"
    assert 'data-level="2"' in shown["办公室党支部"]
    assert toggle(shown["办公室党支部"])["data-children-url"] == f"?parent={world.branch_a.pk}"
    few = selectors.WARN_FEW_FULL_MEMBERS.format(full=2, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
    assert few in text(shown["办公室党支部"])
    # The warning sits under the name (phones), then the kind, the department and the count.
    assert [word for word in text(shown["办公室党支部"]).split() if word != few][1:4] == ["党支部", "办公室", "2"]

    groups = rows(client.get(TREE, {"parent": world.branch_a.pk}, headers=HTMX))
    assert list(groups) == ["第一党小组"]
    assert level(groups["第一党小组"]) == "3"
    assert toggle(groups["第一党小组"]) == {}


def test_the_children_rows_refuse_an_org_outside_the_scope(world, client_for):
    client = client_for(world.secretary_b)
    assert client.get(TREE, {"parent": world.branch_a.pk}, headers=HTMX).status_code == 404
    assert client.get(TREE, {"parent": world.committee.pk}, headers=HTMX).status_code == 404
    assert client.get(TREE, {"parent": "x"}, headers=HTMX).status_code == 404
    assert client.get(TREE, {"parent": world.branch_b.pk}, headers=HTMX).status_code == 200


def test_an_org_whose_children_are_all_dissolved_says_so(world, client_for, collapsing):
    group = OrgFactory(name="旧党小组", kind=OrgKind.GROUP, parent=Organization.objects.get(pk=world.branch_b.pk))
    services.org_dissolve(acting_user=world.admin, org=group, dissolved_on=date(2026, 1, 1))
    client = client_for(world.admin)
    # numchild still counts the dissolved group: the row can be expanded, and the rows say there is nothing.
    assert toggle(rows(client.get(TREE))["财务处党支部"])["aria-expanded"] == "false"
    response = client.get(TREE, {"parent": world.branch_b.pk}, headers=HTMX)
    assert rows(response) == {}
    assert text(response.content.decode()) == "无下级组织"
    assert 'data-level="2"' in response.content.decode()  # folded away with its parent's other rows
    with_dissolved = rows(client.get(TREE, {"parent": world.branch_b.pk, "dissolved": "1"}, headers=HTMX))
    assert list(with_dissolved) == ["旧党小组"]


def children_queries(client, parent: Organization) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TREE, {"parent": parent.pk}, headers=HTMX).status_code == 200
    return len(queries)


def test_the_children_rows_take_the_same_queries_whatever_their_number(world, client_for):
    client = client_for(world.admin)
    general = Organization.objects.get(pk=world.general.pk)
    few = children_queries(client, general)
    for _ in range(6):
        branch = OrgFactory(parent=Organization.objects.get(pk=general.pk))
        MemberFactory(org=branch)
        OrgFactory(kind=OrgKind.GROUP, parent=branch)
    many = children_queries(client, general)
    assert len(rows(client.get(TREE, {"parent": general.pk}, headers=HTMX))) == 7
    assert many == few


def test_the_tree_page_takes_the_same_queries_whatever_its_size(world, client_for, settings):
    client = client_for(world.admin)
    with CaptureQueriesContext(connection) as small:
        client.get(TREE)
    for _ in range(4):
        OrgFactory(parent=Organization.objects.get(pk=world.committee.pk))
    settings.ORG_TREE_EXPANDED_MAX = 3
    with CaptureQueriesContext(connection) as large:
        assert len(rows(client.get(TREE))) == 7
    # Not one more (one fewer: no 党小组 among the rows, whose members the whole tree counts by a query of their own).
    assert len(large) <= len(small)


# ── search ──────────────────────────────────────────────────────────────────


def test_search_finds_by_name_department_and_code_with_each_orgs_path(world, client_for):
    client = client_for(world.admin)
    found = rows(client.get(TREE, {"q": "财务"}))
    assert list(found) == ["财务处党支部"]
    assert "测试机关党委" in text(found["财务处党支部"])

    by_code = rows(client.get(TREE, {"q": "a-1"}))
    assert list(by_code) == ["第一党小组"]
    ancestry = re.search(r'data-testid="org-ancestry">(.*?)</div>', by_code["第一党小组"]).group(1)
    assert html.unescape(ancestry) == "测试机关党委 › 第一党总支 › 办公室党支部"
    assert level(by_code["第一党小组"]) == "0"  # a flat list

    by_department = rows(client.get(TREE, {"q": "办公室"}))
    assert list(by_department) == ["办公室党支部"]
    assert "找到1个组织" in client.get(TREE, {"q": "办公室"}).content.decode()
    assert "没有找到匹配的组织" in client.get(TREE, {"q": "不存在的组织"}).content.decode()


def test_search_never_shows_an_org_outside_the_scope(world, client_for):
    client = client_for(world.secretary_b)
    assert rows(client.get(TREE, {"q": "办公室"})) == {}
    assert rows(client.get(TREE, {"q": "党支部"})).keys() == {"财务处党支部"}
    # Its path names only orgs the secretary sees (not the 机关党委 above the branch).
    assert "测试机关党委" not in text(rows(client.get(TREE, {"q": "财务"}))["财务处党支部"])


def test_search_refuses_a_too_long_text_and_lists_a_bounded_number(world, client_for, monkeypatch):
    client = client_for(world.admin)
    response = client.get(TREE, {"q": "党" * (selectors.SEARCH_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert selectors.ERR_SEARCH_TOO_LONG in response.content.decode()
    assert rows(response) == {}

    monkeypatch.setattr(selectors, "SEARCH_MAX_RESULTS", 2)
    response = client.get(TREE, {"q": "党"})
    assert list(rows(response)) == ["测试机关党委", "第一党总支"]  # tree order
    assert "只列出前" in response.content.decode()


def test_search_takes_the_same_queries_whatever_it_finds(world, client_for):
    client = client_for(world.admin)

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(TREE, {"q": query})
        return len(captured)

    # Five orgs, or two (each time with a 党小组, whose members are counted by a query of their own).
    assert queries("党") == queries("第一")


# ── only the orgs with warnings ─────────────────────────────────────────────


def test_the_warnings_list_shows_every_warned_org_flat_with_its_path(world, client_for, collapsing):
    response = client_for(world.admin).get(TREE, {"warnings": "1"})
    shown = rows(response)
    # Both branches have fewer than three full members; 办公室党支部 is folded away in the tree, not here.
    assert list(shown) == ["办公室党支部", "财务处党支部"]
    few = selectors.WARN_FEW_FULL_MEMBERS.format(full=2, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
    assert few in text(shown["办公室党支部"])
    assert "测试机关党委 › 第一党总支" in html.unescape(shown["办公室党支部"])
    assert "2个组织有提示（共2条）" in text(response.content.decode())


def test_the_warnings_list_is_scoped(world, client_for):
    assert list(rows(client_for(world.secretary_b).get(TREE, {"warnings": "1"}))) == ["财务处党支部"]


def test_the_warnings_list_says_when_all_is_in_order(world, client_for):
    for _ in range(2):
        MemberFactory(org=world.branch_a)
        MemberFactory(org=world.branch_b)
    MemberFactory(org=world.branch_b)
    response = client_for(world.admin).get(TREE, {"warnings": "1"})
    assert rows(response) == {}
    assert "没有需要提示的组织" in response.content.decode()
