import re

from django.core.exceptions import ValidationError

from dangjian.core import clock
from dangjian.core.lib import idcard

ERR_PHONE = "联系电话应为11位手机号或带区号的固定电话，如 13800138000 或 010-12345678"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def validate_id_number(value: str) -> None:
    try:
        idcard.parse(value, today=clock.today())
    except idcard.IdCardError as error:
        raise ValidationError(str(error), code="id_number") from None


def validate_phone(value: str) -> None:
    if value and not _PHONE.match(value):
        raise ValidationError(ERR_PHONE, code="phone")
