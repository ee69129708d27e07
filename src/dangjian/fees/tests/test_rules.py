"""DOMAIN.md §4 as table-driven tests of the pure rules: every bracket edge, the fixed-amount kinds, rounding."""

from datetime import date

import pytest

from dangjian.fees import rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.rules import MemberFacts, TransferFact, monthly_due, owing_org


@pytest.mark.parametrize(
    ("base_yuan", "due_fen", "why"),
    [
        ("0.00", 0, "no income"),
        ("3000.00", 1500, "≤3000元 0.5%: 3000 is still 0.5%"),
        ("3000.01", 3000, "above 3000 the whole base at 1% (not progressive): 30.0001 → 30.00"),
        ("5000.00", 5000, "3000–5000（含）1%"),
        ("5000.01", 7500, "above 5000: 1.5% of the whole base, 75.00015 → 75.00"),
        ("10000.00", 15000, "5000–10000（含）1.5%"),
        ("10000.01", 20000, "above 10000: 2%"),
        ("2999.90", 1500, "0.5% of 2999.90 = 14.9995 → half up to 15.00"),
        ("4567.89", 4568, "1% of 4567.89 = 45.6789 → 45.68"),
        ("7777.77", 11667, "1.5% of 7777.77 = 116.66655 → 116.67"),
    ],
)
def test_employed_brackets(base_yuan, due_fen, why):
    base_fen = int(base_yuan.replace(".", ""))
    assert monthly_due(FeeKind.EMPLOYED, base_fen) == due_fen, why


@pytest.mark.parametrize(
    ("base_yuan", "due_fen", "why"),
    [
        ("5000.00", 2500, "离退休 ≤5000元 0.5%"),
        ("5000.01", 5000, "above 5000: 1% of the whole pension"),
        ("3333.33", 1667, "0.5% of 3333.33 = 16.66665 → 16.67"),
        ("100.10", 50, "0.5% of 100.10 = 0.5005 → 0.50"),
    ],
)
def test_retired_brackets(base_yuan, due_fen, why):
    assert monthly_due(FeeKind.RETIRED, int(base_yuan.replace(".", ""))) == due_fen, why


@pytest.mark.parametrize(
    ("kind", "fixed", "due_fen"),
    [
        (FeeKind.FARMER, 20, 20),
        (FeeKind.FARMER, 100, 100),
        (FeeKind.STUDENT, None, 20),
        (FeeKind.UNEMPLOYED, None, 20),
        (FeeKind.DIBAO, None, 20),
        (FeeKind.EXEMPT, None, 0),
    ],
)
def test_fixed_amount_kinds(kind, fixed, due_fen):
    assert monthly_due(kind, fixed_fen=fixed) == due_fen


@pytest.mark.parametrize("fixed", [None, 19, 101])
def test_a_farmers_amount_lies_between_20_fen_and_1_yuan(fixed):
    with pytest.raises(ValueError, match="0.2 元至 1 元"):
        monthly_due(FeeKind.FARMER, fixed_fen=fixed)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("6500", 650_000),
        ("6,500.5", 650_050),
        (" 0.20 ", 20),
        ("9元", 900),
        ("1，000.00", 100_000),
        (1234.56, 123_456),
        (12.3, 1230),
        (7, 700),
        ("", None),
        (None, None),
    ],
)
def test_parse_yuan_exactly_to_the_fen(text, fen):
    assert rules.parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.234", rules.ERR_YUAN_DECIMALS),
        ("1.005", rules.ERR_YUAN_DECIMALS),
        ("-5", rules.ERR_YUAN_NEGATIVE),
        ("abc", rules.ERR_YUAN),
        ("NaN", rules.ERR_YUAN),
        ("Infinity", rules.ERR_YUAN),
        ("1e400", rules.ERR_YUAN),
        ("1" * 21, rules.ERR_YUAN),
        (True, rules.ERR_YUAN),
    ],
)
def test_parse_yuan_refusals(text, message):
    with pytest.raises(ValueError) as refused:
        rules.parse_yuan(text)
    assert str(refused.value) == message


def test_an_amount_that_must_be_given():
    assert rules.yuan_to_fen("12.5") == 1250
    for blank in ("", None, "  "):
        with pytest.raises(ValueError, match="请输入金额"):
            rules.yuan_to_fen(blank)


def test_round_half_up_and_yuan():
    assert [rules.round_half_up(n, 10) for n in (4, 5, 14, 15, 25)] == [0, 1, 1, 2, 3]
    assert [rules.yuan(f) for f in (0, 5, 12345, -250)] == ["0.00", "0.05", "123.45", "-2.50"]


MARCH = date(2026, 3, 1)


def facts(**kw) -> MemberFacts:
    values = {"joined_on": date(2000, 7, 1), "status": "active", "status_changed_on": None, "org": 1}
    return MemberFacts(**(values | kw))


@pytest.mark.parametrize(
    ("member", "expected", "why"),
    [
        (facts(), 1, "in register: the current branch"),
        (facts(joined_on=date(2026, 3, 20)), 1, "a 预备党员 accepted on the 20th owes that month"),
        (facts(joined_on=date(2026, 4, 1)), None, "accepted next month: nothing yet"),
        (
            facts(status="transferred_out", org=1, transfers=(TransferFact(date(2026, 3, 15), "out", 1),)),
            1,
            "transferred out mid-month: owes that month to the old branch",
        ),
        (
            facts(status="transferred_out", transfers=(TransferFact(date(2026, 2, 15), "out", 1),)),
            None,
            "transferred out last month: nothing",
        ),
        (facts(org=2, transfers=(TransferFact(date(2026, 3, 15), "in", None),)), None, "arrived this month"),
        (facts(org=2, transfers=(TransferFact(date(2026, 2, 15), "in", None),)), 2, "arrived last month"),
        (facts(org=2, transfers=(TransferFact(date(2026, 3, 31), "internal", 1),)), 1, "moved on the 31st: old"),
        (
            facts(
                org=3,
                transfers=(
                    TransferFact(date(2026, 5, 1), "internal", 1),
                    TransferFact(date(2026, 6, 1), "internal", 2),
                ),
            ),
            1,
            "history: the first later move's origin",
        ),
        (facts(status="deceased", status_changed_on=date(2026, 3, 10)), None, "register ended this month"),
        (facts(status="deceased", status_changed_on=date(2026, 4, 2)), 1, "ended next month: owes this one"),
    ],
)
def test_who_owes_the_month(member, expected, why):
    assert owing_org(member, MARCH) == expected, why
