"""The orgs API: the token user's visible orgs with member counts, scope as on the tree page, no N+1."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.services import token_create
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [o["name"] for o in response.json()["results"]]


def test_it_lists_the_admins_whole_tree_in_tree_order(world, api_get):
    response = api_get(world.admin, reverse("api:org_list"))
    assert names(response) == ["测试机关党委", "第一党总支", "办公室党支部", "第一党小组", "财务处党支部"]
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (5, 1, 25)


def test_secretary_a_never_sees_branch_b(world, api_get):
    assert names(api_get(world.secretary_a, reverse("api:org_list"), page_size=100)) == ["办公室党支部", "第一党小组"]
    response = api_get(world.secretary_a, reverse("api:org_detail", args=[world.branch_b.pk]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_secretary_b_sees_only_branch_b(world, api_get):
    assert names(api_get(world.secretary_b, reverse("api:org_list"))) == ["财务处党支部"]
    assert api_get(world.secretary_b, reverse("api:org_detail", args=[world.branch_a.pk])).status_code == 404


def test_a_plain_member_has_no_list_but_sees_their_own_branch(world, api_get):
    assert api_get(world.member_user_a, reverse("api:org_list")).status_code == 404
    response = api_get(world.member_user_a, reverse("api:org_detail", args=[world.branch_a.pk]))
    assert response.status_code == 200
    assert response.json()["name"] == "办公室党支部"


def test_detail_has_counts_children_and_visible_parent(world, api_get):
    MemberFactory(org=world.branch_a, category="probationary", full_member_on=None)
    body = api_get(world.admin, reverse("api:org_detail", args=[world.branch_a.pk])).json()
    assert body["kind"] == OrgKind.BRANCH and body["kind_display"] == "党支部"
    assert (body["members_full"], body["members_probationary"], body["members_total"]) == (2, 1, 3)
    assert body["parent_id"] == world.general.pk
    assert body["children"] == [{"id": world.group_a.pk, "name": "第一党小组", "code": "A-1"}]
    committee = api_get(world.admin, reverse("api:org_detail", args=[world.committee.pk])).json()
    assert committee["members_total"] == 4  # the whole subtree: branch A's 3 and branch B's 1
    assert committee["parent_id"] is None


def test_a_parent_outside_the_scope_is_not_disclosed(world, api_get):
    body = api_get(world.secretary_a, reverse("api:org_detail", args=[world.branch_a.pk])).json()
    assert body["parent_id"] is None  # 第一党总支 is above secretary A's scope
    group = api_get(world.secretary_a, reverse("api:org_detail", args=[world.group_a.pk])).json()
    assert group["parent_id"] == world.branch_a.pk


def test_it_filters_by_kind_and_hides_dissolved_unless_asked(world, api_get):
    OrgFactory(name="已撤销党支部", code="X", parent=world.general, dissolved_on=date(2024, 1, 1))
    url = reverse("api:org_list")
    assert names(api_get(world.admin, url, kind="branch")) == ["办公室党支部", "财务处党支部"]
    assert "已撤销党支部" in names(api_get(world.admin, url, include_dissolved="true"))
    assert "已撤销党支部" not in names(api_get(world.admin, url))


def test_it_pages(world, api_get):
    url = reverse("api:org_list")
    assert names(api_get(world.admin, url, page_size=2)) == ["测试机关党委", "第一党总支"]
    body = api_get(world.admin, url, page_size=2, page=3).json()
    assert [o["name"] for o in body["results"]] == ["财务处党支部"]
    assert (body["count"], body["page"], body["page_size"]) == (5, 3, 2)
    assert api_get(world.admin, url, page_size=2, page=4).json()["results"] == []
    response = api_get(world.admin, url, page_size=101)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "page_size", "message": "不能大于 100"}]


def test_the_list_runs_as_many_queries_for_45_orgs_as_for_5(world, client):
    _token, key = token_create(acting_user=world.admin, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = reverse("api:org_list")
    client.get(url, **headers)  # marks the token used, so no request below writes last_used_at

    def count(page_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": page_size}, **headers)
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, response.json()["count"])
        return len(queries)

    few = count(100)  # the world's 5 orgs, a party group among them (its counts are one more grouped query)
    for i in range(20):
        branch = OrgFactory(name=f"支部{i}", code=f"Z{i}", parent=world.general)
        OrgFactory(name=f"小组{i}", code=f"Z{i}-1", kind=OrgKind.GROUP, parent=branch)
        MemberFactory(org=branch)
    assert count(100) == few
