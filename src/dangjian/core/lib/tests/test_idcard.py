"""公民身份号码 (GB 11643-1999): shape, ISO 7064 MOD 11-2 check character, embedded birth date and gender."""

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.lib import idcard

# The standard's own example, checked by hand:
#   digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
#   weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2
#   products 7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4  → sum 167; 167 mod 11 = 2 → "10X98765432"[2] = X
#   birth 1949-12-31; 17th digit 2 is even → female.
GB_EXAMPLE = "11010519491231002X"
# 110101 19800101 001:
#   products 7 9 0 5 0 4 2 9 48 0 0 9 0 5 0 0 2 → sum 100; 100 mod 11 = 1 → "10X98765432"[1] = 0
#   17th digit 1 is odd → male.
MALE_1980 = "110101198001010010"
# 110101 19800101 002 (female): the sum is 100 - 2 + 4 = 102; 102 mod 11 = 3 → "10X98765432"[3] = 9
FEMALE_1980 = "110101198001010029"


@pytest.mark.parametrize(
    ("number", "birth", "is_male"),
    [
        (GB_EXAMPLE, date(1949, 12, 31), False),
        (MALE_1980, date(1980, 1, 1), True),
        (FEMALE_1980, date(1980, 1, 1), False),
    ],
)
def test_it_parses_known_valid_numbers(number, birth, is_male):
    card = idcard.parse(number)
    assert card == idcard.IdCard(number=number, birth_date=birth, is_male=is_male)


def test_check_char_matches_the_hand_computation():
    assert idcard.check_char(GB_EXAMPLE[:17]) == "X"
    assert idcard.check_char(MALE_1980[:17]) == "0"
    assert idcard.check_char(FEMALE_1980[:17]) == "9"


@pytest.mark.parametrize("wrong_last", ["0", "1", "9"])
def test_it_refuses_a_wrong_check_character(wrong_last):
    with pytest.raises(idcard.IdCardError) as error:
        idcard.parse(GB_EXAMPLE[:17] + wrong_last)
    assert str(error.value) == idcard.ERR_CHECKSUM


@pytest.mark.parametrize(
    "raw",
    [
        GB_EXAMPLE[:17],  # 17 characters
        GB_EXAMPLE + "1",  # 19 characters
        "",
        "1101051949123100AX",  # a letter inside the first 17
        "X10105194912310021",  # X anywhere but last
        "11010519491231002Y",  # a letter other than X last
        "110105-1949123100-2X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢٠",  # Arabic-Indic digits are digits to Python's \d, not to the standard
    ],
)
def test_it_refuses_a_bad_shape(raw):
    with pytest.raises(idcard.IdCardError) as error:
        idcard.parse(raw)
    assert str(error.value) == idcard.ERR_SHAPE


def _with_check(first17: str) -> str:
    return first17 + idcard.check_char(first17)


@pytest.mark.parametrize(
    "birth",
    [
        "19990230",  # 30 February
        "19991301",  # month 13
        "19990100",  # day 0
        "19000229",  # 1900 was not a leap year
    ],
)
def test_it_refuses_an_impossible_birth_date_even_with_a_correct_check_character(birth):
    with pytest.raises(idcard.IdCardError) as error:
        idcard.parse(_with_check(f"110105{birth}002"))
    assert str(error.value) == idcard.ERR_BIRTH


def test_it_accepts_29_february_of_a_leap_year():
    number = _with_check("11010520000229002")
    assert idcard.parse(number).birth_date == date(2000, 2, 29)


def test_it_refuses_a_birth_date_in_the_future(tomorrow):
    with pytest.raises(idcard.IdCardError) as error:
        idcard.parse(_with_check(f"110105{tomorrow:%Y%m%d}002"))
    assert str(error.value) == idcard.ERR_BIRTH


def test_it_accepts_someone_born_today(clock):
    today = clock.today()
    assert idcard.parse(idcard.make("110105", today, 1, male=True)).birth_date == today


def test_it_refuses_a_birth_year_before_1900_as_implausible():
    # GB 11643's second example (440524188001010014) is arithmetically valid; the roster treats 1880 as a typo.
    assert idcard.check_char("44052418800101001") == "4"
    with pytest.raises(idcard.IdCardError) as error:
        idcard.parse("440524188001010014")
    assert str(error.value) == idcard.ERR_BIRTH


def test_lowercase_x_and_spaces_are_normalised():
    card = idcard.parse(" 110105 19491231 002x ")
    assert card.number == GB_EXAMPLE
    assert idcard.normalize("11010519491231002x") == GB_EXAMPLE


def test_full_width_characters_from_a_chinese_input_method_are_normalised_to_ascii():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in GB_EXAMPLE[:17]) + "ｘ"
    assert idcard.normalize(full_width) == GB_EXAMPLE
    assert idcard.parse(full_width).number == GB_EXAMPLE


@pytest.mark.parametrize(("digit", "is_male"), [(str(d), d % 2 == 1) for d in range(10)])
def test_the_17th_digit_gives_the_gender(digit, is_male):
    assert idcard.parse(_with_check("11010519800101" + "00" + digit)).is_male is is_male


areas = st.text(alphabet=string.digits, min_size=6, max_size=6)
# Parsed against this day, not the date the suite runs on (a strategy is built before any test moves the clock).
BIRTHS_UNTIL = date(2030, 12, 31)
births = st.dates(min_value=date(1900, 1, 1), max_value=BIRTHS_UNTIL)


@given(area=areas, birth=births, sequence=st.integers(min_value=0, max_value=10**6), male=st.booleans())
def test_make_always_parses_back_to_its_birth_date_and_gender(area, birth, sequence, male):
    number = idcard.make(area, birth, sequence, male=male)
    card = idcard.parse(number, today=BIRTHS_UNTIL)
    assert (card.number, card.birth_date, card.is_male) == (number, birth, male)
    assert number.startswith(area)


@given(
    area=areas,
    birth=births,
    sequence=st.integers(min_value=0, max_value=499),
    male=st.booleans(),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_changing_any_single_character_makes_a_valid_number_invalid(area, birth, sequence, male, position, replacement):
    # MOD 11-2 detects every single-character error: each weight is non-zero modulo the prime 11.
    number = idcard.make(area, birth, sequence, male=male)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    with pytest.raises(idcard.IdCardError):
        idcard.parse(changed, today=BIRTHS_UNTIL)


def test_mask_keeps_the_last_four_characters_only():
    assert idcard.mask(GB_EXAMPLE) == "**************002X"
    assert idcard.mask("110101198001011234") == "**************1234"
    assert idcard.mask("110101198001011234", keep_head=4) == "1101**********1234"


def test_mask_hides_short_values_entirely_and_keeps_empty_empty():
    assert idcard.mask("12345678") == "********"
    assert idcard.mask("123456789") == "*****6789"
    assert idcard.mask("") == ""


def test_mask_phone():
    assert idcard.mask_phone("13800138000") == "138****8000"
    assert idcard.mask_phone("010-12345678") == "010*****5678"
    assert idcard.mask_phone("") == ""


def test_a_birth_date_after_the_given_today_is_refused():
    number = idcard.make("110105", date(2020, 5, 1), 1, male=True)
    assert idcard.parse(number, today=date(2020, 5, 1)).birth_date == date(2020, 5, 1)
    with pytest.raises(idcard.IdCardError, match=idcard.ERR_BIRTH):
        idcard.parse(number, today=date(2020, 4, 30))
