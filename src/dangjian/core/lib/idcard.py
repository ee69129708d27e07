"""公民身份号码 (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check.

Framework-free so the form, the model, the importer and the demo generator share one implementation.
"""

import re
import unicodedata
from datetime import date
from functools import lru_cache
from operator import mul
from typing import NamedTuple

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# [0-9], not \d: to Python \d is any Unicode digit (Arabic-Indic, Devanagari …), which int() happily reads.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")

ERR_SHAPE = "公民身份号码应为18位：前17位为数字，最后一位为数字或X"
ERR_CHECKSUM = "公民身份号码校验位不正确，请核对是否录入有误"
ERR_BIRTH = "公民身份号码中的出生日期无效"


class IdCard(NamedTuple):  # a tuple: made 100,000 times by an import, much faster than a frozen dataclass
    number: str
    birth_date: date
    is_male: bool


class IdCardError(ValueError):
    pass


def normalize(raw: str) -> str:
    """Strip spaces, fold full-width characters to ASCII and upper-case the check letter (people type 'x').

    NFKC matters: a Chinese input method in full-width mode types "１１０１…ｘ"; unfolded, such a number would be
    stored as typed and slip past the uniqueness check against the same number in ASCII.
    """
    if raw.__class__ is str and raw.isascii() and raw.isalnum():  # nearly every number: nothing to fold
        return raw.upper()
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


_ZERO_WEIGHTED = ord("0") * sum(WEIGHTS)
_ODD = frozenset("13579")  # the 17th digit: odd for men


def check_char(first17: str) -> str:
    """Check character of 17 ASCII digits. Sums the weighted byte values and takes off what the "0"s add: much
    faster than int() per digit, which matters when the roster importer checks 100,000 numbers."""
    if len(first17) != len(WEIGHTS):
        raise ValueError(f"17 digits expected, got {first17!r}")
    total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_WEIGHTED
    return CHECK_CHARS[total % 11]


@lru_cache(maxsize=1 << 16)  # a roster has some thousands of distinct birth dates
def _birth_date(digits: str) -> date:
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def parse(raw: str, *, today: date | None = None) -> IdCard:
    """Return the parsed number, or raise IdCardError with a Chinese message. The app passes `today` from
    core.clock (this library imports no Django; without it, the process's own date is used)."""
    number = normalize(raw)
    if not _SHAPE.match(number):
        raise IdCardError(ERR_SHAPE)
    try:
        birth = _birth_date(number[6:14])
    except ValueError:
        raise IdCardError(ERR_BIRTH) from None
    if birth.year < 1900 or birth > (today or date.today()):
        raise IdCardError(ERR_BIRTH)
    if check_char(number[:17]) != number[17]:
        raise IdCardError(ERR_CHECKSUM)
    return IdCard(number, birth, number[16] in _ODD)


def make(area: str, birth: date, sequence: int, *, male: bool) -> str:
    """Build a valid number (demo and scale data). `sequence` 0-499; the gender digit is set from `male`."""
    seq = sequence % 500 * 2 + (1 if male else 0)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(value: str, keep_head: int = 0, keep_tail: int = 4) -> str:
    """**************1234 — the last 4 only: enough to tell people apart, not enough to use. Not the head as well:
    an ID number's first digits are the region code, which beside the gender and an age band narrows the hidden
    digits to a few hundred candidates."""
    if not value:
        return ""
    if len(value) <= max(keep_head + keep_tail, 8):  # too short to show anything of
        return "*" * len(value)
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[-keep_tail:]


def mask_phone(value: str) -> str:
    """138****1234."""
    return mask(value, keep_head=3, keep_tail=4)
