"""The roster's org select: every visible org while few; the roll-up levels (plus the chosen org) when many."""

import pytest
from django.urls import reverse

from dangjian.members import filters

pytestmark = pytest.mark.django_db


def options(response) -> list[str]:
    return [label.strip("　") for value, label in response.context["filter_form"].fields["org"].widget.choices]


def test_few_orgs_are_all_offered_except_groups(world, client_for):
    assert options(client_for(world.admin).get(reverse("members:list"))) == [
        "全部组织",
        "测试机关党委",
        "第一党总支",
        "办公室党支部",
        "财务处党支部",
    ]


def test_many_orgs_offer_the_rollup_levels_and_the_chosen_branch(world, client_for, monkeypatch):
    monkeypatch.setattr(filters, "ORG_SELECT_LIMIT", 2)
    client = client_for(world.admin)
    assert options(client.get(reverse("members:list"))) == ["全部组织", "测试机关党委", "第一党总支"]
    response = client.get(reverse("members:list"), {"org": world.branch_b.pk})
    assert options(response) == ["全部组织", "测试机关党委", "第一党总支", "财务处党支部"]
    names = [m.name for m in response.context["table"].data]
    assert names == ["李秀英"]  # a branch missing from the short list still filters


def test_secretary_sees_only_own_branch(world, client_for):
    assert options(client_for(world.secretary_a).get(reverse("members:list"))) == ["全部组织", "办公室党支部"]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 0),
        ({"q": "zhw", "status": "active"}, 0),  # the search and the default 在册 fold under no button
        ({"status": "all", "gender": "F", "age_min": "", "age_max": "45"}, 3),
    ],
)
def test_a_phone_counts_the_folded_filters_in_use(world, client_for, query, count):
    page = client_for(world.admin).get(reverse("members:list"), query).content.decode()
    assert (f"筛选（{count}）" in page) if count else ("筛选（" not in page)
