"""Cell values to field values. A parser takes one non-empty cell as read (str, float, int, bool, date, datetime)
and returns the field's value or raises CellError with a Chinese message.

What comes in: Excel date cells as date/datetime, dates typed as text in the usual Chinese forms, dates as Excel
serial numbers where a column was not formatted as dates, phone numbers as floats (13800138000.0), labels with
stray spaces or full-width characters, and the common synonyms of the choice labels.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from dangjian.core.lib import idcard

from ..choices import ETHNICITIES, Category, Education, Gender
from ..models import Member
from ..validators import validate_phone

ERR_DATE = "无法识别的日期“{value}”，请填写如 2020-01-05、2020/1/5、2020.01.05 或 2020年1月5日"
ERR_MONTH = "无法识别的年月“{value}”，请填写如 1985-06、1985.06 或 1985年6月"
ERR_CHOICE = "无法识别“{value}”，请填写{options}"
ERR_TOO_LONG = "内容过长：最多{limit}个字，现有{length}个字"
ERR_MONEY = "无法识别的金额“{value}”，请填写数字，如 6000 或 6000.50"
ERR_MONEY_TOO_LARGE = "金额过大"
ERR_ID_NUMERIC = (
    "公民身份号码被存成了数字，Excel 只保留15位有效数字，后几位已经改变；请把该列设为文本格式后重新填写号码"
)
ERR_FEE_NEGATIVE = next(
    c.violation_error_message for c in Member._meta.constraints if c.name == "fee_base_not_negative"
)

#: What users type for the choice labels besides the labels themselves.
GENDER_SYNONYMS = {"男性": Gender.MALE, "女性": Gender.FEMALE}
EDUCATION_SYNONYMS = {
    "博士": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大专": Education.JUNIOR_COLLEGE,
    "专科": Education.JUNIOR_COLLEGE,
    "中技": Education.VOCATIONAL,
    "中职": Education.VOCATIONAL,
    "职高": Education.VOCATIONAL,
    "技校": Education.VOCATIONAL,
    "初中": Education.MIDDLE_SCHOOL,
    "小学": Education.MIDDLE_SCHOOL,
}
CATEGORY_SYNONYMS = {"正式": Category.FULL, "预备": Category.PROBATIONARY}
#: What ERR_CHOICE asks for, per column.
OPTIONS_GENDER = "“男”或“女”"
OPTIONS_EDUCATION = "、".join(Education.labels)
OPTIONS_CATEGORY = "“正式党员”或“预备党员”"
OPTIONS_ETHNICITY = "民族全称，如“汉族”“回族”"

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_MAX_SERIAL = 2958465  # 9999-12-31
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[object], object]


def fold(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; surrounding whitespace off."""
    return unicodedata.normalize("NFKC", text).strip()


def shown(value: object) -> str:
    """A cell value as the user typed it, for a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    return shown(value)


def text_parser(field: str) -> Parser:
    limit = Member._meta.get_field(field).max_length

    def parse(value: object) -> str:
        text = value.strip() if value.__class__ is str else parse_text(value)
        if limit is not None and len(text) > limit:
            raise CellError(ERR_TOO_LONG.format(limit=limit, length=len(text)))
        return text

    return parse


def name_parser() -> Parser:
    """A Chinese name loses the spaces rosters pad it with (张　三); a name in Latin letters keeps them."""
    text = text_parser("name")

    def parse(value: object) -> str:
        name = text(value)
        if not name.isascii():
            name = "".join(name.split())
        return name

    return parse


def choice_parser(choices: dict[str, str], options: str) -> Parser:
    """Label (or synonym) → stored value; spaces and full-width forms ignored."""
    lookup = {"".join(fold(label).split()): value for label, value in choices.items()}

    def parse(value: object) -> str:
        found = lookup.get(value)  # the label as is: nearly every cell
        if found is None:
            found = lookup.get("".join(fold(parse_text(value)).split()))
            if found is None:
                raise CellError(ERR_CHOICE.format(value=shown(value), options=options))
        return found

    return parse


def _labels(choices) -> dict[str, str]:
    return {label: value for value, label in choices.choices}


def gender_parser() -> Parser:
    return choice_parser({**_labels(Gender), **GENDER_SYNONYMS}, OPTIONS_GENDER)


def education_parser() -> Parser:
    return choice_parser({**_labels(Education), **EDUCATION_SYNONYMS}, OPTIONS_EDUCATION)


def category_parser() -> Parser:
    return choice_parser({**_labels(Category), **CATEGORY_SYNONYMS}, OPTIONS_CATEGORY)


def ethnicity_parser() -> Parser:
    names = {name: name for name in ETHNICITIES}
    # 汉 for 汉族, 蒙古 for 蒙古族: rosters often leave off the 族.
    names.update({name[:-1]: name for name in ETHNICITIES if name.endswith("族")})
    return choice_parser(names, OPTIONS_ETHNICITY)


def _serial_date(serial: float) -> date:
    if not 1 <= serial <= _MAX_SERIAL:
        raise ValueError
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: object) -> date:
    if value.__class__ is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, float | int) and not isinstance(value, bool):
            if 19000101 <= value <= 99991231 and float(value).is_integer():  # 20200105 typed as a number
                return _compact_date(str(int(value)))
            return _serial_date(value)
        if isinstance(value, str):
            text = fold(value)
            if match := _DATE_TEXT.fullmatch(text):
                return date(int(match[1]), int(match[2]), int(match[3]))
            return _compact_date(text)
    except ValueError:
        pass
    raise CellError(ERR_DATE.format(value=shown(value)))


def _compact_date(text: str) -> date:
    match = _DATE_COMPACT.fullmatch(text)
    if not match:
        raise ValueError
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse_month(value: object) -> tuple[int, int]:
    """(year, month) of a 出生年月 cell: a date, 1985-06, 1985.06, 1985年6月, 198506, or the number 1985.06 (which
    Excel shows as 1985.1 for October: two decimal places are taken as the month)."""
    year = month = 0
    if isinstance(value, date):
        year, month = value.year, value.month
    elif isinstance(value, float | int) and not isinstance(value, bool):
        if 1900 <= value < 2100:
            year, month = int(value), round((value - int(value)) * 100)
        elif 190001 <= value <= 209912 and float(value).is_integer():
            year, month = divmod(int(value), 100)
        else:
            try:
                day = _serial_date(value)
            except ValueError:
                pass
            else:
                year, month = day.year, day.month
    elif isinstance(value, str):
        text = fold(value)
        if match := _MONTH_TEXT.fullmatch(text) or _MONTH_COMPACT.fullmatch(text):
            year, month = int(match[1]), int(match[2])
        else:
            try:
                day = parse_date(text)
            except CellError:
                pass
            else:
                year, month = day.year, day.month
    if not 1 <= month <= 12 or year < 1900:
        raise CellError(ERR_MONTH.format(value=shown(value)))
    return year, month


def id_card_parser(today: date) -> Parser:
    """The parsed number (normalised: full-width folded, upper-case X), else the idcard library's message.

    A number cell is refused: Excel keeps 15 significant digits, so an 18-digit number has already lost its last
    digits (110101198001051234 is read back as 110101198001051200) and might even pass the checksum by chance."""

    def parse(value: object) -> idcard.IdCard:
        if not isinstance(value, str):
            raise CellError(ERR_ID_NUMERIC)
        try:
            return idcard.parse(value, today=today)
        except idcard.IdCardError as error:
            raise CellError(str(error)) from None

    return parse


def parse_phone(value: object) -> str:
    """13800138000.0 (a number cell) → "13800138000"; spaces and full-width digits dropped; then the form's rule."""
    if isinstance(value, float | int) and not isinstance(value, bool) and float(value).is_integer():
        phone = str(int(value))
    elif isinstance(value, str) and value.isascii():
        phone = "".join(value.split()) if " " in value else value
    else:
        phone = "".join(fold(str(value)).split())
    try:
        validate_phone(phone)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return phone


_FEE = Member._meta.get_field("fee_base")
_CENT = Decimal("0.01")
_FEE_LIMIT = Decimal(10) ** (_FEE.max_digits - _FEE.decimal_places)
_whole: dict[int, Decimal] = {}


def _money_from_int(value: int) -> Decimal:
    """Whole amounts (most fee bases) as Decimal("6000.00"), made once per amount."""
    found = _whole.get(value)
    if found is None:
        found = _whole[value] = Decimal(value).quantize(_CENT)
    return found


def parse_money(value: object) -> Decimal:
    """6000, 6000.5, "6,000.50", "6000元" → Decimal rounded half up to the fen."""
    if value.__class__ is float and value.is_integer() and 0 <= value < _FEE_LIMIT:
        return _money_from_int(int(value))
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, float | int):
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = "".join(fold(str(value)).split()).replace(",", "").removesuffix("元")
            amount = Decimal(text)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise CellError(ERR_MONEY.format(value=shown(value))) from None
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise CellError(ERR_FEE_NEGATIVE)
    if amount >= _FEE_LIMIT:
        raise CellError(ERR_MONEY_TOO_LARGE)
    return amount
