"""Roster pages: scope, filters, sorting, paging, HTMX, masking of personal data, and the forms (errors next to
the field, 400, nothing saved; valid posts audited)."""

import html
import json
import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dangjian.core.lib import idcard
from dangjian.core.lib.dates import years_before
from dangjian.core.validators import future_message
from dangjian.members.choices import Category, Education, ExitKind, Gender, Status, TransferKind
from dangjian.members.models import (
    ERR_EXIT_KIND,
    ERR_ID_BIRTH,
    ERR_ID_DUPLICATE,
    Member,
    StatusChange,
    Transfer,
)
from dangjian.members.services import ERR_SAME_STATUS, member_change_status, member_transfer_out
from dangjian.members.tests.factories import MemberFactory, member_form_data
from dangjian.members.validators import ERR_PHONE

GB_EXAMPLE = "11010519491231002X"  # born 1949-12-31, female (core/lib/tests/test_idcard.py)
LIST = reverse("members:list")


def detail_url(member) -> str:
    return reverse("members:detail", args=[member.pk])


def row_pks(response) -> list[int]:
    """Members listed in the roster table, in page order."""
    text = response.content.decode()
    table = text[text.index('data-testid="roster"') :]
    prefix = re.escape(reverse("members:detail", args=[0])[: -len("0/")])
    return [int(pk) for pk in re.findall(rf'href="{prefix}(\d+)/"', table)]


def pks(*members) -> set[int]:
    return {m.pk for m in members}


def field_errors(response, field: str) -> list[str]:
    text = response.content.decode()
    found = re.findall(rf'<div class="invalid-feedback d-block" data-field="{field}">(.*?)</div>', text, re.S)
    return [html.unescape(e) for e in found]


def db_state():
    """Everything a roster form could write, to assert that a refused post wrote nothing."""
    return (
        list(Member.objects.order_by("pk").values()),
        list(StatusChange.objects.order_by("pk").values()),
        list(Transfer.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


def entries_for(model, **filters):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **filters)


def logged_text(entry) -> str:
    return json.dumps(
        [entry.changes, entry.changes_text, entry.serialized_data, entry.additional_data, entry.object_repr],
        ensure_ascii=False,
        default=str,
    )


# --- the roster list ---------------------------------------------------------------------------------------


def test_secretary_a_sees_only_branch_as_members(world, client_for):
    response = client_for(world.secretary_a).get(LIST)
    assert response.status_code == 200
    assert set(row_pks(response)) == pks(world.member_a, world.member_a2)
    assert "李秀英" not in response.content.decode()


def test_admin_sees_the_whole_tree(world, client_for):
    response = client_for(world.admin).get(LIST)
    assert set(row_pks(response)) == pks(world.member_a, world.member_a2, world.member_b)


@pytest.mark.parametrize(
    ("org_attr", "expected"),
    [
        ("committee", ["member_a", "member_a2", "member_b"]),
        ("general", ["member_a", "member_a2"]),  # a 党总支: its branches' members
        ("branch_a", ["member_a", "member_a2"]),
        ("group_a", ["member_a"]),  # a 党小组: only its own members
        ("branch_b", ["member_b"]),
    ],
)
def test_filter_by_org_takes_the_subtree(world, client_for, org_attr, expected):
    response = client_for(world.admin).get(LIST, {"org": getattr(world, org_attr).pk})
    assert set(row_pks(response)) == {getattr(world, attr).pk for attr in expected}


def test_filter_by_org_outside_scope_shows_nothing_more(world, client_for):
    response = client_for(world.secretary_a).get(LIST, {"org": world.branch_b.pk})
    assert set(row_pks(response)) <= pks(world.member_a, world.member_a2)


def test_filter_by_category(world, client_for):
    probationary = MemberFactory(org=world.branch_a, name="钱预备", category=Category.PROBATIONARY, full_member_on=None)
    client = client_for(world.secretary_a)
    assert row_pks(client.get(LIST, {"category": Category.PROBATIONARY})) == [probationary.pk]
    assert set(row_pks(client.get(LIST, {"category": Category.FULL}))) == pks(world.member_a, world.member_a2)


def test_status_defaults_to_in_register_and_all_shows_everyone(world, client_for):
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a2,
        to_status=Status.SUSPENDED,
        changed_on=date(2025, 1, 1),
        reason="决定",
    )
    client = client_for(world.secretary_a)
    assert row_pks(client.get(LIST)) == [world.member_a.pk]
    assert row_pks(client.get(LIST, {"status": Status.SUSPENDED})) == [world.member_a2.pk]
    assert set(row_pks(client.get(LIST, {"status": "all"}))) == pks(world.member_a, world.member_a2)
    assert "全部状态" in client.get(LIST).content.decode()


def test_filter_by_gender_and_education(world, client_for):
    master = MemberFactory(org=world.branch_b, name="孙研", education=Education.POSTGRADUATE)
    client = client_for(world.admin)
    assert row_pks(client.get(LIST, {"gender": Gender.FEMALE})) == [world.member_b.pk]
    assert row_pks(client.get(LIST, {"education": Education.POSTGRADUATE})) == [master.pk]


def test_filter_by_age_range(world, client_for, clock):
    today = clock.today()
    forty = MemberFactory(org=world.branch_a, name="周四十", birth_date=years_before(today, 40))  # 40 today
    nearly = MemberFactory(org=world.branch_a, name="吴将满", birth_date=years_before(today, 40) + timedelta(days=1))
    fifty = MemberFactory(org=world.branch_a, name="郑五十", birth_date=years_before(today, 50) - timedelta(days=200))
    assert (forty.age, nearly.age, fifty.age) == (40, 39, 50)
    client = client_for(world.secretary_a)
    ours = pks(forty, nearly, fifty)
    assert set(row_pks(client.get(LIST, {"age_min": 40, "age_max": 45}))) & ours == {forty.pk}
    assert set(row_pks(client.get(LIST, {"age_max": 39}))) & ours == {nearly.pk}
    assert set(row_pks(client.get(LIST, {"age_min": 40}))) & ours == {forty.pk, fifty.pk}
    assert set(row_pks(client.get(LIST, {"age_min": 50, "age_max": 50}))) & ours == {fifty.pk}


def test_filter_by_year_of_joining(world, client_for):
    old_hand = MemberFactory(
        org=world.branch_a,
        name="冯老",
        birth_date=date(1950, 3, 3),
        joined_on=date(1971, 7, 1),
        full_member_on=date(1972, 7, 1),
    )
    assert row_pks(client_for(world.secretary_a).get(LIST, {"joined_year": 1971})) == [old_hand.pk]


@pytest.mark.parametrize("query", ["张宏伟", "宏伟", "zhanghongwei", "ZhangHong", "zhw", "ZHW"])
def test_search_by_name_pinyin_and_initials(world, client_for, query):
    assert row_pks(client_for(world.secretary_a).get(LIST, {"q": query})) == [world.member_a2.pk]


def test_search_by_id_number_tail_and_phone_tail(world, client_for):
    client = client_for(world.secretary_a)
    assert row_pks(client.get(LIST, {"q": world.member_a2.id_number[-6:]})) == [world.member_a2.pk]
    assert row_pks(client.get(LIST, {"q": world.member_a.phone[-4:]})) == [world.member_a.pk]


def test_search_by_id_tail_with_lowercase_x(world, client_for):
    x_member = MemberFactory(
        org=world.branch_a, name="褚晓", gender=Gender.FEMALE, birth_date=date(1949, 12, 31), id_number=GB_EXAMPLE
    )
    assert row_pks(client_for(world.secretary_a).get(LIST, {"q": "1002x"})) == [x_member.pk]


def test_search_finds_nothing_outside_scope(world, client_for):
    assert row_pks(client_for(world.secretary_a).get(LIST, {"q": "李秀英"})) == []


def test_sorting_by_a_column(world, client_for):
    client = client_for(world.secretary_a)
    # 王小明 (wangxiaoming) before 张宏伟 (zhanghongwei) by pinyin
    assert row_pks(client.get(LIST, {"sort": "name"})) == [world.member_a.pk, world.member_a2.pk]
    assert row_pks(client.get(LIST, {"sort": "-name"})) == [world.member_a2.pk, world.member_a.pk]
    by_age = [m.pk for m in sorted([world.member_a, world.member_a2], key=lambda m: m.birth_date, reverse=True)]
    assert row_pks(client.get(LIST, {"sort": "age"})) == by_age  # youngest first
    assert row_pks(client.get(LIST, {"sort": "-age"})) == by_age[::-1]


def test_pagination(world, client_for):
    extra = [MemberFactory(org=world.branch_a, name=f"批量{i:02d}") for i in range(28)]
    client = client_for(world.secretary_a)
    everyone = pks(world.member_a, world.member_a2, *extra)  # 30
    first = client.get(LIST)
    assert len(row_pks(first)) == 25
    assert "共 30 人" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(row_pks(second)) == 5
    assert set(row_pks(first)) | set(row_pks(second)) == everyone
    assert set(row_pks(client.get(LIST, {"per_page": 50}))) == everyone


@pytest.mark.parametrize("per_page", ["-5", "0", "1", "7", "100000", "abc"])
def test_unsupported_page_sizes_fall_back_to_25(world, client_for, per_page):
    for i in range(27):
        MemberFactory(org=world.branch_a, name=f"批量{i:02d}")
    response = client_for(world.secretary_a).get(LIST, {"per_page": per_page})
    assert response.status_code == 200
    assert len(row_pks(response)) == 25


def test_the_page_size_is_chosen_on_the_page_and_kept_by_the_pager(world, client_for):
    for i in range(120):
        MemberFactory(org=world.branch_a, name=f"批量{i:03d}")
    client = client_for(world.secretary_a)
    page = client.get(LIST, {"per_page": 50, "q": "p"}).content.decode()
    options = re.findall(r'<option value="(\d+)"( selected)?>每页 \d+ 条</option>', page)
    assert options == [("25", ""), ("50", " selected"), ("100", "")]
    assert len(row_pks(client.get(LIST, {"per_page": 100}))) == 100
    # The pager's links keep the size and the search; a phone gets 第 x / y 页 between 上一页 and 下一页.
    pager = page.split('data-testid="roster-pager"', 1)[1]
    links = re.findall(r'href="\?([^"]*)"', pager)
    assert links and all("per_page=50" in link and "q=p" in link for link in links)
    assert "第 1 / 3 页" in pager


@pytest.mark.parametrize("page", ["abc", "99", "-1"])
def test_a_bad_page_number_still_answers(world, client_for, page):
    response = client_for(world.secretary_a).get(LIST, {"page": page})
    assert response.status_code == 200
    assert row_pks(response)


def test_an_htmx_request_gets_only_the_results_partial(world, client_for):
    response = client_for(world.secretary_a).get(LIST, {"q": "zhw"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert row_pks(response) == [world.member_a2.pk]
    assert 'data-testid="result-count"' in text
    assert "<html" not in text and 'data-testid="roster-filter"' not in text and "<nav" not in text


def test_the_full_page_has_the_filter_bar(world, client_for):
    text = client_for(world.secretary_a).get(LIST).content.decode()
    assert "<html" in text and 'data-testid="roster-filter"' in text


# --- masking of personal data ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector", "committee_member_a"])
def test_readers_without_personal_data_see_masked_numbers_on_list_and_detail(world, client_for, persona):
    client = client_for(world.personas()[persona])
    member = world.member_a2
    masked_id = "*" * 14 + member.id_number[-4:]
    masked_phone = member.phone[:3] + "****" + member.phone[-4:]
    for response in (client.get(LIST), client.get(detail_url(member))):
        text = response.content.decode()
        assert response.status_code == 200
        assert masked_id in text and masked_phone in text
        assert member.id_number not in text and member.phone not in text


def test_secretary_sees_the_numbers_in_full(world, client_for):
    client = client_for(world.secretary_a)
    member = world.member_a2
    for response in (client.get(LIST), client.get(detail_url(member))):
        text = response.content.decode()
        assert member.id_number in text and member.phone in text
        assert idcard.mask(member.id_number) not in text


def test_a_member_sees_their_own_numbers_in_full(world, client_for):
    text = client_for(world.member_user_a).get(detail_url(world.member_a)).content.decode()
    assert world.member_a.id_number in text and world.member_a.phone in text


def test_a_member_cannot_open_another_member_of_the_same_branch(world, client_for):
    assert client_for(world.member_user_a).get(detail_url(world.member_a2)).status_code == 404


def test_a_secretary_cannot_open_another_branchs_member(world, client_for):
    assert client_for(world.secretary_a).get(detail_url(world.member_b)).status_code == 404


@pytest.mark.parametrize("persona", ["committee_member_a", "inspector"])
def test_the_edit_form_does_not_show_personal_data_without_the_permission(world, client_for, persona):
    # The inspector may not edit at all (404); the committee member gets the form without ID number and phone.
    response = client_for(world.personas()[persona]).get(reverse("members:edit", args=[world.member_a2.pk]))
    text = response.content.decode()
    assert world.member_a2.id_number not in text and world.member_a2.phone not in text


# --- detail: history -----------------------------------------------------------------------------------------


def test_detail_shows_status_history_and_transfers(world, client_for):
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.SUSPENDED,
        changed_on=date(2025, 1, 6),
        reason="机关党委决定停止党籍",
    )
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.ACTIVE,
        changed_on=date(2025, 3, 2),
        reason="恢复党籍",
    )
    member_transfer_out(
        acting_user=world.secretary_a,
        member=world.member_a,
        transferred_on=date(2025, 11, 30),
        destination="某市财政局机关党委",
        letter_number="组转字12号",
    )
    text = client_for(world.secretary_a).get(detail_url(world.member_a)).content.decode()
    history = text[text.index('data-testid="status-history"') : text.index('data-testid="transfers"')]
    transfers = text[text.index('data-testid="transfers"') :]
    for expected in (
        "2025年1月6日",
        "在册 → 停止党籍",
        "机关党委决定停止党籍",
        "停止党籍 → 在册",
        "恢复党籍",
        "在册 → 转出",
    ):
        assert expected in history
    assert "某市财政局机关党委" in transfers and "组转字12号" in transfers and "2025年11月30日" in transfers


# --- forms: refused posts ------------------------------------------------------------------------------------


def member_post(world, **overrides) -> dict:
    data = {
        "name": "赵丽华",
        "gender": Gender.FEMALE,
        "ethnicity": "汉族",
        "birth_date": "1949-12-31",
        "id_number": GB_EXAMPLE,
        "education": Education.BACHELOR,
        "category": Category.FULL,
        "joined_on": "1975-07-01",
        "full_member_on": "1976-07-01",
        "org": world.branch_a.pk,
        "group": world.group_a.pk,
        "position": "调研员",
        "phone": "13700137000",
        "fee_base": "5000",
        "native_place": "",
        "work_started_on": "",
        "professional_title": "",
        "remark": "",
    }
    data.update(overrides)
    return data


def assert_refused(response, before, field: str, message: str) -> None:
    assert response.status_code == 400
    assert message in field_errors(response, field), field_errors(response, field)
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": GB_EXAMPLE[:17] + "1"}, "id_number", idcard.ERR_CHECKSUM),
        ({"id_number": GB_EXAMPLE[:17]}, "id_number", idcard.ERR_SHAPE),
        ({"birth_date": "1949-12-30"}, "birth_date", ERR_ID_BIRTH.format("1949年12月31日")),
        ({"phone": "12345"}, "phone", ERR_PHONE),
    ],
)
def test_create_refuses_invalid_data(world, client_for, overrides, field, message):
    before = db_state()
    response = client_for(world.secretary_a).post(reverse("members:create"), member_post(world, **overrides))
    assert_refused(response, before, field, message)


def test_create_refuses_a_future_joining_date(world, client_for, tomorrow):
    before = db_state()
    data = member_post(world, joined_on=tomorrow.isoformat(), category=Category.PROBATIONARY, full_member_on="")
    response = client_for(world.secretary_a).post(reverse("members:create"), data)
    assert_refused(response, before, "joined_on", future_message())


def test_create_refuses_a_duplicate_id_number(world, client_for):
    before = db_state()
    data = member_post(
        world, id_number=world.member_a2.id_number, birth_date=world.member_a2.birth_date.isoformat(), gender="M"
    )
    response = client_for(world.secretary_a).post(reverse("members:create"), data)
    assert_refused(response, before, "id_number", ERR_ID_DUPLICATE)


def test_create_refuses_an_org_outside_scope(world, client_for):
    before = db_state()
    response = client_for(world.secretary_a).post(
        reverse("members:create"), member_post(world, org=world.branch_b.pk, group="")
    )
    assert response.status_code == 400
    assert field_errors(response, "org")
    assert db_state() == before


def test_edit_refuses_a_wrong_id_number(world, client_for):
    member = world.member_a
    before = db_state()
    wrong = member.id_number[:17] + ("0" if member.id_number[17] != "0" else "1")
    response = client_for(world.secretary_a).post(
        reverse("members:edit", args=[member.pk]), member_form_data(member, id_number=wrong)
    )
    assert_refused(response, before, "id_number", idcard.ERR_CHECKSUM)


def test_edit_refuses_a_full_member_without_the_date(world, client_for):
    from dangjian.members.models import ERR_FULL_DATE_MISSING

    before = db_state()
    response = client_for(world.secretary_a).post(
        reverse("members:edit", args=[world.member_a.pk]), member_form_data(world.member_a, full_member_on="")
    )
    assert_refused(response, before, "full_member_on", ERR_FULL_DATE_MISSING)


def test_edit_refuses_moving_the_member_to_a_branch_outside_scope(world, client_for):
    before = db_state()
    response = client_for(world.secretary_a).post(
        reverse("members:edit", args=[world.member_a.pk]),
        member_form_data(world.member_a, org=world.branch_b.pk, group=""),
    )
    assert response.status_code == 400
    assert field_errors(response, "org")
    assert db_state() == before


def test_a_committee_member_cannot_change_the_id_number_or_phone_by_posting_them(world, client_for):
    member = world.member_a
    other = idcard.make("110101", member.birth_date, 480, male=True)
    response = client_for(world.committee_member_a).post(
        reverse("members:edit", args=[member.pk]),
        member_form_data(member, id_number=other, phone="13012345678", position="处长"),
    )
    assert response.status_code == 302
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.id_number, fresh.phone, fresh.position) == (member.id_number, member.phone, "处长")


def status_url(member):
    return reverse("members:status", args=[member.pk])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"to_status": Status.EXPELLED, "exit_kind": "", "changed_on": "2025-03-01", "reason": "决议"},
            "exit_kind",
            ERR_EXIT_KIND,
        ),
        (
            {"to_status": Status.ACTIVE, "exit_kind": "", "changed_on": "2025-03-01", "reason": "决议"},
            "to_status",
            ERR_SAME_STATUS,
        ),
    ],
)
def test_status_form_refuses_invalid_data(world, client_for, data, field, message):
    before = db_state()
    response = client_for(world.secretary_a).post(status_url(world.member_a), {**data, "version": 1})
    assert_refused(response, before, field, message)


def test_status_form_refuses_a_future_date(world, client_for, tomorrow):
    before = db_state()
    data = {
        "to_status": Status.DECEASED,
        "exit_kind": "",
        "changed_on": tomorrow.isoformat(),
        "reason": "病故",
        "version": 1,
    }
    response = client_for(world.secretary_a).post(status_url(world.member_a), data)
    assert_refused(response, before, "changed_on", future_message())


def test_transfer_out_form_refuses_a_future_date_and_a_missing_destination(world, client_for, tomorrow):
    client = client_for(world.secretary_a)
    url = reverse("members:transfer_out", args=[world.member_a.pk])
    before = db_state()
    response = client.post(url, {"transferred_on": tomorrow.isoformat(), "destination": "某局", "version": 1})
    assert_refused(response, before, "transferred_on", future_message())
    response = client.post(url, {"transferred_on": "2025-03-01", "destination": "   ", "version": 1})
    assert response.status_code == 400
    assert field_errors(response, "destination")
    assert db_state() == before


def _transferred_out(world):
    member_transfer_out(
        acting_user=world.secretary_a, member=world.member_a, transferred_on=date(2025, 3, 1), destination="某局"
    )


def test_transfer_in_form_refuses_a_future_date(world, client_for, tomorrow):
    _transferred_out(world)
    before = db_state()
    response = client_for(world.secretary_a).post(
        reverse("members:transfer_in", args=[world.member_a.pk]),
        {"to_org": world.branch_a.pk, "transferred_on": tomorrow.isoformat(), "source": "某局", "version": 2},
    )
    assert_refused(response, before, "transferred_on", future_message())


def test_transfer_in_form_refuses_a_branch_outside_scope(world, client_for):
    _transferred_out(world)
    before = db_state()
    response = client_for(world.secretary_a).post(
        reverse("members:transfer_in", args=[world.member_a.pk]),
        {"to_org": world.branch_b.pk, "transferred_on": "2025-04-01", "source": "某局", "version": 2},
    )
    assert response.status_code == 400
    assert field_errors(response, "to_org")
    assert db_state() == before


def test_move_form_refuses_a_future_date_and_the_same_branch(world, client_for, tomorrow):
    client = client_for(world.admin)
    url = reverse("members:move", args=[world.member_a.pk])
    before = db_state()
    response = client.post(url, {"to_org": world.branch_b.pk, "transferred_on": tomorrow.isoformat(), "version": 1})
    assert_refused(response, before, "transferred_on", future_message())
    response = client.post(url, {"to_org": world.branch_a.pk, "transferred_on": "2025-04-01", "version": 1})
    assert response.status_code == 400
    assert field_errors(response, "to_org")
    assert db_state() == before


# --- forms: valid posts, audited -----------------------------------------------------------------------------


def assert_logged(entry, actor, **changes) -> None:
    assert entry.actor == actor
    assert entry.remote_addr == "127.0.0.1"
    for field, (old, new) in changes.items():
        assert entry.changes_dict[field] == [old, new], (field, entry.changes_dict.get(field))


def test_create_saves_and_audits_with_the_id_number_masked(world, client_for):
    response = client_for(world.secretary_a).post(
        reverse("members:create"), member_post(world, id_number=GB_EXAMPLE.lower())
    )
    member = Member.objects.get(name="赵丽华")
    assert response.status_code == 302 and response["Location"] == detail_url(member)
    assert member.id_number == GB_EXAMPLE
    entry = entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.CREATE)
    assert_logged(entry, world.secretary_a, name=["None", "赵丽华"], position=["None", "调研员"])
    logged_id = entry.changes_dict["id_number"][1]
    assert "*" in logged_id and GB_EXAMPLE not in logged_text(entry)
    assert "13700137000" not in logged_text(entry)


def test_edit_saves_and_audits_the_changed_fields(world, client_for):
    member = world.member_a
    response = client_for(world.secretary_a).post(
        reverse("members:edit", args=[member.pk]), member_form_data(member, position="副处长")
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).position == "副处长"
    entry = entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.UPDATE)
    assert_logged(entry, world.secretary_a, position=["科员", "副处长"])
    assert set(entry.changes_dict) == {"position"}


def test_retyping_the_fee_base_without_decimals_is_not_a_change(world, client_for):
    member = world.member_a
    client_for(world.secretary_a).post(
        reverse("members:edit", args=[member.pk]), member_form_data(member, fee_base="6000", position="副处长")
    )
    entry = entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.UPDATE)
    assert set(entry.changes_dict) == {"position"}


def test_edit_of_the_id_number_is_audited_masked(world, client_for):
    member = world.member_a
    new = idcard.make("110102", member.birth_date, 481, male=True)
    client_for(world.secretary_a).post(
        reverse("members:edit", args=[member.pk]), member_form_data(member, id_number=new)
    )
    assert Member.objects.get(pk=member.pk).id_number == new
    entry = entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.UPDATE)
    assert set(entry.changes_dict) == {"id_number"}
    assert new not in logged_text(entry) and member.id_number not in logged_text(entry)


def test_status_change_saves_and_audits(world, client_for):
    response = client_for(world.secretary_a).post(
        status_url(world.member_a),
        {
            "to_status": Status.EXPELLED,
            "exit_kind": ExitKind.PERSUADED,
            "changed_on": "2025-03-01",
            "reason": "劝退",
            "version": 1,
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.status, member.exit_kind) == (Status.EXPELLED, ExitKind.PERSUADED)
    change = StatusChange.objects.get(member=member)
    assert (change.reason, change.changed_by) == ("劝退", world.secretary_a)
    assert_logged(
        entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.UPDATE),
        world.secretary_a,
        status=[Status.ACTIVE, Status.EXPELLED],
    )
    assert_logged(
        entries_for(StatusChange, object_pk=str(change.pk)).get(action=LogEntry.Action.CREATE), world.secretary_a
    )


def test_transfer_out_then_in_save_and_audit(world, client_for):
    client = client_for(world.secretary_a)
    response = client.post(
        reverse("members:transfer_out", args=[world.member_a.pk]),
        {
            "transferred_on": "2025-03-01",
            "destination": "某市财政局机关党委",
            "letter_number": "12号",
            "reason": "调动",
            "version": 1,
        },
    )
    assert response.status_code == 302
    out = Transfer.objects.get(member=world.member_a, kind=TransferKind.OUT)
    assert out.external_org == "某市财政局机关党委"
    assert_logged(entries_for(Transfer, object_pk=str(out.pk)).get(), world.secretary_a)
    assert Member.objects.get(pk=world.member_a.pk).status == Status.TRANSFERRED_OUT

    response = client.post(
        reverse("members:transfer_in", args=[world.member_a.pk]),
        {"to_org": world.branch_a.pk, "transferred_on": "2025-06-01", "source": "某市财政局机关党委", "version": 2},
    )
    assert response.status_code == 302
    back = Transfer.objects.get(member=world.member_a, kind=TransferKind.IN)
    assert back.to_org == world.branch_a
    assert_logged(entries_for(Transfer, object_pk=str(back.pk)).get(), world.secretary_a)
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.status, member.org, member.group) == (Status.ACTIVE, world.branch_a, None)
    assert entries_for(Member, object_pk=str(member.pk), action=LogEntry.Action.UPDATE).count() == 2


def test_move_saves_and_audits(world, client_for):
    response = client_for(world.admin).post(
        reverse("members:move", args=[world.member_a.pk]),
        {"to_org": world.branch_b.pk, "transferred_on": "2025-04-01", "version": 1},
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.org, member.group) == (world.branch_b, None)
    move = Transfer.objects.get(member=member, kind=TransferKind.INTERNAL)
    assert_logged(entries_for(Transfer, object_pk=str(move.pk)).get(), world.admin)
    assert_logged(
        entries_for(Member, object_pk=str(member.pk)).get(action=LogEntry.Action.UPDATE),
        world.admin,
        org=[str(world.branch_a.pk), str(world.branch_b.pk)],
    )
