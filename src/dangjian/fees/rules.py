"""党费 as DOMAIN.md §4 states it: pure functions over plain values (no ORM), the oracle the SQL paths (ledger.py)
are tested against. Money is whole fen (int), never float.

Source: 《关于中国共产党党费收缴、使用和管理的规定》（中共中央组织部，2008年2月，中组发〔2008〕3号），第二条至第六条、
第十条（补交）. The rate applies to the whole base, not in progressive brackets. No source states the rounding: the
amount is rounded half up to the fen, and the pages say so (ROUNDING_NOTE)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from .choices import FeeKind

SOURCE = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
ROUNDING_NOTE = "应交金额按基数乘以比例计算，四舍五入到分（规定未明确舍入方式）。"

#: (upper bound of the base in fen, inclusive; None: no bound) → rate in basis points (1% = 100).
#: 第二条: 在职 ≤3000元 0.5%；3000–5000元（含）1%；5000–10000元（含）1.5%；10000元以上 2%.
EMPLOYED_BRACKETS: tuple[tuple[int | None, int], ...] = ((300_000, 50), (500_000, 100), (1_000_000, 150), (None, 200))
#: 第三条: 离退休 ≤5000元 0.5%；5000元以上 1%.
RETIRED_BRACKETS: tuple[tuple[int | None, int], ...] = ((500_000, 50), (None, 100))
BRACKETS = {FeeKind.EMPLOYED: EMPLOYED_BRACKETS, FeeKind.RETIRED: RETIRED_BRACKETS}
#: 第四条: 农民每月 0.2–1元（由本人在此范围内确定）; 学生、下岗失业、享受低保的党员每月 0.2元（或经批准免交）.
FARMER_MIN_FEN, FARMER_MAX_FEN = 20, 100
FIXED_FEN = {FeeKind.STUDENT: 20, FeeKind.UNEMPLOYED: 20, FeeKind.DIBAO: 20, FeeKind.EXEMPT: 0}
#: A base above this is refused as absurd (1,000,000 yuan a month).
BASE_MAX_FEN = 100_000_000

#: 第十条: 补交 normally covers at most 6 months: the payment page warns beyond it.
BACKFILL_WARN_MONTHS = 6
#: Reminders: a member unpaid this many months; a branch that has not remitted this many months.
MEMBER_ARREARS_MONTHS = 3
BRANCH_REMIT_MONTHS = 2
#: 党章第九条: unpaid 6 consecutive months without good reason: a flag for people to review, never a status change.
FLAG_UNPAID_MONTHS = 6


def rate_bp(kind: str, base_fen: int) -> int:
    """The rate in basis points for a base (employed, retired): the bracket the whole base falls in."""
    for upper, bp in BRACKETS[kind]:
        if upper is None or base_fen <= upper:
            return bp
    raise AssertionError("the last bracket has no bound")


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers (no float on the way)."""
    return (2 * numerator + denominator) // (2 * denominator)


def monthly_due(kind: str, base_fen: int | None = None, fixed_fen: int | None = None) -> int:
    """The monthly 党费 in fen. Employed and retired: base × rate, half up to the fen. Farmer: the amount the member
    chose (0.2–1 yuan). Student, unemployed, 低保: 0.2 yuan. Exempt by approval: 0."""
    if kind in BRACKETS:
        if base_fen is None or base_fen < 0:
            raise ValueError("在职、离退休党员须有党费基数")
        return round_half_up(base_fen * rate_bp(kind, base_fen), 10_000)
    if kind == FeeKind.FARMER:
        if fixed_fen is None or not FARMER_MIN_FEN <= fixed_fen <= FARMER_MAX_FEN:
            raise ValueError("农民党员每月交纳 0.2 元至 1 元")
        return fixed_fen
    return FIXED_FEN[kind]


ERR_YUAN = "请输入金额（元），最多两位小数，例如 120.50"
ERR_YUAN_DECIMALS = "金额最多两位小数（到分）"
ERR_YUAN_NEGATIVE = "金额不能为负数"
#: Yuan typed by hand or read from a sheet: at most this many characters (any sane amount fits).
YUAN_MAX_CHARS = 20


def parse_yuan(value) -> int | None:
    """A yuan amount typed ("6,500.5", "9元") or a spreadsheet cell's number → whole fen, exactly (Decimal, never float
    arithmetic; a float through its shortest text, 12.3 → "12.3"); blank → None. ValueError with a Chinese message
    otherwise: not a plain number (no exponent, NaN or infinity), negative, more than two decimals."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(ERR_YUAN)
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not text:
        return None
    if len(text) > YUAN_MAX_CHARS or not all(c.isdigit() or c in ".-+" for c in text):
        raise ValueError(ERR_YUAN)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(ERR_YUAN) from None
    if amount < 0:
        raise ValueError(ERR_YUAN_NEGATIVE)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(ERR_YUAN_DECIMALS)
    return int(fen)


def yuan_to_fen(value) -> int:
    """parse_yuan for an amount that must be given."""
    fen = parse_yuan(value)
    if fen is None:
        raise ValueError(ERR_YUAN)
    return fen


def yuan(fen: int) -> str:
    """12345 → "123.45" (for pages and sheets)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


# ── Who owes which month, at which branch ───────────────────────────────────────────────────────────────────


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_last(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class TransferFact:
    on: date
    kind: str  # members.choices.TransferKind: "out", "in", "internal"
    from_org: int | None


@dataclass(frozen=True)
class MemberFacts:
    joined_on: date
    status: str  # members.choices.Status
    status_changed_on: date | None
    org: int  # the member's branch now
    transfers: tuple[TransferFact, ...] = ()


def owing_org(facts: MemberFacts, first: date) -> int | None:
    """The branch the member owes month `first` to, or None if they owe nothing that month.

    - From the month the branch meeting accepted them (入党日期, a 预备党员 included): DOMAIN.md §4.
    - A member transferred in owes from the month after the transfer (the old org collects the month of the
      transfer); one transferred out, or moved between branches, owes the month of the transfer to the old branch.
    - A member whose register ended otherwise (停止党籍, 出党, 去世) owes no month in which it ended.
    DOMAIN.md is silent on the month of a transfer and of an exit: this is the common practice (党费交至转出当月)."""
    last = month_last(first)
    if facts.joined_on > last:
        return None
    later = sorted((t for t in facts.transfers if t.on >= first), key=lambda t: t.on)
    if any(t.kind == "in" for t in later):
        return None
    if facts.status == "transferred_out":
        if not any(t.kind == "out" for t in later):
            return None
    elif facts.status != "active" and (facts.status_changed_on is None or facts.status_changed_on <= last):
        return None
    if later and later[0].from_org is not None:
        return later[0].from_org
    return facts.org


def months_between(first: date, last: date) -> Iterable[date]:
    month = month_first(first)
    while month <= last:
        yield month
        month = add_months(month, 1)
