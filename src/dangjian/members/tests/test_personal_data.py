"""Masked personal data cannot be read back (issue 10): whoever sees a member's ID number, phone and birth date
masked can neither search them out digit by digit nor find them in any page, API answer or export of that member.

Each recovery attempt runs for every masked field and every role that sees masked values, through the roster page
and the API; the same searches find the member for a user who sees them in full."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.lib.dates import format_cn_date
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.members import personal
from dangjian.members.exports import export_members
from dangjian.members.filters import MSG_SEARCH_MASKED, SEARCH_HINT, SEARCH_HINT_MASKED
from dangjian.members.forms import MemberForm
from dangjian.members.models import ERR_ID_DUPLICATE, ERR_ID_ELSEWHERE
from dangjian.members.roster import ROSTER_COLUMNS
from dangjian.members.selectors import member_filterset
from dangjian.members.stats import AGE_BANDS, age_band_label
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db

MASKED_ROLES = ["inspector", "committee_member_a"]
SEARCHED_FIELDS = ["id_number", "phone"]
COL = {c.field: i for i, c in enumerate(ROSTER_COLUMNS)}


@pytest.fixture
def found_by(client, api_get):
    """found_by(user, term) -> (names the roster page lists, names the API lists) for the search `term`."""

    def search(user, term: str) -> tuple[set[str], set[str]]:
        client.force_login(user)
        page = client.get(reverse("members:list"), {"q": term, "status": "all", "per_page": 100})
        assert page.status_code == 200
        on_page = set(re.findall(r'<a href="/members/\d+/">([^<]+)</a>', page.content.decode()))
        answer = api_get(user, reverse("api:member_list"), q=term, status="all", page_size=100)
        assert answer.status_code == 200, answer.content
        return on_page, {row["name"] for row in answer.json()["results"]}

    return search


def birth_date_forms(day: date) -> list[str]:
    """Every way a page, an answer or a file could write the date."""
    return [day.isoformat(), format_cn_date(day), f"{day:%Y%m%d}", f"{day:%Y/%m/%d}", f"{day.year}年{day.month:02d}月"]


# --- search: only the shown tail finds a masked member ---------------------------------------------------------


@pytest.mark.parametrize("field", SEARCHED_FIELDS)
@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_a_masked_value_cannot_be_searched_out_digit_by_digit(world, found_by, persona, field):
    user, target = world.personas()[persona], world.member_a2
    value = getattr(target, field)
    # From 2: a lone "X" (an ID number's check letter) is a pinyin search, not a number's.
    for length in range(2, len(value) + 1):
        on_page, in_api = found_by(user, value[-length:])
        shown = length <= personal.MASKED_TAIL
        assert (target.name in on_page, target.name in in_api) == (shown, shown), (field, length)


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_the_birth_date_cannot_be_searched_out(world, found_by, persona):
    """The birth date is the ID number's middle: no search term made of it (alone, with the region code before it,
    or as the ID number's tail from it on) finds the member."""
    user, target = world.personas()[persona], world.member_a2
    number = target.id_number
    for term in [f"{target.birth_date:%Y%m%d}", number[:14], number[6:], number[10:], target.birth_date.isoformat()]:
        on_page, in_api = found_by(user, term)
        assert target.name not in on_page | in_api, term


@pytest.mark.parametrize("field", SEARCHED_FIELDS)
def test_who_sees_the_values_in_full_finds_them_by_any_tail(world, found_by, field):
    value = getattr(world.member_a2, field)
    for length in (3, 5, 11, len(value)):
        on_page, in_api = found_by(world.secretary_a, value[-length:])
        assert world.member_a2.name in on_page and world.member_a2.name in in_api


def test_a_long_tail_finds_the_members_the_user_sees_in_full_and_not_the_masked_ones(world, found_by):
    """Masking is per org: an inspector of the whole tree who is also branch B's secretary finds branch B's member
    by the whole number, branch A's only by its last 4 characters."""
    RoleGrant.objects.create(user=world.inspector, role=Role.SECRETARY, org=world.branch_b)
    user = User.objects.get(pk=world.inspector.pk)
    for target, full in ((world.member_b, True), (world.member_a2, False)):
        for term in (target.id_number, target.phone, target.id_number[-4:]):
            on_page, in_api = found_by(user, term)
            expected = full or len(term) <= personal.MASKED_TAIL
            assert (target.name in on_page, target.name in in_api) == (expected, expected), (target.name, term)


def test_ones_own_record_is_found_by_any_tail(world):
    """A plain member has no roster page, but the selector behind it finds their own record by its whole number."""
    found = member_filterset(fetched_by=world.member_user_a, filters={"q": world.member_a.id_number}).qs
    assert list(found) == [world.member_a]


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_the_search_box_says_only_the_last_four_digits_find_masked_members(world, client_for, persona):
    client = client_for(world.personas()[persona])
    text = client.get(reverse("members:list")).content.decode()
    assert SEARCH_HINT_MASKED in text and MSG_SEARCH_MASKED not in text
    text = client.get(reverse("members:list"), {"q": world.member_a2.id_number[-6:]}).content.decode()
    assert MSG_SEARCH_MASKED in text
    text = client.get(reverse("members:list"), {"q": world.member_a2.id_number[-4:]}).content.decode()
    assert MSG_SEARCH_MASKED not in text


def test_who_sees_everything_in_full_gets_no_such_note(world, client_for):
    client = client_for(world.secretary_a)
    text = client.get(reverse("members:list"), {"q": world.member_a2.id_number}).content.decode()
    assert SEARCH_HINT in text and MSG_SEARCH_MASKED not in text


# --- output: no page, answer or file of the member holds the full values or the birth date ----------------------


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_no_output_holds_the_full_values_or_the_birth_date(world, client_for, api_get, persona):
    user, target = world.personas()[persona], world.member_a2
    band = age_band_label(target.age)
    client = client_for(user)
    texts = {
        "list": client.get(reverse("members:list"), {"q": target.id_number[-4:]}).content.decode(),
        "detail": client.get(reverse("members:detail", args=[target.pk])).content.decode(),
        "api list": api_get(user, reverse("api:member_list"), q=target.id_number[-4:]).content.decode(),
        "api detail": api_get(user, reverse("api:member_detail", args=[target.pk])).content.decode(),
    }
    for where, text in texts.items():
        assert target.name in text and band in text, where
        assert personal.mask_id_number(target.id_number) in text, where
        for secret in [target.id_number, target.phone, *birth_date_forms(target.birth_date)]:
            assert secret not in text, (where, secret)
    assert f"<td>{target.age}</td>" not in texts["list"] and f"（{target.age}岁）" not in texts["detail"]

    out = io.BytesIO()
    export_members(fetched_by=user, filters={"q": target.id_number[-4:]}, out=out)
    out.seek(0)
    sheet = CalamineWorkbook.from_filelike(out).get_sheet_by_name("花名册").to_python()
    row = next(r for r in sheet[1:] if r[COL["name"]] == target.name)
    assert row[COL["birth_date"]] == band
    assert row[COL["id_number"]] == "*" * 14 + target.id_number[-4:]
    cells = [str(cell) for r in sheet for cell in r]
    for secret in [target.id_number, target.phone, *birth_date_forms(target.birth_date)]:
        assert not any(secret in cell for cell in cells), secret
    assert target.birth_date not in [cell for r in sheet for cell in r]


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_the_api_gives_an_age_band_and_no_birth_date_or_age(world, api_get, persona):
    target = world.member_a2
    body = api_get(world.personas()[persona], reverse("api:member_detail", args=[target.pk])).json()
    assert (body["birth_date"], body["age"], body["age_band"]) == (None, None, age_band_label(target.age))


def test_who_sees_personal_data_gets_the_birth_date_age_and_band(world, api_get, client_for):
    target = world.member_a2
    body = api_get(world.secretary_a, reverse("api:member_detail", args=[target.pk])).json()
    assert (body["birth_date"], body["age"]) == (target.birth_date.isoformat(), target.age)
    assert body["age_band"] == age_band_label(target.age)
    text = client_for(world.secretary_a).get(reverse("members:detail", args=[target.pk])).content.decode()
    assert format_cn_date(target.birth_date) in text


def test_a_committee_members_edit_form_leaves_out_the_birth_date(world, client_for):
    """A committee member may change a member, but the form would show the date the pages mask."""
    target = world.member_a2
    text = client_for(world.committee_member_a).get(reverse("members:edit", args=[target.pk])).content.decode()
    assert target.birth_date.isoformat() not in text and 'name="birth_date"' not in text


def test_the_age_bands_are_the_statistics_bands():
    assert [age_band_label(age) for age in (18, 30, 31, 45, 60, 61, 99)] == [
        AGE_BANDS[0][0],
        AGE_BANDS[0][0],
        "31-35岁",
        "41-45岁",
        "56-60岁",
        "61岁及以上",
        "61岁及以上",
    ]
    assert personal.age_band(date(1980, 6, 1), date(2026, 6, 1)) == "46-50岁"
    assert personal.age_band(date(1980, 6, 2), date(2026, 6, 1)) == "41-45岁"


def test_masked_id_numbers_show_the_last_four_characters_only():
    assert personal.mask_id_number("11010519491231002X") == "**************002X"
    assert personal.mask_phone("13800138000") == "138****8000"


# --- an ID number taken elsewhere: said, but not where -----------------------------------------------------------


def member_data(world, target, **changes) -> dict:
    data = {
        "name": "赵丽",
        "gender": target.gender,
        "ethnicity": "汉族",
        "birth_date": target.birth_date.isoformat(),
        "id_number": target.id_number,
        "education": target.education,
        "category": target.category,
        "joined_on": target.joined_on.isoformat(),
        "full_member_on": target.full_member_on.isoformat() if target.full_member_on else "",
        "position": "科员",
        "phone": "13911112222",
        "fee_base": "5000",
        **changes,
    }
    return data


def test_the_create_form_says_a_number_taken_elsewhere_without_naming_where(world, client_for):
    target = world.member_a  # branch A: outside branch B's secretary's scope
    data = member_data(world, target, org=world.branch_b.pk)
    response = client_for(world.secretary_b).post(reverse("members:create"), data)
    text = response.content.decode()
    assert response.status_code == 400 and ERR_ID_ELSEWHERE in text
    for secret in (target.name, world.branch_a.name, f"/members/{target.pk}/"):
        assert secret not in text


def test_the_create_form_says_a_number_taken_in_scope_as_on_the_roster(world, client_for):
    target = world.member_a
    response = client_for(world.secretary_a).post(
        reverse("members:create"), member_data(world, target, org=world.branch_a.pk)
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert ERR_ID_DUPLICATE in text and ERR_ID_ELSEWHERE not in text


def test_the_taken_message_comes_with_the_forms_other_errors(world):
    target = world.member_a
    form = MemberForm(
        member_data(world, target, org=world.branch_b.pk, phone="1"),
        orgs=Organization.objects.changeable_by(world.secretary_b),
        user=world.secretary_b,
    )
    assert not form.is_valid()
    assert form.errors["id_number"] == [ERR_ID_ELSEWHERE] and "phone" in form.errors


def test_the_age_band_moves_with_the_clock(world, clock):
    """On the 41st birthday the band changes (today from core.clock, as everywhere)."""
    target = world.member_a2
    clock.set(date(target.birth_date.year + 40, target.birth_date.month, target.birth_date.day))
    assert personal.age_band(target.birth_date, clock.today()) == "36-40岁"
    clock.set(date(target.birth_date.year + 41, target.birth_date.month, target.birth_date.day))
    assert personal.age_band(target.birth_date, clock.today()) == "41-45岁"
