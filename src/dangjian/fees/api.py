"""/api/v1/fees: bases, ledger lines and payments, scoped like every other read (a member's token sees their own
rows). Amounts are whole fen (`…_fen`, integers) with the same amount as a yuan string (`…_yuan`, "123.45")."""

from datetime import date

from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from dangjian.core import clock
from dangjian.core.api import ERROR_RESPONSES, InvalidParams, MemberRef, OrgRef, PageParams, choices_help, paginate
from dangjian.core.scope import subtree_q
from dangjian.members.models import Member
from dangjian.orgs.selectors import visible_org_or_404

from . import rules
from .choices import BaseSource, FeeKind, PayMethod
from .models import FeeBase, LedgerLine, Payment
from .selectors import parse_month

router = Router(tags=["党费"])

ERR_RANGE = "开始日期不能晚于结束日期"


def _visible_member(user, pk: int | None) -> Member | None:
    if pk is None:
        return None
    member = Member.objects.visible_to(user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


class PageOf(Schema):
    count: int
    page: int
    page_size: int


# --- bases ---------------------------------------------------------------------------------------------------


class BaseParams(Schema):
    org: int | None = Field(None, description="组织 ID（其下级组织的党员也包括在内）")
    member: int | None = Field(
        None, description="党员 ID：给出时列出该党员的全部基数记录（历史），否则每人一条现行基数"
    )


class FeeBaseOut(Schema):
    id: int
    member: MemberRef
    kind: FeeKind = Field(description=f"交纳类别：{choices_help(FeeKind.choices)}")
    base_fen: int | None = Field(description="党费基数（分）；农民、学生等按定额交纳的为 null")
    base_yuan: str | None = Field(description="党费基数（元）")
    fixed_fen: int | None = Field(description="农民党员自定的每月定额（分）")
    fixed_yuan: str | None
    monthly_due_fen: int = Field(description="每月应交（分），基数乘比例四舍五入到分")
    monthly_due_yuan: str = Field(description="每月应交（元）")
    effective_month: str = Field(description="起始月份（YYYY-MM）")
    source: BaseSource = Field(description=f"来源：{choices_help(BaseSource.choices)}")

    @staticmethod
    def resolve_base_yuan(obj: FeeBase) -> str | None:
        return None if obj.base_fen is None else rules.yuan(obj.base_fen)

    @staticmethod
    def resolve_fixed_yuan(obj: FeeBase) -> str | None:
        return None if obj.fixed_fen is None else rules.yuan(obj.fixed_fen)

    @staticmethod
    def resolve_monthly_due_yuan(obj: FeeBase) -> str:
        return rules.yuan(obj.monthly_due_fen)

    @staticmethod
    def resolve_effective_month(obj: FeeBase) -> str:
        return f"{obj.effective_month:%Y-%m}"


class FeeBasePage(PageOf):
    results: list[FeeBaseOut]


@router.get("/bases", response={200: FeeBasePage, **ERROR_RESPONSES}, url_name="fee_bases", summary="党费基数")
def fee_bases(request: HttpRequest, filters: Query[BaseParams], pages: Query[PageParams]):
    """您权限范围内党员的现行党费基数（每人一条：本月已生效的最近一条）；给出 member 时为该党员的全部基数记录，
    新的在前。党员本人的令牌只能看到自己的记录。组织或党员不存在、不在权限范围内时返回 404。"""
    user = request.auth
    rows = FeeBase.objects.visible_to(user).select_related("member")
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("member__org__path", [org.path]))
    member = _visible_member(user, filters.member)
    if member is not None:
        rows = rows.filter(member=member).order_by("-effective_month", "-id")
    else:
        this_month = rules.month_first(clock.today())
        # Current: in force this month, and no later one in force by now.
        later = FeeBase.objects.unrestricted().filter(  # the same member's rows: already in scope with this one
            member=OuterRef("member"),
            effective_month__gt=OuterRef("effective_month"),
            effective_month__lte=this_month,
        )
        rows = rows.filter(effective_month__lte=this_month).filter(~Exists(later))
        rows = rows.order_by("member__org__path", "member__name_pinyin", "id")
    return paginate(rows, page=pages.page, page_size=pages.page_size)


# --- ledger lines ----------------------------------------------------------------------------------------------


class LedgerParams(Schema):
    org: int | None = Field(None, description="党支部或上级组织 ID（含下级组织）")
    month: str = Field("", max_length=7, description="月份（YYYY-MM）；不填则为全部月份")
    unpaid: bool | None = Field(None, description="true：只列未交清的；false：只列已交清的")


class LedgerLineOut(Schema):
    id: int
    member: MemberRef
    org: OrgRef = Field(description="该月所在党支部（应交往的党支部）")
    month: str = Field(description="月份（YYYY-MM）")
    kind: FeeKind = Field(description=f"交纳类别：{choices_help(FeeKind.choices)}")
    base_fen: int | None = Field(description="当月党费基数（分）")
    base_yuan: str | None
    due_fen: int = Field(description="应交（分）")
    due_yuan: str
    paid_fen: int = Field(description="已交（分）")
    paid_yuan: str
    owed_fen: int = Field(description="未交（分）")
    owed_yuan: str

    @staticmethod
    def resolve_month(obj: LedgerLine) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_base_yuan(obj: LedgerLine) -> str | None:
        return None if obj.base_fen is None else rules.yuan(obj.base_fen)

    @staticmethod
    def resolve_due_yuan(obj: LedgerLine) -> str:
        return rules.yuan(obj.due_fen)

    @staticmethod
    def resolve_paid_yuan(obj: LedgerLine) -> str:
        return rules.yuan(obj.paid_fen)

    @staticmethod
    def resolve_owed_yuan(obj: LedgerLine) -> str:
        return rules.yuan(obj.owed_fen)


class LedgerPage(PageOf):
    results: list[LedgerLineOut]


@router.get("/ledger", response={200: LedgerPage, **ERROR_RESPONSES}, url_name="fee_ledger", summary="党费台账")
def fee_ledger(request: HttpRequest, filters: Query[LedgerParams], pages: Query[PageParams]):
    """您权限范围内的党费台账（每名党员每月一行：应交、已交、未交），按月份倒序、党支部、姓名。党员本人的令牌只能
    看到自己的台账。组织不存在或不在权限范围内时返回 404；月份格式错误时返回 422。"""
    user = request.auth
    rows = LedgerLine.objects.visible_to(user).select_related("member", "org")
    if filters.month:
        try:
            rows = rows.filter(month=parse_month(filters.month))
        except ValueError as refused:
            raise InvalidParams([{"field": "month", "message": str(refused)}]) from None
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if filters.unpaid is True:
        rows = rows.filter(paid_fen__lt=F("due_fen"))
    elif filters.unpaid is False:
        rows = rows.filter(paid_fen__gte=F("due_fen"))
    rows = rows.order_by("-month", "org__path", "member__name_pinyin", "id")
    return paginate(rows, page=pages.page, page_size=pages.page_size)


# --- payments --------------------------------------------------------------------------------------------------


class PaymentParams(Schema):
    org: int | None = Field(None, description="收缴党支部或上级组织 ID（含下级组织）")
    member: int | None = Field(None, description="党员 ID")
    date_from: date | None = Field(None, alias="from", description="交纳日期不早于（YYYY-MM-DD）")
    date_to: date | None = Field(None, alias="to", description="交纳日期不晚于（YYYY-MM-DD）")


class PaymentOut(Schema):
    id: int
    member: MemberRef
    org: OrgRef = Field(description="收缴党支部")
    paid_on: date = Field(description="交纳日期")
    amount_fen: int = Field(description="计入各月台账的金额（分）；冲正记录为负数")
    amount_yuan: str
    extra_fen: int = Field(description="自愿多交（分），不计入台账")
    extra_yuan: str
    method: PayMethod = Field(description=f"交纳方式：{choices_help(PayMethod.choices)}")
    receipt_no: str = Field(description="收据编号")
    reverses: int | None = Field(description="冲正的缴费记录 ID（本条为冲正记录时）")
    reason: str = Field(description="冲正原因")

    @staticmethod
    def resolve_amount_yuan(obj: Payment) -> str:
        return rules.yuan(obj.amount_fen)

    @staticmethod
    def resolve_extra_yuan(obj: Payment) -> str:
        return rules.yuan(obj.extra_fen)

    @staticmethod
    def resolve_reverses(obj: Payment) -> int | None:
        return obj.reverses_id


class PaymentPage(PageOf):
    results: list[PaymentOut]


@router.get("/payments", response={200: PaymentPage, **ERROR_RESPONSES}, url_name="fee_payments", summary="党费缴纳")
def fee_payments(request: HttpRequest, filters: Query[PaymentParams], pages: Query[PageParams]):
    """您权限范围内的党费缴纳记录（含冲正记录），按交纳日期倒序。党员本人的令牌只能看到自己的缴纳记录。
    组织或党员不存在、不在权限范围内时返回 404；开始日期晚于结束日期时返回 422。"""
    user = request.auth
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidParams([{"field": "from", "message": ERR_RANGE}])
    rows = Payment.objects.visible_to(user).select_related("member", "org")
    org = visible_org_or_404(user, filters.org)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    member = _visible_member(user, filters.member)
    if member is not None:
        rows = rows.filter(member=member)
    if filters.date_from:
        rows = rows.filter(paid_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(paid_on__lte=filters.date_to)
    return paginate(rows.order_by("-paid_on", "-id"), page=pages.page, page_size=pages.page_size)
