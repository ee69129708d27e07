"""党费 payments: recording a member's payment for chosen months (allocated oldest first, a partial payment leaves the
last month partly paid, months ahead get their ledger line when paid), a branch's month in one go, corrections as
reversing entries with a reason, and the reads of the payment pages.

Nothing is overwritten or deleted: a Payment, once written, stays; a correction is a Payment that `reverses` it (once:
the OneToOne), with negative amounts, and lowers the lines' `paid_fen` again. A form's `submission_key` is unique in
the database: the same form submitted twice (a double tap, two connections at once) is one payment. Payments of one
member are serialised by a row lock on the member, so two payments never allocate the same owed fen twice."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.core.validators import future_message
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .choices import PayMethod
from .ledger import owing_members
from .models import FeeBase, LedgerLine, Payment, PaymentMonth

#: One payment (or one month's extra) above this is refused as absurd: 100,000 yuan.
AMOUNT_MAX_FEN = 10_000_000
#: Months may be paid ahead up to this many months after this month.
AHEAD_MONTHS = 12
#: At most this many months in one payment.
MONTHS_MAX = 36
#: The bulk page and an import: at most this many payments at once.
BATCH_MAX = 5_000
#: Payments are never dated before this day.
EARLIEST_PAID_ON = date(2000, 1, 1)

ERR_AMOUNT_POSITIVE = "金额须大于 0 元"
ERR_AMOUNT_MAX = f"金额不能超过 {rules.yuan(AMOUNT_MAX_FEN)} 元，请核实"
ERR_EXTRA_NEGATIVE = "自愿多交金额不能为负数"
ERR_EXTRA_MAX = f"自愿多交金额不能超过 {rules.yuan(AMOUNT_MAX_FEN)} 元，请核实"
ERR_NO_MONTHS = "请至少选择一个月份"
ERR_NO_MEMBERS = "请至少勾选一名党员"
ERR_TOO_MANY_MONTHS = f"一次最多交纳 {MONTHS_MAX} 个月"
ERR_MONTH_PAID = "{month}的党费已交清"
ERR_MONTH_NOT_OWED = "{name}{month}无需交纳党费（尚未入党、已不在册或尚未核定党费基数）"
ERR_MONTH_TOO_FAR = f"最多预交到本月之后 {AHEAD_MONTHS} 个月（{{last}}）"
ERR_MONTH_SHORT = "金额 {amount} 元不足以交纳所选的全部月份（{month}分不到金额），请减少所选月份或核对金额"
ERR_OVERPAID = "金额 {amount} 元超过所选月份应交合计 {owed} 元；多交部分请填入“自愿多交”"
ERR_METHOD = "请选择交纳方式"
ERR_PAID_ON_OLD = "交纳日期不能早于 2000年1月1日"
ERR_OUT_OF_SCOPE = "您无权为该党员登记党费"
ERR_KEY_OTHER = "该表单已用于登记其他党员的缴费，请刷新页面后重新填写"
ERR_REASON = "请填写冲正原因"
ERR_REASON_LONG = "冲正原因最多 200 个字"
ERR_ALREADY_REVERSED = "该笔缴费已冲正，不能重复冲正"
ERR_REVERSAL_OF_REVERSAL = "冲正记录不能再冲正；如有错误，请重新登记正确的缴费"
ERR_BATCH_MAX = f"一次最多登记 {BATCH_MAX} 笔"
WARN_BACKFILL = f"补交超过{rules.BACKFILL_WARN_MONTHS}个月，请核实"


def month_label(first: date) -> str:
    return f"{first.year}年{first.month}月"


def backfill_limit(today: date | None = None) -> date:
    """Months before this one are 补交 beyond rules.BACKFILL_WARN_MONTHS: the pages warn (never refuse)."""
    return rules.add_months(rules.month_first(today or clock.today()), -rules.BACKFILL_WARN_MONTHS)


def backfill_warning(months) -> str:
    """The warning for months paid more than BACKFILL_WARN_MONTHS months late, or ""."""
    limit = backfill_limit()
    old = sorted(m for m in months if m < limit)
    if not old:
        return ""
    return f"{WARN_BACKFILL}：{'、'.join(month_label(m) for m in old)}"


def submission_key_for(key: uuid.UUID, part: str) -> uuid.UUID:
    """A payment's own key derived from a batch's (the bulk page's form, an import): submitting the batch again
    derives the same keys, so it writes nothing twice."""
    return uuid.uuid5(key, part)


# ── Recording ───────────────────────────────────────────────────────────────────────────────────────────────────


def _check_scope(by, member: Member) -> None:
    if not by.can(Capability.CHANGE, member.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)


def _check_amounts(amount_fen: int, extra_fen: int) -> None:
    errors = {}
    if amount_fen <= 0:
        errors["amount_fen"] = ERR_AMOUNT_POSITIVE
    elif amount_fen > AMOUNT_MAX_FEN:
        errors["amount_fen"] = ERR_AMOUNT_MAX
    if extra_fen < 0:
        errors["extra_fen"] = ERR_EXTRA_NEGATIVE
    elif extra_fen > AMOUNT_MAX_FEN:
        errors["extra_fen"] = ERR_EXTRA_MAX
    if errors:
        raise ValidationError(errors)


def _check_paid_on(paid_on: date, method: str) -> None:
    errors = {}
    if paid_on > clock.today():
        errors["paid_on"] = future_message()
    elif paid_on < EARLIEST_PAID_ON:
        errors["paid_on"] = ERR_PAID_ON_OLD
    if method not in PayMethod.values:
        errors["method"] = ERR_METHOD
    if errors:
        raise ValidationError(errors)


def _months(months) -> list[date]:
    chosen = sorted({rules.month_first(m) for m in months})
    if not chosen:
        raise ValidationError({"months": ERR_NO_MONTHS})
    if len(chosen) > MONTHS_MAX:
        raise ValidationError({"months": ERR_TOO_MANY_MONTHS})
    return chosen


def _new_line(member: Member, month: date) -> LedgerLine:
    """The ledger line of a month the member owes and has none yet (a month ahead, or one the nightly task has not
    written yet): ledger.owing_members decides, with the base in force that month. ValidationError if not owed."""
    last = rules.add_months(rules.month_first(clock.today()), AHEAD_MONTHS)
    if month > last:
        raise ValidationError({"months": ERR_MONTH_TOO_FAR.format(last=month_label(last))})
    found = owing_members(month).filter(pk=member.pk).values("at_org", "b_kind", "b_base", "b_fixed").first()
    if found is None:
        raise ValidationError({"months": ERR_MONTH_NOT_OWED.format(name=member.name, month=month_label(month))})
    due = rules.monthly_due(found["b_kind"], found["b_base"], found["b_fixed"])
    return LedgerLine(
        member=member,
        org_id=found["at_org"],
        month=month,
        kind=found["b_kind"],
        base_fen=found["b_base"],
        due_fen=due,
        paid_fen=0,
    )


def _allocate(member: Member, months: list[date], amount_fen: int) -> list[tuple[LedgerLine, int]]:
    """(line, fen) for each chosen month, oldest first: each month takes what it owes until the amount runs out.
    Lines not yet written are built (unsaved). ValidationError for a month not owed, already paid, left without
    any fen, or an amount above what the months owe."""
    # Unrestricted: the member's own lines, read under the member's lock by a service that checked the scope.
    existing = {
        line.month: line
        for line in LedgerLine.objects.unrestricted().select_for_update().filter(member=member, month__in=months)
    }
    lines = []
    for month in months:
        line = existing.get(month)
        if line is None:
            line = _new_line(member, month)
        if line.owed_fen <= 0:
            if line.due_fen <= 0 and line.paid_fen <= 0:
                message = ERR_MONTH_NOT_OWED.format(name=member.name, month=month_label(month))
            else:
                message = ERR_MONTH_PAID.format(month=month_label(month))
            raise ValidationError({"months": message})
        lines.append(line)
    owed = sum(line.owed_fen for line in lines)
    if amount_fen > owed:
        raise ValidationError({"amount_fen": ERR_OVERPAID.format(amount=rules.yuan(amount_fen), owed=rules.yuan(owed))})
    allocation, left = [], amount_fen
    for line in lines:
        take = min(line.owed_fen, left)
        if take <= 0:
            raise ValidationError(
                {"amount_fen": ERR_MONTH_SHORT.format(amount=rules.yuan(amount_fen), month=month_label(line.month))}
            )
        allocation.append((line, take))
        left -= take
    return allocation


def _lock_member(member: Member) -> Member:
    # Unrestricted: the lock on a member the caller fetched through its scope (and the service checks it again).
    return Member.objects.unrestricted().select_for_update().select_related("org").get(pk=member.pk)


def _existing(submission_key) -> Payment | None:
    # Unrestricted: a lookup by the form's own key, to answer a repeated submit with the payment it made.
    return Payment.objects.unrestricted().filter(submission_key=submission_key).first()


def _same_submission(found: Payment, member: Member) -> Payment:
    if found.member_id != member.pk:
        raise ValidationError(ERR_KEY_OTHER)
    return found


@transaction.atomic
def record_payment(
    *,
    by,
    member: Member,
    months,
    amount_fen: int,
    extra_fen: int = 0,
    paid_on: date,
    method: str,
    receipt_no: str = "",
    reference: str = "",
    submission_key,
) -> Payment:
    """Record what `member` paid for `months` (allocated oldest first; extra_fen apart). A second submit with the
    same `submission_key` returns the first payment and writes nothing."""
    _check_scope(by, member)
    found = _existing(submission_key)  # submitted before (and since committed): nothing to check or write
    if found is not None:
        return _same_submission(found, member)
    _check_amounts(amount_fen, extra_fen)
    _check_paid_on(paid_on, method)
    chosen = _months(months)
    member = _lock_member(member)  # payments of one member one after another (a double submit waits here)
    _check_scope(by, member)
    found = _existing(submission_key)
    if found is not None:
        return _same_submission(found, member)
    allocation = _allocate(member, chosen, amount_fen)
    payment = Payment(
        member=member,
        org=member.org,
        paid_on=paid_on,
        amount_fen=amount_fen,
        extra_fen=extra_fen,
        method=method,
        receipt_no=receipt_no.strip(),
        reference=reference.strip(),
        submission_key=submission_key,
        recorded_by=by,
    )
    payment.full_clean(validate_unique=False)  # uniqueness: the constraint itself, below
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # The same key written meanwhile by another connection (it committed after our check): that payment.
        found = _existing(submission_key)
        if found is None:
            raise
        return _same_submission(found, member)
    _write_months(payment, allocation)
    return payment


def _write_months(payment: Payment, allocation: list[tuple[LedgerLine, int]]) -> None:
    new = [line for line, _fen in allocation if line.pk is None]
    for line in new:
        line.save()
    PaymentMonth.objects.bulk_create(
        PaymentMonth(payment=payment, line=line, amount_fen=fen) for line, fen in allocation
    )
    for line, fen in allocation:
        LedgerLine.objects.unrestricted().filter(pk=line.pk).update(paid_fen=F("paid_fen") + fen)


@transaction.atomic
def reverse_payment(*, by, payment: Payment, reason: str) -> Payment:
    """Correct `payment` by a reversing entry (negative amounts, the months' paid_fen lowered again) with a reason.
    A payment is reversed once; a reversal is never reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ERR_REASON})
    if len(reason) > 200:
        raise ValidationError({"reason": ERR_REASON_LONG})
    if not by.can(Capability.CHANGE, payment.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    _lock_member(payment.member)
    # Unrestricted: the payment's own rows, under the member's lock, scope checked above.
    original = Payment.objects.unrestricted().get(pk=payment.pk)
    if original.reverses_id is not None:
        raise ValidationError(ERR_REVERSAL_OF_REVERSAL)
    if Payment.objects.unrestricted().filter(reverses=original).exists():
        raise ValidationError(ERR_ALREADY_REVERSED)
    parts = list(PaymentMonth.objects.unrestricted().filter(payment=original).values_list("line_id", "amount_fen"))
    list(LedgerLine.objects.unrestricted().select_for_update().filter(pk__in=[line for line, _ in parts]))
    reversal = Payment(
        member_id=original.member_id,
        org_id=original.org_id,
        paid_on=clock.today(),
        amount_fen=-original.amount_fen,
        extra_fen=-original.extra_fen,
        method=original.method,
        receipt_no=original.receipt_no,
        reference=original.reference,
        reverses=original,
        reason=reason,
        submission_key=submission_key_for(original.submission_key, "reverse"),
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        raise ValidationError(ERR_ALREADY_REVERSED) from None
    PaymentMonth.objects.bulk_create(
        PaymentMonth(payment=reversal, line_id=line, amount_fen=-fen) for line, fen in parts
    )
    for line, fen in parts:
        LedgerLine.objects.unrestricted().filter(pk=line).update(paid_fen=F("paid_fen") - fen)
    return reversal


# ── A branch's month at once (the bulk page) ───────────────────────────────────────────────────────────────────


@dataclass
class MonthRow:
    """One ticked member of the bulk page: `amount_fen` None pays what the month owes."""

    member_id: int
    amount_fen: int | None = None


@transaction.atomic
def record_month_payments(
    *, by, org: Organization, month: date, rows: list[MonthRow], paid_on: date, method: str, submission_key
) -> list[Payment]:
    """A payment of `month` for every row (a member of `org` whose line that month is in it): all or nothing. The
    refusals are collected per row (ValidationError keyed "row-<member id>"), then nothing is written."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    if not rows:
        raise ValidationError(ERR_NO_MEMBERS)
    if len(rows) > BATCH_MAX:
        raise ValidationError(ERR_BATCH_MAX)
    _check_paid_on(paid_on, method)
    month = rules.month_first(month)
    wanted = sorted({row.member_id for row in rows})
    # Unrestricted: the month's lines of the branch, whose scope was checked above.
    lines = {
        line.member_id: line
        for line in LedgerLine.objects.unrestricted()
        .filter(org=org, month=month, member_id__in=wanted)
        .select_related("member__org")
    }
    errors: dict[str, list[str]] = {}
    payments = []
    for row in sorted(rows, key=lambda r: r.member_id):  # locks taken in one order: no deadlock between two pages
        line = lines.get(row.member_id)
        if line is None:
            errors[f"row-{row.member_id}"] = [ERR_MONTH_NOT_OWED.format(name="", month=month_label(month))]
            continue
        amount = line.owed_fen if row.amount_fen is None else row.amount_fen
        try:
            payments.append(
                record_payment(
                    by=by,
                    member=line.member,
                    months=[month],
                    amount_fen=amount,
                    paid_on=paid_on,
                    method=method,
                    submission_key=submission_key_for(submission_key, f"member-{row.member_id}"),
                )
            )
        except (ValidationError, PermissionDenied) as refused:
            errors[f"row-{row.member_id}"] = getattr(refused, "messages", [str(refused)])
    if errors:
        raise ValidationError(errors)
    return payments


# ── Reads ───────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MonthOption:
    month: date
    due_fen: int
    owed_fen: int
    line_exists: bool
    backfill: bool  # paid more than BACKFILL_WARN_MONTHS months late: the page warns

    @property
    def label(self) -> str:
        text = f"{month_label(self.month)}　应交 {rules.yuan(self.due_fen)} 元"
        if self.line_exists and self.owed_fen != self.due_fen:
            text += f"，未交 {rules.yuan(self.owed_fen)} 元"
        if not self.line_exists:
            text += "（预交）" if self.month > rules.month_first(clock.today()) else ""
        if self.backfill:
            text += f"（{WARN_BACKFILL}）"
        return text


def payable_months(*, fetched_by, member: Member) -> list[MonthOption]:
    """What the payment page offers for `member`: every month with a line not fully paid (oldest first), then this
    month and the next AHEAD_MONTHS that have no line yet (in register only), with the due of the base in force.
    Two queries."""
    this = rules.month_first(clock.today())
    limit = backfill_limit()
    open_lines = (
        LedgerLine.objects.visible_to(fetched_by)
        .filter(member=member, month__lte=rules.add_months(this, AHEAD_MONTHS))
        .order_by("month")
    )
    options, taken = [], set()
    for line in open_lines:
        taken.add(line.month)
        if line.owed_fen > 0:
            options.append(MonthOption(line.month, line.due_fen, line.owed_fen, True, line.month < limit))
    if member.status != Status.ACTIVE:
        return options
    bases = list(FeeBase.objects.visible_to(fetched_by).filter(member=member).order_by("effective_month"))
    joined = rules.month_first(member.joined_on)
    for n in range(AHEAD_MONTHS + 1):
        month = rules.add_months(this, n)
        if month in taken or month < joined:
            continue
        in_force = [b for b in bases if b.effective_month <= month]
        if not in_force:
            continue
        due = in_force[-1].monthly_due_fen
        if due > 0:
            options.append(MonthOption(month, due, due, False, False))
    return options


def month_lines(*, fetched_by, org: Organization, month: date) -> QuerySet:
    """The bulk page's rows: the month's lines of the branch the user may change, by name (one query)."""
    return (
        LedgerLine.objects.changeable_by(fetched_by)
        .filter(org=org, month=month)
        .select_related("member")
        .order_by("member__name_pinyin", "id")
    )


def payment_list(*, fetched_by, org: Organization | None = None, month: date | None = None) -> QuerySet:
    """Payments the user sees (of `org`'s subtree; paid in `month`), newest first, with member, branch, the months
    each pays (prefetched: one more query per page) and whether it was reversed."""
    payments = Payment.objects.visible_to(fetched_by)
    if org is not None:
        payments = payments.filter(subtree_q("org__path", [org.path]))
    if month is not None:
        payments = payments.filter(paid_on__gte=month, paid_on__lte=rules.month_last(month))
    # Unrestricted inside a subquery: only whether a reversal of each visible payment exists.
    reversed_q = Exists(Payment.objects.unrestricted().filter(reverses=OuterRef("pk")))
    months = PaymentMonth.objects.visible_to(fetched_by).select_related("line").order_by("line__month")
    return (
        payments.select_related("member", "org", "recorded_by")
        .annotate(is_reversed=reversed_q)
        .prefetch_related(Prefetch("months", queryset=months))
        .order_by("-paid_on", "-id")
    )


def payment_get(*, fetched_by, pk: int, capability: str = Capability.VIEW) -> Payment:
    """One payment within the user's scope (DoesNotExist otherwise: the view answers 404)."""
    if capability == Capability.VIEW:
        payments = Payment.objects.visible_to(fetched_by)
    else:
        payments = Payment.objects.restrict(fetched_by, capability)
    return payments.select_related("member", "org").get(pk=pk)
