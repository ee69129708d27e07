"""Rules across a member's own fields, as plain values: shared by Member.clean (forms, admin, services) and the
roster importer (which validates thousands of rows without building model instances)."""

from datetime import date

from dangjian.core import clock
from dangjian.core.lib import idcard
from dangjian.core.lib.dates import age_on, format_cn_date
from dangjian.core.validators import future_errors

from . import rules
from .choices import Category, Gender

ERR_ID_BIRTH = "出生日期与公民身份号码中的出生日期（{}）不一致"
ERR_ID_GENDER = "性别与公民身份号码不一致（号码第17位表示{}）"
ERR_FULL_DATE_MISSING = "正式党员须填写转正日期"
ERR_FULL_DATE_PROBATIONARY = "预备党员尚未转正，不应填写转正日期"
ERR_FULL_BEFORE_JOIN = "转正日期不能早于入党日期"
ERR_JOIN_AGE = f"入党时应年满{rules.MIN_JOIN_AGE}周岁（党章第一条）"


def cross_field_errors(
    *,
    id_number: str,
    birth_date: date | None,
    gender: str,
    category: str,
    joined_on: date | None,
    full_member_on: date | None,
    work_started_on: date | None = None,
    today: date | None = None,
    card: idcard.IdCard | None = None,
) -> dict[str, list[str]]:
    """{field: [Chinese message, …]} for every rule broken; empty when the values agree.
    An ID number that does not parse is left to the field validator. `card`: id_number already parsed."""
    today = today or clock.today()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if id_number and card is None:
        try:
            card = idcard.parse(id_number, today=today)
        except idcard.IdCardError:
            card = None
    if card:
        if birth_date and birth_date != card.birth_date:
            add("birth_date", ERR_ID_BIRTH.format(format_cn_date(card.birth_date)))
        if gender and (gender == Gender.MALE) != card.is_male:
            add("gender", ERR_ID_GENDER.format("男" if card.is_male else "女"))
    dates = {"birth_date": birth_date, "joined_on": joined_on, "full_member_on": full_member_on}
    for field, messages in future_errors(today, **dates, work_started_on=work_started_on).items():
        errors.setdefault(field, []).extend(messages)
    if category == Category.FULL and not full_member_on:
        add("full_member_on", ERR_FULL_DATE_MISSING)
    if category == Category.PROBATIONARY and full_member_on:
        add("full_member_on", ERR_FULL_DATE_PROBATIONARY)
    if joined_on and full_member_on and full_member_on < joined_on:
        add("full_member_on", ERR_FULL_BEFORE_JOIN)
    if birth_date and joined_on and age_on(birth_date, joined_on) < rules.MIN_JOIN_AGE:
        add("joined_on", ERR_JOIN_AGE)
    return errors
