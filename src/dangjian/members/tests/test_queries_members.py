"""The roster and the member page run a fixed number of queries, however many rows they show (no N+1)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.models import User
from dangjian.members.models import StatusChange, Transfer
from dangjian.members.services import member_transfer_in, member_transfer_out
from dangjian.members.tests.factories import MemberFactory


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def add_members(world, n: int) -> None:
    for i in range(n):
        # Alternate with and without a group so both the group column and its empty value render.
        MemberFactory(org=world.branch_a, group=world.group_a if i % 2 else None, name=f"成员{i:02d}")


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "inspector"])
@pytest.mark.parametrize("params", [{}, {"per_page": 100}, {"sort": "org"}, {"status": "all", "q": "cheng"}])
def test_the_roster_runs_as_many_queries_for_60_members_as_for_5(world, client_for, persona, params):
    client = client_for(world.personas()[persona])
    url = reverse("members:list")
    add_members(world, 3)  # branch A: 5 members
    few = count_queries(client, url, params)
    add_members(world, 55)  # branch A: 60 members
    many = count_queries(client, url, params)
    assert many == few


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "inspector", "member_user_a"])
def test_the_member_page_runs_as_many_queries_for_10_history_rows_as_for_1(world, client_for, persona):
    client = client_for(world.personas()[persona])
    member = world.member_a
    url = reverse("members:detail", args=[member.pk])
    day = date(2020, 1, 1)

    def out(user):
        member_transfer_out(acting_user=user, member=member, transferred_on=day, destination="外单位")

    def back(user):
        member_transfer_in(acting_user=user, member=member, to_org=world.branch_a, transferred_on=day, source="外单位")

    def reopen_login():
        # A transfer out closes the member's own login (members/accounts.py); a reset would open it again.
        User.objects.filter(pk=world.member_user_a.pk).update(is_active=True)

    out(world.secretary_a)
    assert (StatusChange.objects.count(), Transfer.objects.count()) == (1, 1)
    reopen_login()
    few = count_queries(client, url)
    back(world.admin)
    for i in range(4):  # by alternating users, so a per-row lookup of 经办人 would show
        day += timedelta(days=10)
        out(world.admin if i % 2 else world.secretary_a)
        day += timedelta(days=10)
        back(world.secretary_a if i % 2 else world.admin)
    assert (StatusChange.objects.count(), Transfer.objects.count()) == (10, 10)
    reopen_login()
    many = count_queries(client, url)
    assert many == few
