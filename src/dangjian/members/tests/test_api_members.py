"""The members API: the roster's filter, scope and masking over a bearer token; pages; a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core.lib import idcard
from dangjian.core.services import token_create
from dangjian.members.choices import Education, Gender, Status
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def list_names(api_get, user, **params) -> list[str]:
    response = api_get(user, reverse("api:member_list"), **params)
    assert response.status_code == 200, response.content
    return [m["name"] for m in response.json()["results"]]


def detail(api_get, user, member):
    return api_get(user, reverse("api:member_detail", args=[member.pk]))


# Scope


def test_secretary_a_never_sees_branch_b_members(world, api_get):
    assert sorted(list_names(api_get, world.secretary_a, status="all", page_size=100)) == ["张宏伟", "王小明"]
    assert "李秀英" not in list_names(api_get, world.secretary_a, q="李秀英")
    assert "李秀英" not in list_names(api_get, world.secretary_a, q="lxy")
    response = detail(api_get, world.secretary_a, world.member_b)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在或不在您的权限范围内"}


def test_filtering_by_another_branch_is_refused_not_answered(world, api_get):
    response = api_get(world.secretary_a, reverse("api:member_list"), org=world.branch_b.pk)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == ["org"]
    assert "李秀英" not in response.content.decode()


def test_secretary_b_sees_only_branch_b(world, api_get):
    assert list_names(api_get, world.secretary_b, status="all") == ["李秀英"]
    assert detail(api_get, world.secretary_b, world.member_a).status_code == 404


def test_the_admin_and_inspector_see_everyone(world, api_get):
    for user in (world.admin, world.inspector):
        assert sorted(list_names(api_get, user)) == ["张宏伟", "李秀英", "王小明"]


def test_a_plain_member_reads_only_their_own_record(world, api_get):
    assert api_get(world.member_user_a, reverse("api:member_list")).status_code == 404
    assert detail(api_get, world.member_user_a, world.member_a).status_code == 200
    assert detail(api_get, world.member_user_a, world.member_a2).status_code == 404


def test_a_token_follows_its_users_grants_as_they_change(world, api_get):
    assert detail(api_get, world.secretary_a, world.member_a).status_code == 200
    grant = world.secretary_a.grants[0]
    grant.revoked_at = timezone.now()
    grant.save()
    assert detail(api_get, world.secretary_a, world.member_a).status_code == 404


# Masking, as on the pages


@pytest.mark.parametrize("persona", ["admin", "secretary_a"])
def test_secretaries_and_admins_see_personal_data_in_full(world, api_get, persona):
    user = world.personas()[persona]
    body = detail(api_get, user, world.member_a).json()
    assert (body["id_number"], body["phone"]) == (world.member_a.id_number, world.member_a.phone)
    row = api_get(user, reverse("api:member_list"), q="王小明").json()["results"][0]
    assert (row["id_number"], row["phone"]) == (world.member_a.id_number, world.member_a.phone)


@pytest.mark.parametrize("persona", ["inspector", "committee_member_a"])
def test_inspectors_and_committee_members_see_it_masked(world, api_get, persona):
    user = world.personas()[persona]
    member = world.member_a
    masked = (idcard.mask(member.id_number), idcard.mask_phone(member.phone))
    body = detail(api_get, user, member).json()
    assert (body["id_number"], body["phone"]) == masked
    assert member.id_number not in str(body) and member.phone not in str(body)
    response = api_get(user, reverse("api:member_list"), status="all", page_size=100)
    rows = {row["name"]: row for row in response.json()["results"]}
    assert (rows["王小明"]["id_number"], rows["王小明"]["phone"]) == masked
    assert member.id_number not in response.content.decode()


def test_a_member_sees_their_own_record_in_full(world, api_get):
    body = detail(api_get, world.member_user_a, world.member_a).json()
    assert body["id_number"] == world.member_a.id_number


# Filters (the roster page's) and pages


@pytest.fixture
def roster(world):
    """Branch A, besides 王小明 and 张宏伟: a young probationary woman, an old postgraduate, a transferred-out man."""
    MemberFactory(
        name="赵敏",
        org=world.branch_a,
        gender=Gender.FEMALE,
        birth_date=date(2000, 5, 1),
        category="probationary",
        joined_on=date(2025, 6, 1),
        full_member_on=None,
    )
    # A fixed birth date: the factory's sequence would make the age filter depend on how many tests ran before.
    MemberFactory(
        name="钱学森",
        org=world.branch_a,
        group=world.group_a,
        education=Education.POSTGRADUATE,
        birth_date=date(1980, 3, 1),
    )
    MemberFactory(name="孙立", org=world.branch_a, status=Status.TRANSFERRED_OUT, status_changed_on=date(2025, 1, 1))
    return world


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["张宏伟", "王小明", "赵敏", "钱学森"]),
        ({"status": "all"}, ["张宏伟", "孙立", "王小明", "赵敏", "钱学森"]),
        ({"status": "transferred_out"}, ["孙立"]),
        ({"q": "zm"}, ["赵敏"]),
        ({"q": "钱"}, ["钱学森"]),
        ({"category": "probationary"}, ["赵敏"]),
        ({"gender": "F"}, ["赵敏"]),
        ({"education": "postgraduate"}, ["钱学森"]),
        ({"age_max": 30}, ["赵敏"]),
        ({"joined_year": 2025}, ["赵敏"]),
        ({"gender": "M", "category": "full", "education": "bachelor"}, ["张宏伟", "王小明"]),
    ],
)
def test_it_filters_as_the_roster_page(roster, api_get, params, expected):
    assert sorted(list_names(api_get, roster.secretary_a, page_size=100, **params)) == sorted(expected)


def test_it_filters_by_org_including_the_subtree_and_by_group(roster, api_get):
    assert sorted(list_names(api_get, roster.admin, org=roster.general.pk)) == ["张宏伟", "王小明", "赵敏", "钱学森"]
    assert sorted(list_names(api_get, roster.admin, org=roster.group_a.pk)) == ["王小明", "钱学森"]
    assert list_names(api_get, roster.admin, org=roster.branch_b.pk) == ["李秀英"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"age_min": 200}, "age_min"),
        ({"joined_year": 1900}, "joined_year"),
        ({"org": 10**9}, "org"),
        ({"status": "gone"}, "status"),
        ({"gender": "X"}, "gender"),
        ({"education": "phd"}, "education"),
        ({"joined_year": "二〇二五"}, "joined_year"),
        ({"page_size": 0}, "page_size"),
        ({"page": 10**7}, "page"),
    ],
)
def test_invalid_filters_are_422_naming_the_field(world, api_get, params, field):
    response = api_get(world.admin, reverse("api:member_list"), **params)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["message"]) == ("validation_error", "请求参数有误")
    assert [e["field"] for e in body["errors"]] == [field]
    assert all(e["message"] for e in body["errors"])


def test_it_pages_through_the_roster(roster, api_get):
    url = reverse("api:member_list")
    seen = []
    for page in (1, 2, 3):
        body = api_get(roster.admin, url, page=page, page_size=2).json()
        assert (body["count"], body["page"], body["page_size"]) == (5, page, 2)
        seen += [m["name"] for m in body["results"]]
    assert sorted(seen) == sorted(["张宏伟", "王小明", "赵敏", "钱学森", "李秀英"])
    assert api_get(roster.admin, url, page=4, page_size=2).json()["results"] == []
    assert api_get(roster.admin, url).json()["page_size"] == 25


def test_the_detail_carries_the_record(world, api_get):
    body = detail(api_get, world.secretary_a, world.member_a).json()
    assert body["name"] == "王小明" and body["status"] == "active" and body["exit_kind"] is None
    assert body["org"] == {"id": world.branch_a.pk, "name": "办公室党支部", "code": "A"}
    assert body["group"] == {"id": world.group_a.pk, "name": "第一党小组", "code": "A-1"}
    assert body["birth_date"] == world.member_a.birth_date.isoformat()
    assert body["fee_base"] == "6000.00"


# Queries


def count_queries(client, url, key, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "inspector"])
@pytest.mark.parametrize("params", [{}, {"page_size": 100}, {"status": "all", "q": "cheng"}, {"org": "group"}])
def test_the_list_runs_as_many_queries_for_60_members_as_for_5(world, client, persona, params):
    _token, key = token_create(acting_user=world.personas()[persona], name="test")
    if params.get("org") == "group":
        params = {"org": world.group_a.pk, "page_size": 100}
    url = reverse("api:member_list")
    count_queries(client, url, key, params)  # marks the token used: no request below writes last_used_at
    for i in range(3):
        MemberFactory(org=world.branch_a, group=world.group_a if i % 2 else None, name=f"成员{i:02d}")
    few = count_queries(client, url, key, params)
    for i in range(3, 58):
        MemberFactory(org=world.branch_a, group=world.group_a if i % 2 else None, name=f"成员{i:02d}")
    assert count_queries(client, url, key, params) == few


@pytest.mark.parametrize("persona", ["admin", "inspector", "member_user_a"])
def test_the_detail_runs_a_fixed_number_of_queries(world, client, persona):
    _token, key = token_create(acting_user=world.personas()[persona], name="test")
    url = reverse("api:member_detail", args=[world.member_a.pk])
    count_queries(client, url, key, {})
    assert count_queries(client, url, key, {}) <= 4  # token, grants, member (+ own-record check for a member)
