"""Member statistics: numbers against hand-counted expectations (bands at their boundaries), scope, drill-down,
the page with its chart data, the xlsx of each table, and a constant number of queries."""

import io
import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.members.choices import Category, Education, Gender, Status
from dangjian.members.importer.services import import_members
from dangjian.members.models import Member, StatsSnapshot
from dangjian.members.stats import (
    AGE_BANDS,
    MSG_RECOUNTED,
    PARTY_AGE_BANDS,
    PARTY_AGE_PROBATIONARY,
    NoSuchTable,
    member_stats,
    refresh_snapshots,
    stats_recount,
)
from dangjian.members.tasks import precompute_stats
from dangjian.members.tests.factories import MemberFactory
from dangjian.members.tests.test_importer_support import good_row, write_xlsx
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.tests.factories import OrgFactory

TODAY = date(2026, 11, 29)
STATS = reverse("members:stats")
EXPORT = reverse("members:stats_export")


@pytest.fixture(autouse=True)
def on_the_counted_day(clock):
    """The ages and 党龄 below are counted by hand for TODAY: every test here runs on that day, whatever the date."""
    clock.set(TODAY)


@pytest.fixture
def counted(world):
    """The world's three members with fixed dates, plus: a probationary member (branch A), a member transferred
    out (branch B) and a member of a second branch under the 党总支. Ages and 党龄 on TODAY in the comments."""
    Member.objects.filter(pk=world.member_a.pk).update(
        birth_date=date(1995, 11, 30),
        full_member_on=date(2022, 7, 1),  # 30 (31 tomorrow); 党龄 4
    )
    Member.objects.filter(pk=world.member_a2.pk).update(
        birth_date=date(1980, 11, 29), full_member_on=date(2016, 11, 29), education=Education.POSTGRADUATE
    )  # 46 today; 党龄 10 today
    Member.objects.filter(pk=world.member_b.pk).update(
        birth_date=date(1950, 5, 5), full_member_on=date(1976, 11, 30)
    )  # 76; 党龄 49 (50 tomorrow)
    probationary = MemberFactory(
        name="吴预备",
        org=world.branch_a,
        gender=Gender.FEMALE,
        ethnicity="回族",
        birth_date=date(1998, 6, 1),  # 28
        category=Category.PROBATIONARY,
        joined_on=date(2026, 3, 1),
        full_member_on=None,
        education=Education.JUNIOR_COLLEGE,
    )
    gone = MemberFactory(name="周离开", org=world.branch_b)
    Member.objects.filter(pk=gone.pk).update(status=Status.TRANSFERRED_OUT)
    branch_c = OrgFactory(name="第二党支部", code="C", parent=world.general)
    other = MemberFactory(
        name="郑其他",
        org=branch_c,
        birth_date=date(1991, 11, 29),  # 35 today
        joined_on=date(2020, 11, 30),
        full_member_on=date(2021, 11, 30),  # 党龄 4 (5 tomorrow)
    )
    return {"probationary": probationary, "gone": gone, "branch_c": branch_c, "other": other}


def counts(table) -> dict[str, int]:
    return {row.label: row.count for row in table.rows}


def org_rows(stats) -> list[tuple[str, int, int]]:
    return [(r.label, r.full, r.probationary) for r in stats.orgs.rows]


def band(bands, **nonzero) -> dict[str, int]:
    return {label: nonzero.get(label, 0) for label, _ in bands}


def test_numbers_for_the_whole_tree(world, counted):
    stats = member_stats(fetched_by=world.admin, today=TODAY)
    assert stats.org == world.committee
    assert stats.total == 5
    by_key = {t.key: t for t in stats.tables}
    assert counts(by_key["category"]) == {"正式党员": 4, "预备党员": 1}
    assert counts(by_key["gender"]) == {"男": 3, "女": 2}
    assert counts(by_key["age"]) == band(AGE_BANDS, **{"30岁及以下": 2, "31-35岁": 1, "46-50岁": 1, "61岁及以上": 1})
    assert counts(by_key["party_age"]) == {
        **band(PARTY_AGE_BANDS, **{"5年以下": 2, "10-20年": 1, "40-50年": 1}),
        PARTY_AGE_PROBATIONARY: 1,
    }
    assert counts(by_key["education"]) == {label: 0 for label in Education.labels} | {
        "研究生": 1,
        "大学本科": 3,
        "大学专科": 1,
    }
    assert [(r.label, r.count) for r in by_key["ethnicity"].rows] == [("汉族", 4), ("回族", 1)]
    assert counts(by_key["status"]) == {label: 0 for label in Status.labels} | {"在册": 5, "转出": 1}
    # Shares: one decimal, of the table's total.
    assert [(r.label, r.percent) for r in by_key["gender"].rows] == [("男", 60.0), ("女", 40.0)]
    # Per org: the committee's children, subtree counts by category.
    assert org_rows(stats) == [
        ("第一党总支", 3, 1),
        ("财务处党支部", 1, 0),
    ]
    assert (stats.orgs.total, stats.orgs.full, stats.orgs.probationary) == (5, 4, 1)


def test_bands_move_on_the_day_of_a_birthday(world, counted):
    tomorrow = date(2026, 11, 30)
    by_key = {t.key: t for t in member_stats(fetched_by=world.admin, today=tomorrow).tables}
    assert counts(by_key["age"])["30岁及以下"] == 1  # member A turned 31
    assert counts(by_key["age"])["31-35岁"] == 2
    assert counts(by_key["party_age"])["5年以下"] == 1  # 郑其他 reached 党龄 5
    assert counts(by_key["party_age"])["5-10年"] == 1
    assert counts(by_key["party_age"])["50年及以上"] == 1  # 李秀英 reached 党龄 50


def test_drill_down_to_the_general_branch_then_branch_then_group(world, counted):
    stats = member_stats(fetched_by=world.admin, org_id=world.general.pk, today=TODAY)
    assert stats.total == 4
    assert org_rows(stats) == [
        ("办公室党支部", 2, 1),
        ("第二党支部", 1, 0),
    ]
    assert stats.ancestors == [world.committee]

    stats = member_stats(fetched_by=world.admin, org_id=world.branch_a.pk, today=TODAY)
    # A branch's rows are its groups; its members in no group make the last row.
    assert org_rows(stats) == [
        ("第一党小组", 1, 0),
        ("未编入党小组", 1, 1),
    ]
    assert stats.orgs.rows[-1].org is None
    assert counts({t.key: t for t in stats.tables}["gender"]) == {"男": 2, "女": 1}
    assert stats.ancestors == [world.committee, world.general]

    stats = member_stats(fetched_by=world.admin, org_id=world.group_a.pk, today=TODAY)
    assert [(r.label, r.total) for r in stats.orgs.rows] == [("第一党小组", 1)]
    assert counts({t.key: t for t in stats.tables}["category"]) == {"正式党员": 1, "预备党员": 0}


def test_a_secretary_never_counts_another_branch(world, counted):
    stats = member_stats(fetched_by=world.secretary_a, today=TODAY)
    assert stats.org == world.branch_a
    assert stats.total == 3
    by_key = {t.key: t for t in stats.tables}
    assert counts(by_key["status"])["在册"] == 3 and counts(by_key["status"])["转出"] == 0
    assert counts(by_key["gender"]) == {"男": 2, "女": 1}
    assert stats.ancestors == []  # the 党总支 and the committee are outside their scope

    stats = member_stats(fetched_by=world.secretary_b, today=TODAY)
    assert stats.total == 1
    assert counts({t.key: t for t in stats.tables}["status"])["转出"] == 1


@pytest.mark.parametrize("target", ["branch_b", "general", "committee"])
def test_drill_down_outside_the_scope_is_404(world, counted, target):
    with pytest.raises(Organization.DoesNotExist):
        member_stats(fetched_by=world.secretary_a, org_id=getattr(world, target).pk)


@pytest.mark.parametrize("value", ["abc", "999999", "-1"])
def test_a_bad_org_is_404(world, value):
    with pytest.raises(Organization.DoesNotExist):
        member_stats(fetched_by=world.admin, org_id=value)


def test_a_user_with_two_scopes_sees_both_side_by_side(world, counted):
    RoleGrant.objects.create(user=world.secretary_a, role=Role.COMMITTEE_MEMBER, org=world.branch_b)
    world.secretary_a.__dict__.pop("grants", None)
    stats = member_stats(fetched_by=world.secretary_a, today=TODAY)
    assert stats.org is None
    assert [(r.label, r.total) for r in stats.orgs.rows] == [("办公室党支部", 3), ("财务处党支部", 1)]
    assert stats.total == 4


def test_a_member_of_another_branch_with_a_grant_is_counted_only_in_their_scope(world, counted):
    """A plain member's own record does not widen the statistics (their own branch is no statistics scope)."""
    RoleGrant.objects.create(user=world.member_user_a, role=Role.INSPECTOR, org=world.branch_b)
    world.member_user_a.__dict__.pop("grants", None)
    stats = member_stats(fetched_by=world.member_user_a, today=TODAY)
    assert stats.org == world.branch_b and stats.total == 1
    with pytest.raises(Organization.DoesNotExist):
        member_stats(fetched_by=world.member_user_a, org_id=world.branch_a.pk)


# ---- the page --------------------------------------------------------------------------------------------------


def chart_blobs(page: str) -> dict[str, dict]:
    found = re.findall(r'<script id="(chart-[a-z_]+)" type="application/json">(.*?)</script>', page, re.S)
    return {key: json.loads(blob) for key, blob in found}


def test_page_shows_tables_and_chart_data(world, counted, client_for):
    response = client_for(world.admin).get(STATS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "在册党员 5 人" in page
    blobs = chart_blobs(page)
    keys = ["chart-orgs", "chart-category", "chart-gender", "chart-age", "chart-party_age"]
    keys += ["chart-education", "chart-ethnicity", "chart-status"]
    assert set(blobs) == set(keys)
    assert blobs["chart-gender"] == {"type": "pie", "title": "按性别统计", "labels": ["男", "女"], "values": [3, 2]}
    assert blobs["chart-age"]["type"] == "bar"
    assert blobs["chart-orgs"]["labels"] == ["第一党总支", "财务处党支部"]
    assert blobs["chart-orgs"]["series"][0] == {"name": "正式党员", "values": [3, 1]}
    for key in keys:
        assert f'data-chart="{key}"' in page
    # ECharts from the vendored copy, never a CDN.
    assert '/static/vendor/echarts/echarts.min.js"' in page
    assert not re.search(r'<script[^>]+src="(https?:)?//', page)
    # Drill-down and export links.
    assert f'href="?org={world.general.pk}"' in page
    assert f"{EXPORT}?table=gender" in page


def test_page_of_a_branch_links_up_only_within_scope(world, counted, client_for):
    page = client_for(world.admin).get(STATS, {"org": world.branch_a.pk}).content.decode()
    assert f'href="?org={world.general.pk}">第一党总支</a>' in page
    assert "未编入党小组" in page
    page = client_for(world.secretary_a).get(STATS).content.decode()
    assert "第一党总支" not in page and "测试机关党委" not in page and "财务处党支部" not in page
    assert "李秀英" not in page and "周离开" not in page


def test_out_of_scope_drill_down_page_is_404(world, client_for):
    client = client_for(world.secretary_a)
    assert client.get(STATS, {"org": world.branch_b.pk}).status_code == 404
    assert client.get(EXPORT, {"table": "gender", "org": world.branch_b.pk}).status_code == 404


def test_a_plain_member_has_no_statistics(world, client_for):
    client = client_for(world.member_user_a)
    assert client.get(STATS).status_code == 404
    assert client.get(EXPORT, {"table": "gender"}).status_code == 404


def test_navigation_links_to_statistics(world, client_for):
    page = client_for(world.inspector).get(reverse("core:home")).content.decode()
    assert f'href="{STATS}"' in page


# ---- xlsx of one table -----------------------------------------------------------------------------------------


def download(client, **params) -> list[list]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = io.BytesIO(b"".join(response.streaming_content))
    book = CalamineWorkbook.from_filelike(data)
    return book.get_sheet_by_index(0).to_python()


def test_each_table_exports_to_xlsx(world, counted, client_for):
    client = client_for(world.admin)
    sheet = download(client, table="gender")
    assert sheet[0][0] == "测试机关党委 党员按性别统计"
    assert sheet[3] == ["性别", "人数", "占比"]
    assert sheet[4:] == [["男", 3.0, 0.6], ["女", 2.0, 0.4], ["合计", 5.0, 1.0]]

    sheet = download(client, table="orgs", org=world.branch_a.pk)
    assert sheet[0][0] == "办公室党支部 党员按组织统计"
    assert sheet[3] == ["组织", "党员总数", "正式党员", "预备党员"]
    assert sheet[4:] == [["第一党小组", 1.0, 1.0, 0.0], ["未编入党小组", 2.0, 1.0, 1.0], ["合计", 3.0, 2.0, 1.0]]

    for key in ("category", "age", "party_age", "education", "ethnicity", "status"):
        sheet = download(client, table=key)
        assert sheet[-1][0] == "合计"
    assert download(client, table="status")[-1][1] == 6.0  # in register and transferred out


def test_all_tables_export_to_one_workbook_a_sheet_each(world, counted, client_for):
    client = client_for(world.admin)
    page = client.get(STATS, {"org": world.general.pk}).content.decode()
    assert f'href="{EXPORT}?table=all&amp;org={world.general.pk}"' in page
    response = client.get(EXPORT, {"table": "all", "org": world.general.pk})
    assert response.status_code == 200
    assert quote(f"党员统计_第一党总支_{TODAY:%Y%m%d}.xlsx") in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheet_names == [
        "按组织统计",
        "按人员类别统计",
        "按性别统计",
        "按年龄统计",
        "按党龄统计",
        "按学历统计",
        "按民族统计",
        "按党籍状态统计（含非在册党员）",
    ]
    orgs = book.get_sheet_by_name("按组织统计").to_python()
    assert orgs[0][0] == "第一党总支 党员按组织统计"
    assert orgs[4:] == [["办公室党支部", 3.0, 2.0, 1.0], ["第二党支部", 1.0, 1.0, 0.0], ["合计", 4.0, 3.0, 1.0]]
    gender = book.get_sheet_by_name("按性别统计").to_python()
    assert gender == download(client, table="gender", org=world.general.pk)  # the same sheet as alone
    # The scope holds for the whole workbook too.
    assert client_for(world.secretary_b).get(EXPORT, {"table": "all", "org": world.general.pk}).status_code == 404


def test_a_secretary_exports_only_their_branch(world, counted, client_for):
    sheet = download(client_for(world.secretary_a), table="gender")
    assert sheet[0][0] == "办公室党支部 党员按性别统计"
    assert sheet[-1] == ["合计", 3.0, 1.0]


@pytest.mark.parametrize("params", [{}, {"table": "nope"}, {"table": "__class__"}])
def test_unknown_table_is_404(world, client_for, params):
    assert client_for(world.admin).get(EXPORT, params).status_code == 404


# ---- a constant number of queries ------------------------------------------------------------------------------


def add_branch_with_groups(world, n: int) -> None:
    branch = OrgFactory(parent=world.general)
    group = OrgFactory(parent=branch, kind=OrgKind.GROUP)
    for i in range(n):
        MemberFactory(
            org=branch,
            group=group if i % 2 else None,
            gender=Gender.FEMALE if i % 3 else Gender.MALE,
            ethnicity="汉族" if i % 4 else "满族",
            category=Category.PROBATIONARY if i % 5 == 0 else Category.FULL,
            birth_date=date(1960 + i, 3, 1),
            joined_on=date(1990 + i, 7, 1),
            full_member_on=None if i % 5 == 0 else date(1991 + i, 7, 1),
        )


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STATS, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "inspector"])
def test_the_page_runs_as_many_queries_for_3x_the_data(world, client_for, persona):
    client = client_for(world.personas()[persona])
    params_for = [{}, {"org": world.branch_a.pk}, {"org": world.group_a.pk}]
    if persona != "secretary_a":
        params_for.append({"org": world.general.pk})
    add_branch_with_groups(world, 4)
    MemberFactory(org=world.branch_a, group=world.group_a)
    few = [count_queries(client, params) for params in params_for]
    for _ in range(2):
        add_branch_with_groups(world, 8)
    for i in range(6):
        MemberFactory(org=world.branch_a, group=world.group_a if i % 2 else None)
    many = [count_queries(client, params) for params in params_for]
    assert many == few
    # The shell (session, user, grants), the org(s), children, the per-org counts, ancestors, 7 tables.
    assert max(few) <= 17


# ---- precomputed figures of big scopes -------------------------------------------------------------------------


def as_shown(stats) -> tuple:
    """Everything the page and the downloads show, for comparing precomputed figures with live ones."""
    return org_rows(stats), [(t.key, [(r.label, r.count) for r in t.rows]) for t in stats.tables]


@pytest.fixture
def big_from_3(settings):
    """Orgs with 3 or more members in register count as big (the world's committee 5, 党总支 4, branch A 3)."""
    settings.STATS_PRECOMPUTE_MIN_MEMBERS = 3
    settings.STATS_PRECOMPUTE_MINUTES = 10


def test_refresh_precomputes_big_scopes_only(world, counted, big_from_3):
    targets = refresh_snapshots(today=TODAY)
    assert targets == [world.committee, world.general, world.branch_a]
    assert set(StatsSnapshot.objects.values_list("org", flat=True)) == {o.pk for o in targets}
    # An org that shrinks below the size loses its precomputed figures at the next refresh.
    Member.objects.filter(pk=counted["probationary"].pk).update(status=Status.TRANSFERRED_OUT)
    assert refresh_snapshots(today=TODAY) == [world.committee, world.general]
    assert not StatsSnapshot.objects.filter(org=world.branch_a).exists()


@pytest.mark.parametrize("org", ["committee", "general", "branch_a"])  # by path, by path, by 党小组
def test_precomputed_figures_equal_live_ones(world, counted, big_from_3, org):
    refresh_snapshots(today=TODAY)
    org_id = getattr(world, org).pk
    precomputed = member_stats(fetched_by=world.admin, org_id=org_id, today=TODAY)
    assert precomputed.computed_at is not None
    live = member_stats(fetched_by=world.admin, org_id=org_id, today=TODAY, live=True)
    assert live.computed_at is None
    assert as_shown(precomputed) == as_shown(live)
    assert as_shown(member_stats(fetched_by=world.secretary_a, today=TODAY)) == as_shown(
        member_stats(fetched_by=world.admin, org_id=world.branch_a.pk, today=TODAY)
    )


def test_precomputed_figures_are_what_every_persona_counts_live(world, counted, big_from_3):
    """Precomputed counts skip visible_to: they must equal, for anyone who reaches them, what visible_to gives."""
    MemberFactory(org=world.branch_b, user=world.secretary_a, name="本人记录")  # an own record outside the scope
    refresh_snapshots(today=TODAY)
    compared = 0
    for name, user in world.personas().items():
        for org in (None, world.committee, world.general, world.branch_a):
            org_id = org.pk if org else None
            try:
                precomputed = member_stats(fetched_by=user, org_id=org_id, today=TODAY)
            except Organization.DoesNotExist:
                with pytest.raises(Organization.DoesNotExist):
                    member_stats(fetched_by=user, org_id=org_id, today=TODAY, live=True)
                continue
            live = member_stats(fetched_by=user, org_id=org_id, today=TODAY, live=True)
            assert as_shown(precomputed) == as_shown(live), (name, org)
            compared += precomputed.computed_at is not None
    assert compared == 12  # admin, inspector: the tree and its three; secretary A, committee member A: branch A twice


def test_precomputed_figures_stay_until_refreshed_or_recounted(world, counted, big_from_3):
    refresh_snapshots(today=TODAY)
    MemberFactory(org=world.branch_b, name="新党员")
    assert member_stats(fetched_by=world.admin, today=TODAY).total == 5  # as of the refresh
    assert member_stats(fetched_by=world.admin, today=TODAY, live=True).total == 6
    assert member_stats(fetched_by=world.admin, today=TODAY).total == 5  # reading live keeps nothing
    assert stats_recount(acting_user=world.admin, org=world.committee, today=TODAY) is True
    after = member_stats(fetched_by=world.admin, today=TODAY)
    assert after.computed_at is not None
    assert after.total == 6


def test_a_recount_stays_in_the_scope_and_adds_no_precomputed_figures(world, counted, big_from_3):
    refresh_snapshots(today=TODAY)
    before = list(StatsSnapshot.objects.order_by("pk").values())
    MemberFactory(org=world.branch_a, name="新党员")
    with pytest.raises(PermissionDenied):
        stats_recount(acting_user=world.secretary_b, org=world.committee, today=TODAY)
    with pytest.raises(PermissionDenied):  # a plain member's own branch is no statistics scope
        stats_recount(acting_user=world.member_user_a, org=world.branch_a, today=TODAY)
    assert stats_recount(acting_user=world.secretary_b, org=world.branch_b, today=TODAY) is False  # a small scope
    assert list(StatsSnapshot.objects.order_by("pk").values()) == before


def test_an_unknown_table_is_no_such_table(world):
    with pytest.raises(NoSuchTable):
        member_stats(fetched_by=world.admin, only="salary")
    with pytest.raises(NoSuchTable):
        member_stats(fetched_by=world.admin).table("salary")


def test_old_or_other_day_figures_are_not_shown(world, counted, big_from_3):
    refresh_snapshots(today=TODAY)
    MemberFactory(org=world.branch_b, name="新党员")
    StatsSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=31))  # 3 periods: worker stopped
    stats = member_stats(fetched_by=world.admin, today=TODAY)
    assert (stats.computed_at, stats.total) == (None, 6)
    refresh_snapshots(today=TODAY)
    assert member_stats(fetched_by=world.admin, today=date(2026, 11, 30)).computed_at is None  # bands move daily


def test_small_scopes_and_several_tops_are_always_live(world, counted, big_from_3):
    refresh_snapshots(today=TODAY)
    assert member_stats(fetched_by=world.admin, org_id=world.branch_b.pk, today=TODAY).computed_at is None
    RoleGrant.objects.create(user=world.secretary_a, org=world.branch_b, role=Role.SECRETARY)
    assert member_stats(fetched_by=world.secretary_a, today=TODAY).computed_at is None  # two tops side by side


def test_precomputed_figures_keep_the_scope(world, counted, big_from_3, client_for):
    refresh_snapshots(today=TODAY)
    client = client_for(world.secretary_b)
    assert client.get(STATS, {"org": world.general.pk}).status_code == 404
    assert client.get(EXPORT, {"table": "gender", "org": world.committee.pk}).status_code == 404


def test_page_says_when_its_figures_were_counted_and_recounts_on_request(world, counted, big_from_3, client_for):
    refresh_snapshots(today=TODAY)
    snapshot = StatsSnapshot.objects.get(org=world.committee)
    snapshot.computed_at = timezone.now() - timedelta(minutes=7)
    snapshot.save()
    MemberFactory(org=world.branch_b, name="新党员")
    client = client_for(world.admin)
    page = client.get(STATS).content.decode()
    shown = timezone.localtime(snapshot.computed_at).strftime("%H:%M")
    recount = reverse("members:stats_recount", args=[world.committee.pk])
    assert f"每10分钟预先计算一次，以下为 {shown} 的数据" in page
    assert f'<form method="post" action="{recount}"' in page
    assert "在册党员 5 人" in page
    assert download(client, table="gender")[1][0].startswith(f"统计日期：2026年11月29日，{shown} 预先计算")
    # A GET never writes: the old way of asking for a recount (?live=1) shows the same figures and keeps them.
    assert "在册党员 5 人" in client.get(STATS, {"org": world.committee.pk, "live": "1"}).content.decode()
    assert StatsSnapshot.objects.get(org=world.committee).computed_at == snapshot.computed_at

    response = client.post(recount)
    assert response["Location"] == f"{STATS}?org={world.committee.pk}"
    page = client.get(response["Location"]).content.decode()
    assert MSG_RECOUNTED in page
    assert "在册党员 6 人" in page
    assert "在册党员 6 人" in client.get(STATS).content.decode()  # and kept


def test_the_recount_button_needs_the_csrf_token(world, counted, big_from_3):
    refresh_snapshots(today=TODAY)
    MemberFactory(org=world.branch_b, name="新党员")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    assert client.post(reverse("members:stats_recount", args=[world.committee.pk])).status_code == 403
    assert member_stats(fetched_by=world.admin, today=TODAY).total == 5


def test_a_precomputed_page_shows_the_precomputed_figures(world, counted, big_from_3, client_for):
    """What the page shows comes from the snapshot, not from the member rows (which say 5)."""
    refresh_snapshots()  # for the day the page counts
    snapshot = StatsSnapshot.objects.get(org=world.committee)
    snapshot.counts["total"] = [40, 2]
    snapshot.save()
    page = client_for(world.admin).get(STATS).content.decode()
    assert "在册党员 42 人（正式党员 40 人，预备党员 2 人）" in page


def test_an_import_refreshes_the_precomputed_figures(
    world, counted, big_from_3, tmp_path, django_capture_on_commit_callbacks
):
    refresh_snapshots()
    before = member_stats(fetched_by=world.admin).total
    path = write_xlsx(tmp_path / "花名册.xlsx", [good_row(姓名="孙立平")])
    with django_capture_on_commit_callbacks(execute=True):  # the refresh task runs at commit (tasks run inline here)
        report = import_members(acting_user=world.admin, path=path)
    assert report.ok, report.errors
    stats = member_stats(fetched_by=world.admin)
    assert stats.computed_at is not None
    assert stats.total == before + 1


def test_the_task_worker_refreshes_every_ten_minutes(world, counted, big_from_3):
    task = precompute_stats.task_class()
    assert task.validate_datetime(datetime(2026, 11, 29, 9, 20))
    assert not task.validate_datetime(datetime(2026, 11, 29, 9, 25))
    precompute_stats()  # enqueued; tasks run inline in the tests
    assert StatsSnapshot.objects.count() == 3
