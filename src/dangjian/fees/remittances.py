"""上缴: what a branch passed on to the committee for a month, and its correction by a reversing entry with a reason.
Nothing is updated or deleted; a double-submitted form (the same submission_key) writes one row."""

from datetime import date
from uuid import UUID, uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.validators import future_message
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .models import Remittance

#: A remittance above this is refused as absurd (10,000,000 yuan for one branch's month).
REMIT_MAX_FEN = 1_000_000_000
REFERENCE_MAX = 100
REASON_MAX = 200

ERR_SCOPE = "无权为该组织登记上缴"
ERR_BRANCH = "只有党支部登记上缴"
ERR_AMOUNT = "金额须大于 0"
ERR_AMOUNT_MAX = f"金额不能超过 {rules.yuan(REMIT_MAX_FEN)} 元"
ERR_MONTH = "所属月份不能晚于本月"
MONTH_MIN = date(2000, 1, 1)
ERR_MONTH_MIN = "所属月份不能早于 2000年1月"
ERR_MONTH_DAY = "所属月份须为某月1日"
ERR_BEFORE_MONTH = "上缴日期不能早于所属月份"
ERR_KEY = "该表单已提交过，请刷新页面后重新填写"
ERR_REASON = "请填写冲正原因"
ERR_REVERSED = "该上缴已冲正，不能重复冲正"
ERR_REVERSAL = "冲正记录不能再冲正"


def _check_change(by, org: Organization) -> None:
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_SCOPE)


@transaction.atomic
def record_remittance(
    *,
    by,
    org: Organization,
    month: date,
    amount_fen: int,
    remitted_on: date,
    reference: str = "",
    submission_key: UUID,
) -> Remittance:
    """The branch's remittance of `amount_fen` for `month`. A second submit of the same form returns the first row."""
    _check_change(by, org)
    # Unrestricted: the key is unique across every row; only one of this org's is handed back.
    existing = Remittance.objects.unrestricted().filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.org_id != org.pk or existing.reverses_id is not None:
            raise ValidationError(ERR_KEY)
        return existing
    errors: dict[str, str] = {}
    today = clock.today()
    if org.kind != OrgKind.BRANCH:
        errors["org"] = ERR_BRANCH
    if amount_fen is None or amount_fen <= 0:
        errors["amount_fen"] = ERR_AMOUNT
    elif amount_fen > REMIT_MAX_FEN:
        errors["amount_fen"] = ERR_AMOUNT_MAX
    if month.day != 1:
        errors["month"] = ERR_MONTH_DAY
    elif month > rules.month_first(today):
        errors["month"] = ERR_MONTH
    elif month < MONTH_MIN:
        errors["month"] = ERR_MONTH_MIN
    if remitted_on > today:
        errors["remitted_on"] = future_message(today)
    elif month.day == 1 and remitted_on < month:
        errors["remitted_on"] = ERR_BEFORE_MONTH
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = f"最多 {REFERENCE_MAX} 个字"
    if errors:
        raise ValidationError(errors)
    remittance = Remittance(
        org=org,
        month=month,
        amount_fen=amount_fen,
        remitted_on=remitted_on,
        reference=reference,
        submission_key=submission_key,
        recorded_by=by,
    )
    remittance.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the same form submitted twice at once
            remittance.save()
    except IntegrityError:
        # Unrestricted, as above: the row the other submit wrote.
        existing = Remittance.objects.unrestricted().get(submission_key=submission_key)
        if existing.org_id != org.pk:
            raise ValidationError(ERR_KEY) from None
        return existing
    return remittance


@transaction.atomic
def reverse_remittance(*, by, remittance: Remittance, reason: str) -> Remittance:
    """A reversing entry (negative amount, the reason) for a remittance recorded wrongly; once, never of a reversal."""
    _check_change(by, remittance.org)
    # Lock the row: two reversals at once must not both pass the "once" check.
    original = Remittance.objects.changeable_by(by).select_for_update().get(pk=remittance.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERR_REASON})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"最多 {REASON_MAX} 个字"})
    if original.reverses_id is not None:
        raise ValidationError(ERR_REVERSAL)
    if Remittance.objects.changeable_by(by).filter(reverses=original).exists():
        raise ValidationError(ERR_REVERSED)
    today = clock.today()
    reversal = Remittance(
        org=original.org,
        month=original.month,
        amount_fen=-original.amount_fen,
        remitted_on=today,
        reference=original.reference,
        reverses=original,
        reason=reason,
        submission_key=uuid4(),
        recorded_by=by,
    )
    reversal.full_clean()
    reversal.save()
    return reversal
