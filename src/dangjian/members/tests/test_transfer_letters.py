"""Issue 14, transfers with letters: the letter's number, its validity, the 回执, the in-tree move closing both ends,
the list seen from either end, the 待办, the PDF and the API."""

import os
import subprocess
import sys
import threading
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from dangjian.core.models import RoleGrant
from dangjian.core.reminders import reminders_for
from dangjian.core.roles import Role
from dangjian.core.services import token_create
from dangjian.core.tests.factories import UserFactory
from dangjian.members import letters, rules, transfers
from dangjian.members.choices import Status, TransferKind
from dangjian.members.models import Member, Transfer
from dangjian.members.services import member_move, member_transfer_out
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


def out(world, member=None, on=None, **extra) -> Transfer:
    return member_transfer_out(
        acting_user=extra.pop("by", world.admin),
        member=member or world.member_a,
        transferred_on=on or date(2026, 1, 31),
        destination="某市财政局机关党委",
        **extra,
    )


def awaiting(world, valid_until: date, member=None, **extra) -> Transfer:
    """A letter out awaiting its receipt, written directly (the dates the reminders look at)."""
    return Transfer.objects.create(
        member=member or world.member_a,
        kind=TransferKind.OUT,
        transferred_on=valid_until - timedelta(days=90),
        from_org=world.branch_a,
        external_org="某市财政局机关党委",
        letter_number=extra.pop("number", "手写1号"),
        letter_valid_until=valid_until,
        **extra,
    )


# --- numbering ------------------------------------------------------------------------------------------------------


def test_letters_are_numbered_in_sequence_per_committee_and_year(world):
    first = out(world, world.member_a, date(2025, 12, 30))
    second = out(world, world.member_a2, date(2026, 1, 5))
    third = out(world, MemberFactory(org=world.branch_a), date(2026, 2, 1))
    assert (first.letter_year, first.letter_seq, first.letter_number) == (2025, 1, "组转字〔2025〕第0001号")
    assert (second.letter_seq, second.letter_number) == (1, "组转字〔2026〕第0001号")  # a new year starts again
    assert (third.letter_seq, third.letter_number) == (2, "组转字〔2026〕第0002号")
    assert {first.letter_issuer, second.letter_issuer, third.letter_issuer} == {world.committee}


def test_a_move_takes_the_next_number_of_the_same_committee(world):
    out(world, world.member_a2, date(2026, 3, 1))
    moved = member_move(
        acting_user=world.admin, member=world.member_a, to_org=world.branch_b, transferred_on=date(2026, 3, 2)
    )
    assert moved.letter_number == "组转字〔2026〕第0002号"


def test_another_committee_counts_its_own_letters(world):
    other = OrgFactory(name="另一机关党委", kind=OrgKind.COMMITTEE, code="QT")
    branch = OrgFactory(name="另一党支部", code="QT1", parent=other)
    member = MemberFactory(org=branch)
    their_admin = UserFactory()
    RoleGrant.objects.create(user=their_admin, role=Role.COMMITTEE_ADMIN, org=other)
    out(world, world.member_a, date(2026, 3, 1))
    theirs = out(world, member, date(2026, 3, 1), by=their_admin)
    assert (theirs.letter_issuer, theirs.letter_seq) == (other, 1)


def test_a_handwritten_letter_keeps_its_number_and_takes_none_of_the_sequence(world):
    handwritten = out(world, world.member_a, date(2026, 3, 1), letter_number="组转字〔2026〕12号")
    numbered = out(world, world.member_a2, date(2026, 3, 1))
    assert (handwritten.letter_number, handwritten.letter_seq) == ("组转字〔2026〕12号", None)
    assert numbered.letter_seq == 1


def test_the_database_refuses_two_letters_with_one_number(world):
    first = out(world, world.member_a, date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            member=world.member_a2,
            kind=TransferKind.OUT,
            transferred_on=date(2026, 3, 1),
            from_org=world.branch_a,
            letter_issuer=first.letter_issuer,
            letter_year=2026,
            letter_seq=first.letter_seq,
        )


@pytest.mark.django_db(transaction=True)
def test_two_letters_written_at_once_get_two_numbers(world):
    """On PostgreSQL two threads (two connections) write a letter at the same moment: the committee's row lock makes
    the second wait and take the next number. SQLite serialises whole transactions: one after the other."""
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2 if concurrent else 1)
    numbers, failures = [], []

    def write(member):
        try:
            barrier.wait(timeout=10)
            numbers.append(out(world, member, date(2026, 3, 1)).letter_seq)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    if concurrent:
        threads = [threading.Thread(target=write, args=(m,)) for m in (world.member_a, world.member_a2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    else:
        write(world.member_a)
        write(world.member_a2)
    assert failures == []
    assert sorted(numbers) == [1, 2]


# --- validity -------------------------------------------------------------------------------------------------------


def test_validity_counts_months_per_the_civil_code():
    assert transfers.valid_until(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert transfers.valid_until(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert transfers.valid_until(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert transfers.valid_until(date(2025, 11, 30), 6) == date(2026, 5, 30)
    assert transfers.valid_until(date(2026, 8, 31), 6) == date(2027, 2, 28)


@pytest.mark.parametrize(("months", "until"), [(3, date(2026, 4, 30)), (6, date(2026, 7, 31))])
def test_the_letter_takes_the_configured_validity_and_keeps_it(world, monkeypatch, months, until):
    monkeypatch.setattr(rules, "TRANSFER_LETTER_VALID_MONTHS", months)
    letter = out(world, world.member_a, date(2026, 1, 31))
    assert (letter.valid_months, letter.letter_valid_until) == (months, until)


@pytest.mark.parametrize(("value", "ok"), [("6", True), ("12", True), ("13", False), ("0", False), ("x", False)])
def test_the_validity_setting_is_checked_at_start_up(value, ok):
    env = os.environ | {"TRANSFER_LETTER_VALID_MONTHS": value, "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    code = (
        "import django; django.setup(); from dangjian.members import rules; print(rules.TRANSFER_LETTER_VALID_MONTHS)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if ok:
        assert done.returncode == 0 and done.stdout.strip() == value
    else:
        assert done.returncode != 0 and "TRANSFER_LETTER_VALID_MONTHS" in done.stderr


# --- receipt --------------------------------------------------------------------------------------------------------


def test_a_receipt_is_recorded_once_and_audited(world):
    letter = out(world, world.member_a, date(2026, 1, 31))
    done = transfers.record_receipt(
        acting_user=world.secretary_a, transfer=letter, received_on=date(2026, 2, 10), note="对方党委寄回"
    )
    assert (done.receipt_on, done.receipt_note, done.receipt_by) == (
        date(2026, 2, 10),
        "对方党委寄回",
        world.secretary_a,
    )
    assert LogEntry.objects.get_for_object(done).filter(action=LogEntry.Action.UPDATE).exists()
    with pytest.raises(ValidationError) as refused:
        transfers.record_receipt(acting_user=world.secretary_a, transfer=letter, received_on=date(2026, 2, 11))
    assert refused.value.messages == [transfers.ERR_RECEIPT_TWICE.format(day="2026-02-10")]
    assert Transfer.objects.get(pk=letter.pk).receipt_on == date(2026, 2, 10)


def test_a_receipt_on_the_letters_day_is_accepted_and_the_day_before_refused(world):
    letter = out(world, world.member_a, date(2026, 1, 31))
    with pytest.raises(ValidationError) as refused:
        transfers.record_receipt(acting_user=world.admin, transfer=letter, received_on=date(2026, 1, 30))
    assert refused.value.message_dict == {"received_on": [transfers.ERR_RECEIPT_BEFORE.format(day="2026-01-31")]}
    assert Transfer.objects.get(pk=letter.pk).receipt_on is None
    transfers.record_receipt(acting_user=world.admin, transfer=letter, received_on=date(2026, 1, 31))
    assert Transfer.objects.get(pk=letter.pk).receipt_on == date(2026, 1, 31)


def test_a_receipt_in_the_future_is_refused(world, tomorrow):
    letter = out(world, world.member_a, date(2026, 1, 31))
    with pytest.raises(ValidationError) as refused:
        transfers.record_receipt(acting_user=world.admin, transfer=letter, received_on=tomorrow)
    assert set(refused.value.message_dict) == {"received_on"}
    assert Transfer.objects.get(pk=letter.pk).receipt_on is None


def test_only_letters_out_take_a_receipt_and_only_from_the_issuing_side(world):
    letter = out(world, world.member_a, date(2026, 1, 31))
    with pytest.raises(PermissionDenied):
        transfers.record_receipt(acting_user=world.secretary_b, transfer=letter, received_on=date(2026, 2, 1))
    moved = member_move(
        acting_user=world.admin, member=world.member_a2, to_org=world.branch_b, transferred_on=date(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as refused:
        transfers.record_receipt(acting_user=world.admin, transfer=moved, received_on=date(2026, 2, 2))
    assert refused.value.messages == [transfers.ERR_RECEIPT_KIND]


def test_the_receipt_page_records_it_and_a_bad_date_stays_on_the_form(world, client_for):
    letter = out(world, world.member_a, date(2026, 1, 31))
    url = reverse("members:transfer_receipt", args=[letter.pk])
    client = client_for(world.secretary_a)
    response = client.post(url, {"received_on": "2026-01-01", "note": ""})
    assert response.status_code == 400 and "不能早于介绍信开具日期" in response.content.decode()
    response = client.post(url, {"received_on": "2026-02-03", "note": "已收到"})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=letter.pk).receipt_on == date(2026, 2, 3)
    assert client_for(world.secretary_b).post(url, {"received_on": "2026-02-03"}).status_code == 404


# --- the move closes both ends --------------------------------------------------------------------------------------


def test_a_move_is_numbered_and_received_at_once_and_both_branches_see_it(world, client_for):
    moved = member_move(
        acting_user=world.admin, member=world.member_a2, to_org=world.branch_b, transferred_on=date(2026, 3, 2)
    )
    assert (moved.receipt_on, moved.receipt_by, moved.valid_months) == (
        date(2026, 3, 2),
        world.admin,
        rules.TRANSFER_LETTER_VALID_MONTHS,
    )
    assert Member.objects.get(pk=world.member_a2.pk).org == world.branch_b
    for user in (world.secretary_a, world.secretary_b):
        listed = transfers.transfer_list(fetched_by=user, filters=transfers.TransferFilters())
        assert list(listed) == [moved], user
        page = client_for(user).get(reverse("members:transfers"))
        assert f'data-transfer="{moved.pk}"' in page.content.decode()
    # The old branch sees the row, not the member's page (the member is no longer theirs).
    page = client_for(world.secretary_a).get(reverse("members:transfers")).content.decode()
    assert reverse("members:detail", args=[world.member_a2.pk]) not in page


# --- the list -------------------------------------------------------------------------------------------------------


def listed(world, user=None, **query) -> list[Transfer]:
    filters = transfers.TransferFilters.from_query(query)
    return list(transfers.transfer_list(fetched_by=user or world.admin, filters=filters))


def test_the_list_filters_by_kind_state_year_and_name(world, clock):
    today = clock.today()
    soon = awaiting(world, today + timedelta(days=10), world.member_a, number="A1")
    late = awaiting(world, today - timedelta(days=1), world.member_a2, number="A2")
    received = awaiting(
        world, today + timedelta(days=40), world.member_b, number="B1", receipt_on=today - timedelta(days=1)
    )
    assert set(listed(world, kind="out")) == {soon, late, received}
    assert listed(world, kind="in") == []
    assert set(listed(world, state="awaiting")) == {soon, late}
    assert listed(world, state="expiring") == [soon]
    assert listed(world, state="expired") == [late]
    assert listed(world, state="received") == [received]
    assert listed(world, q="张宏伟") == [late]
    assert listed(world, q="A1") == [soon]
    assert set(listed(world, year=str(late.transferred_on.year))) >= {late}
    assert listed(world, year="1950") == []
    assert listed(world, state="bogus", kind="nope", year="x") == listed(world)  # unknown values are dropped
    assert listed(world, world.secretary_b) == [received]  # secretary B: their branch only


def test_the_list_sorts(world, clock):
    today = clock.today()
    a = awaiting(world, today + timedelta(days=10), world.member_a)  # 王小明
    b = awaiting(world, today + timedelta(days=5), world.member_a2)  # 张宏伟
    assert listed(world, sort="valid") == [b, a]
    assert listed(world, sort="-valid") == [a, b]
    assert listed(world, sort="name") == [a, b]  # wang < zhang


def test_the_list_page_reads_a_constant_number_of_queries(world, client_for, clock, django_assert_max_num_queries):
    client = client_for(world.admin)
    url = reverse("members:transfers")
    awaiting(world, clock.today() + timedelta(days=3))
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        awaiting(world, clock.today() + timedelta(days=3), MemberFactory(org=world.branch_a))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('data-transfer="') == 16


def test_the_export_is_an_xlsx_of_the_filtered_list(world, client_for, clock):
    awaiting(world, clock.today() - timedelta(days=1), number="过期1号")
    response = client_for(world.admin).get(reverse("members:transfers_export"), {"state": "expired"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK"


# --- reminders ------------------------------------------------------------------------------------------------------


def transfer_reminders(user):
    return [r for r in reminders_for(user) if "介绍信" in r.title]


@pytest.mark.parametrize(
    ("days", "level"),
    [(16, None), (15, "warning"), (1, "warning"), (0, "warning"), (-1, "danger")],
)
def test_letters_without_receipt_are_reminded_at_the_window_edges(world, clock, days, level):
    awaiting(world, clock.today() + timedelta(days=days))
    found = transfer_reminders(world.secretary_a)
    assert [r.level for r in found] == ([level] if level else [])
    if level:
        assert found[0].url.endswith("?state=" + ("expired" if level == "danger" else "expiring"))
    assert transfer_reminders(world.secretary_b) == []  # not theirs


def test_a_received_letter_is_no_longer_reminded(world, clock):
    awaiting(world, clock.today() - timedelta(days=5), receipt_on=clock.today() - timedelta(days=80))
    assert transfer_reminders(world.secretary_a) == []


def test_reminders_read_one_query_whatever_the_letters(world, clock, django_assert_num_queries):
    from dangjian.members.reminders import transfer_letter_reminders

    for days in (-3, -2, 4, 5):
        awaiting(world, clock.today() + timedelta(days=days), MemberFactory(org=world.branch_a))
    user = world.secretary_a
    user.scope_paths("view")  # the grants, loaded once per request anyway
    with django_assert_num_queries(1):
        found = transfer_letter_reminders(user)
    assert [(r.level, r.title[:1]) for r in found] == [("danger", "2"), ("warning", "2")]


# --- the PDF --------------------------------------------------------------------------------------------------------


def test_the_letter_is_a_pdf_and_its_html_has_the_number_name_and_blank_fee_line(world, client_for):
    letter = out(world, world.member_a, date(2026, 1, 31), destination_contact="李科长 010-12345678")
    response = client_for(world.secretary_a).get(reverse("members:transfer_letter", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    html = letters.render_html(world.secretary_a, letter)
    assert letter.letter_number in html and "王小明" in html and "李科长" in html
    assert "存根" in html and "回　执" in html and "有效期89天" in html  # 31 Jan → 30 Apr
    assert "系中共正式党员" in html
    assert world.member_a.id_number in html  # the secretary holds the personal-data right


def test_the_letter_masks_the_id_number_without_the_personal_data_right(world):
    letter = out(world, world.member_a, date(2026, 1, 31))
    html = letters.render_html(world.inspector, letter)
    assert world.member_a.id_number not in html and world.member_a.id_number[-4:] in html


def test_the_letter_of_another_branch_is_404(world, client_for):
    letter = out(world, world.member_a, date(2026, 1, 31))
    assert client_for(world.secretary_b).get(reverse("members:transfer_letter", args=[letter.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------------------------------


def api(client, user, method, url, **kwargs):
    _token, key = token_create(acting_user=user, name="test")
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {key}", **kwargs)


def test_the_api_lists_and_records_a_receipt(world, client, clock):
    letter = out(world, world.member_a, clock.today() - timedelta(days=3))
    response = api(client, world.secretary_a, "get", "/api/v1/members/transfers", data={"state": "awaiting"})
    assert response.status_code == 200
    assert [row["letter_number"] for row in response.json()["results"]] == [letter.letter_number]
    url = f"/api/v1/members/transfers/{letter.pk}/receipt"
    early = api(
        client, world.secretary_a, "post", url, data={"received_on": "2000-01-01"}, content_type="application/json"
    )
    assert early.status_code == 422
    done = api(
        client,
        world.secretary_a,
        "post",
        url,
        data={"received_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["receipt_on"] == clock.today().isoformat()
    assert (
        api(
            client, world.secretary_b, "post", url, data={"received_on": "2026-01-01"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_a_member_transferred_out_stays_listed_in_the_old_branch(world):
    letter = out(world, world.member_a, date(2026, 1, 31))
    assert Member.objects.get(pk=world.member_a.pk).status == Status.TRANSFERRED_OUT
    assert listed(world, world.secretary_a) == [letter]
