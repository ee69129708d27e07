"""Pinyin search under every reading of a polyphonic name: surnames (曾 zeng/ceng) and common given-name characters."""

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.members.readings import MAX_VARIANTS, name_readings
from dangjian.members.services import name_syllables

from .factories import MemberFactory

LIST = reverse("members:list")


def readings(name: str) -> tuple[str, str, str]:
    return name_readings(name, name_syllables(name))


def words(name: str) -> set[str]:
    full, initials, alt = readings(name)
    return {full, initials, *alt.split()}


@pytest.mark.parametrize(
    ("name", "primary", "others"),
    [
        ("曾凯", ("zengkai", "zk"), {"cengkai", "ck"}),
        ("单伟", ("shanwei", "sw"), {"danwei", "dw"}),
        ("解放", ("xiefang", "xf"), {"jiefang", "jf"}),
        ("仇明", ("qiuming", "qm"), {"chouming", "cm"}),
        ("区华", ("ouhua", "oh"), {"quhua", "qh"}),
        ("朴志", ("piaozhi", "pz"), {"puzhi"}),
        ("查良", ("zhaliang", "zl"), {"chaliang", "cl"}),
        ("覃斌", ("qinbin", "qb"), {"tanbin", "tb"}),
        ("缪勇", ("miaoyong", "my"), {"mouyong"}),
        ("尉迟敬德", ("yuchijingde", "ycjd"), {"weichijingde", "wcjd"}),
        ("万俟明", ("moqiming", "mqm"), set()),
        ("长孙无忌", ("zhangsunwuji", "zswj"), {"changsunwuji"}),
        ("乐平", ("yueping", "yp"), {"leping", "lp"}),
        ("盖明", ("geming", "gm"), {"gaiming"}),
        ("种亮", ("chongliang", "cl"), {"zhongliang", "zl"}),
        ("繁华", ("pohua", "ph"), {"fanhua", "fh"}),
        ("员明", ("yunming", "ym"), {"yuanming"}),
        ("召明", ("shaoming", "sm"), {"zhaoming", "zm"}),
        ("黑明", ("heming", "hm"), {"heiming"}),
        ("宓明", ("miming", "mm"), {"fuming", "fm"}),
        ("秘明", ("biming", "bm"), {"miming", "mm"}),
        ("折明", ("sheming", "sm"), {"zheming", "zm"}),
        ("祭明", ("zhaiming", "zm"), {"jiming", "jm"}),
        ("隗明", ("weiming", "wm"), {"kuiming", "km"}),
        ("李朝阳", ("lizhaoyang", "lzy"), {"lichaoyang", "lcy"}),
        ("王重阳", ("wangchongyang", "wcy"), {"wangzhongyang", "wzy"}),
        ("张宏伟", ("zhanghongwei", "zhw"), set()),
    ],
)
def test_readings_of_polyphonic_names(name, primary, others):
    full, initials, alt = readings(name)
    assert (full, initials) == primary
    assert others <= set(alt.split())
    if name == "张宏伟":
        assert alt == ""  # no character with another reading: nothing stored beside the primary reading


def test_readings_are_bounded_and_keep_the_surname_alternates():
    full, initials, alt = readings("曾乐长朝")  # 2 x 2 x 2 x 2 readings: 16 combinations
    fulls = [full] + [w for w in alt.split() if len(w) > 4]
    assert len(fulls) == MAX_VARIANTS
    assert any(w.startswith("ceng") for w in fulls) and full.startswith("zeng")


def test_names_without_character_readings_are_stored_as_pypinyin_reads_them():
    assert readings("阿依古丽·买买提") == ("ayigulimaimaiti", "ayglmmt", "")


def row_pks(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].paginated_rows]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["zk", "zengkai", "ZengK", "ck", "cengkai", "曾凯"])
def test_zeng_kai_is_found_under_either_reading(world, client_for, query):
    zeng = MemberFactory(org=world.branch_a, name="曾凯")
    assert row_pks(client_for(world.secretary_a).get(LIST, {"q": query})) == [zeng.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["shanwei", "sw", "danwei", "dw", "dan"])
def test_shan_is_found_as_shan_and_dan(world, client_for, query):
    shan = MemberFactory(org=world.branch_a, name="单伟")
    assert row_pks(client_for(world.secretary_a).get(LIST, {"q": query})) == [shan.pk]


@pytest.mark.django_db
def test_an_alternate_reading_only_matches_a_word_start_and_stays_in_scope(world, client_for):
    MemberFactory(org=world.branch_a, name="曾凯")
    outsider = MemberFactory(org=world.branch_b, name="曾凯")
    client = client_for(world.secretary_a)
    assert row_pks(client.get(LIST, {"q": "engkai"})) == []  # inside "cengkai", not at its start
    assert outsider.pk not in row_pks(client.get(LIST, {"q": "ck"}))
    assert row_pks(client_for(world.secretary_b).get(LIST, {"q": "ck"})) == [outsider.pk]


@pytest.mark.django_db
def test_an_edit_recomputes_the_readings(world):
    member = MemberFactory(org=world.branch_a, name="曾凯")
    assert member.name_pinyin_alt
    member.name = "王凯"
    from dangjian.members.services import member_update

    member_update(acting_user=world.admin, member=member)
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials, member.name_pinyin_alt) == ("wangkai", "wk", "")


@pytest.mark.django_db
def test_the_migration_fills_readings_of_existing_members(world):
    zeng = MemberFactory(org=world.branch_a, name="曾凯")
    Member.objects.filter(pk=zeng.pk).update(name_pinyin="cengkai", name_initials="ck", name_pinyin_alt="")
    plain_before = Member.objects.values_list("pk", "name_pinyin").get(pk=world.member_a2.pk)
    migration = importlib.import_module("dangjian.members.migrations.0007_name_pinyin_alt")
    migration.fill_name_readings(apps, None)
    zeng.refresh_from_db()
    assert (zeng.name_pinyin, zeng.name_initials, zeng.name_pinyin_alt) == ("zengkai", "zk", " cengkai ck")
    assert Member.objects.values_list("pk", "name_pinyin").get(pk=world.member_a2.pk) == plain_before


@pytest.mark.django_db
def test_the_search_reads_alternates_once_and_the_page_by_indexes(world, client_for):
    """One small query for the alternates' ids, then the page's own: on PostgreSQL its name arms are three
    indexed conditions (two prefix matches and the primary key), never a LIKE '%…%' over every member."""
    zeng = MemberFactory(org=world.branch_a, name="曾凯")
    client = client_for(world.secretary_a)
    with CaptureQueriesContext(connection) as queries:
        assert row_pks(client.get(LIST, {"q": "ck"})) == [zeng.pk]
    sqls = [q["sql"] for q in queries.captured_queries]
    alternates = [sql for sql in sqls if re.search(r'"name_pinyin_alt"(::text)? LIKE', sql)]
    assert len(alternates) == 1 and "orgs_organization" not in alternates[0]  # no join, no sort: the index alone
    page = [sql for sql in sqls if re.search(r'"name_pinyin"(::text)? LIKE', sql)]
    assert page and all("% ck" not in sql for sql in page)
    assert all(f'"members_member"."id" IN ({zeng.pk})' in sql for sql in page)
