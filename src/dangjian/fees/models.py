"""党费 (DOMAIN.md §4): each member's fee kind and base over time, the monthly ledger, payments allocated to its
lines, and the branches' remittances to the committee. Money in whole fen (integers), never float.

Corrections are reversing entries with a reason (a Payment or Remittance that `reverses` another): nothing is
overwritten or deleted. A double-submitted form is one row: `submission_key` is unique."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dangjian.core.models import BaseModel
from dangjian.core.scope import ScopedQuerySet

from . import rules
from .choices import BaseSource, FeeKind, PayMethod


class OwnMemberRows(ScopedQuerySet):
    """Rows about one member, scoped by the org they are kept under; a member sees their own."""

    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(member__user=user)


class FeeBaseQuerySet(OwnMemberRows):
    # A member's bases follow the member: whoever keeps the member now sees their whole history.
    org_path_lookup = "member__org__path"


class FeeBase(BaseModel):
    """A member's fee kind and base from a month on (history kept: the one in force is the latest not after it)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="fee_bases", verbose_name="党员"
    )
    kind = models.CharField("交纳类别", max_length=20, choices=FeeKind.choices)
    base_fen = models.PositiveBigIntegerField("党费基数（分）", null=True, blank=True)
    fixed_fen = models.PositiveIntegerField("每月定额（分）", null=True, blank=True)  # a farmer's chosen amount
    effective_month = models.DateField("起始月份")  # the first day of the month
    approved_on = models.DateField("批准日期", null=True, blank=True)  # exempt by approval
    reason = models.CharField("批准理由/说明", max_length=200, blank=True)
    source = models.CharField("来源", max_length=20, choices=BaseSource.choices, default=BaseSource.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    objects = FeeBaseQuerySet.as_manager()

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["member", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["member", "effective_month"], name="feebase_member_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.effective_month:%Y-%m} {self.get_kind_display()}"

    def clean(self):
        errors = {}
        if self.effective_month and self.effective_month.day != 1:
            errors["effective_month"] = "起始月份须为某月1日"
        if self.kind in rules.BRACKETS:
            if self.base_fen is None:
                errors["base_fen"] = "在职、离退休党员须填写党费基数"
            elif self.base_fen > rules.BASE_MAX_FEN:
                errors["base_fen"] = f"党费基数不能超过 {rules.yuan(rules.BASE_MAX_FEN)} 元"
        elif self.kind == FeeKind.FARMER:
            if self.fixed_fen is None or not rules.FARMER_MIN_FEN <= self.fixed_fen <= rules.FARMER_MAX_FEN:
                errors["fixed_fen"] = "农民党员每月交纳 0.2 元至 1 元"
        elif self.kind == FeeKind.EXEMPT and (self.approved_on is None or not self.reason.strip()):
            errors["approved_on"] = "免交须填写批准日期和理由"
        if errors:
            raise ValidationError(errors)

    @property
    def monthly_due_fen(self) -> int:
        return rules.monthly_due(self.kind, self.base_fen, self.fixed_fen)

    def get_additional_data(self) -> dict:
        return {"org_path": self.member.org.path}


class LedgerLineQuerySet(OwnMemberRows):
    pass


class LedgerLine(BaseModel):
    """What one member owes for one month, to the branch they belonged to that month (ledger.generate_month writes
    them set-based). `paid_fen` is the sum of the payments allocated to it, kept by the payment services."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    month = models.DateField("月份")  # the first day of the month
    kind = models.CharField("交纳类别", max_length=20, choices=FeeKind.choices)
    base_fen = models.PositiveBigIntegerField("党费基数（分）", null=True, blank=True)
    due_fen = models.PositiveIntegerField("应交（分）")
    paid_fen = models.IntegerField("已交（分）", default=0)

    objects = LedgerLineQuerySet.as_manager()

    class Meta:
        verbose_name = "党费台账"
        verbose_name_plural = "党费台账"
        ordering = ["org", "month", "member__name_pinyin"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="ledger_member_month")]
        indexes = [
            models.Index(fields=["org", "month"], name="ledger_org_month_idx"),
            models.Index(fields=["month", "org"], name="ledger_month_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"

    @property
    def owed_fen(self) -> int:
        return max(self.due_fen - self.paid_fen, 0)


class Payment(BaseModel):
    """Money a member paid (recorded by reference: the system takes no money), allocated to ledger lines
    (PaymentMonth); `extra_fen` is a voluntary extra (自愿多交), apart from the months. A correction is a payment
    that `reverses` another, with negative amounts and a reason."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="收缴党支部")
    paid_on = models.DateField("交纳日期")
    amount_fen = models.IntegerField("金额（分）")  # allocated to months; negative in a reversal
    extra_fen = models.IntegerField("自愿多交（分）", default=0)
    method = models.CharField("交纳方式", max_length=20, choices=PayMethod.choices)
    receipt_no = models.CharField("收据编号", max_length=50, blank=True)
    reference = models.CharField("转账/交易流水号", max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲正的缴费"
    )
    reason = models.CharField("冲正原因", max_length=200, blank=True)
    submission_key = models.UUIDField("提交标识", unique=True)  # the form's: a double submit writes one payment
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = OwnMemberRows.as_manager()

    class Meta:
        verbose_name = "党费缴纳"
        verbose_name_plural = "党费缴纳"
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["org", "paid_on"], name="payment_org_day_idx"),
            models.Index(fields=["member", "paid_on"], name="payment_member_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.paid_on} {rules.yuan(self.amount_fen)}元"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class PaymentMonthQuerySet(ScopedQuerySet):
    org_path_lookup = "line__org__path"

    def own_records(self, user):
        return Q(line__member__user=user)


class PaymentMonth(models.Model):
    """The part of a payment that pays one ledger line (a month)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="months", verbose_name="缴费")
    line = models.ForeignKey(LedgerLine, on_delete=models.PROTECT, related_name="allocations", verbose_name="台账月份")
    amount_fen = models.IntegerField("金额（分）")

    objects = PaymentMonthQuerySet.as_manager()

    class Meta:
        verbose_name = "缴费所属月份"
        verbose_name_plural = "缴费所属月份"
        constraints = [models.UniqueConstraint(fields=["payment", "line"], name="payment_month_unique")]

    def __str__(self) -> str:
        return f"{self.line} {rules.yuan(self.amount_fen)}元"


class RemittanceQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class Remittance(BaseModel):
    """What a branch passed on to the committee for one month (上缴). Corrections reverse, with a reason."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    month = models.DateField("所属月份")  # the first day of the month
    amount_fen = models.IntegerField("金额（分）")
    remitted_on = models.DateField("上缴日期")
    reference = models.CharField("凭证/流水号", max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name="冲正的上缴"
    )
    reason = models.CharField("冲正原因", max_length=200, blank=True)
    submission_key = models.UUIDField("提交标识", unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = RemittanceQuerySet.as_manager()

    class Meta:
        verbose_name = "党费上缴"
        verbose_name_plural = "党费上缴"
        ordering = ["org", "-month", "-id"]
        indexes = [models.Index(fields=["org", "month"], name="remittance_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.org} {self.month:%Y-%m} {rules.yuan(self.amount_fen)}元"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


# lane remit ─────────────────────────────────────────────────────────────────────────────────────────────────


class ArrearsFlagQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class ArrearsFlag(models.Model):
    """A member in arrears, computed for the whole tree by the nightly task (fees.arrears) and stored so that the
    reminders and the flags page read it in constant queries: `months` past months with something owed (at least
    rules.MEMBER_ARREARS_MONTHS); `review` when the rules.FLAG_UNPAID_MONTHS months before this one were all unpaid
    and no exemption was approved (党章第九条): shown on the flags page for people to review. Never a status
    change."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="党支部")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", verbose_name="党员")
    months = models.PositiveSmallIntegerField("欠交月数")
    review = models.BooleanField("连续6个月未交纳，待核实", default=False)
    message = models.CharField("内容", max_length=300)
    computed_at = models.DateTimeField("计算时间")

    objects = ArrearsFlagQuerySet.as_manager()

    class Meta:
        verbose_name = "党费欠交提示"
        verbose_name_plural = "党费欠交提示"
        ordering = ["org", "member"]
        indexes = [models.Index(fields=["org", "member"], name="arrearsflag_org_member_idx")]

    def __str__(self) -> str:
        return self.message

    @property
    def reason(self) -> str:
        """What the flags page shows beneath (`last_paid` annotated by fees.arrears.flags_for)."""
        last = getattr(self, "last_paid", None)
        paid = f"{last.year}年{last.month}月{last.day}日" if last else "无记录"
        return f"连续{rules.FLAG_UNPAID_MONTHS}个月未交纳党费，最近一次交纳：{paid}"
