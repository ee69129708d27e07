"""REST API over the roster: the same filter, scope and masking as the roster page (members/selectors.py); edits
through the edit page's form and service, with the version the client read (If-Match, core.concurrency)."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from dangjian.core import clock
from dangjian.core.api import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    InvalidParams,
    MemberRef,
    OrgRef,
    PageParams,
    choices_help,
    form_errors,
    paginate,
    write_version,
)
from dangjian.core.concurrency import etag
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from . import personal, selectors, services, transfers
from .choices import Category, Education, ExitKind, Gender, Status, TransferKind
from .filters import STATUS_ALL
from .forms import MemberForm
from .models import Member, Transfer

router = Router(tags=["党员"])


MASK_HELP = "无“查看完整个人信息”权限时（如纪检监督、支委委员）脱敏，与页面一致"
StatusParam = Literal[(*Status.values, STATUS_ALL)]


class MemberFilterParams(Schema):
    """The roster page's filter (members.filters.MemberFilter) as query parameters."""

    q: str | None = Field(
        None,
        max_length=100,
        description="搜索：姓名、全拼、简拼，或证件号、手机号尾号（脱敏的党员只能按后4位查找）",
    )
    org: int | None = Field(None, description="组织 ID（含下级组织；党小组则为该小组成员）")
    category: Category | None = Field(None, description=f"人员类别：{choices_help(Category.choices)}")
    status: StatusParam | None = Field(
        None, description=f"党籍状态，默认 active：{choices_help(Status.choices)}；{STATUS_ALL}=全部状态"
    )
    gender: Gender | None = Field(None, description=f"性别：{choices_help(Gender.choices)}")
    education: Education | None = Field(None, description=f"学历：{choices_help(Education.choices)}")
    age_min: int | None = Field(None, description="年龄不小于")
    age_max: int | None = Field(None, description="年龄不大于")
    joined_year: int | None = Field(None, description="入党年份")


class MemberOut(Schema):
    id: int
    version: int = Field(description="版本：每次修改加 1；详情接口的 ETag 即为此值")
    name: str
    gender: Gender = Field(description=choices_help(Gender.choices))
    ethnicity: str
    birth_date: date | None = Field(description=f"出生日期；{MASK_HELP}：null")
    age: int | None = Field(description=f"年龄（周岁）；{MASK_HELP}：null")
    age_band: str = Field(description="年龄段（统计页的年龄分组，如“41-45岁”），对所有记录都给出")
    id_number: str = Field(description=f"公民身份号码；{MASK_HELP}：只显示后4位")
    phone: str = Field(description=f"联系电话；{MASK_HELP}：只显示前3位和后4位")
    education: Education | None = Field(description=f"{choices_help(Education.choices)}；未填写：null")
    category: Category = Field(description=choices_help(Category.choices))
    joined_on: date
    full_member_on: date | None
    org: OrgRef = Field(description="所在党支部")
    group: OrgRef | None = Field(description="所在党小组")
    position: str
    status: Status = Field(description=choices_help(Status.choices))

    @staticmethod
    def resolve_birth_date(obj: Member, context) -> date | None:
        return selectors.birth_date_for(context["request"].auth, obj)

    @staticmethod
    def resolve_age(obj: Member, context) -> int | None:
        return obj.age if selectors.sees_personal_data(context["request"].auth, obj) else None

    @staticmethod
    def resolve_education(obj: Member) -> str | None:
        return obj.education or None  # blank when imported from a roster without 学历

    @staticmethod
    def resolve_age_band(obj: Member) -> str:
        return personal.age_band(obj.birth_date, clock.today())

    @staticmethod
    def resolve_id_number(obj: Member, context) -> str:
        return selectors.id_number_for(context["request"].auth, obj)

    @staticmethod
    def resolve_phone(obj: Member, context) -> str:
        return selectors.phone_for(context["request"].auth, obj)


class MemberDetailOut(MemberOut):
    exit_kind: ExitKind | None = Field(description=f"出党方式（仅状态为出党时）：{choices_help(ExitKind.choices)}")
    status_changed_on: date | None
    fee_base: Decimal = Field(description="党费基数（月，元）")
    native_place: str
    work_started_on: date | None
    professional_title: str
    remark: str

    @staticmethod
    def resolve_exit_kind(obj: Member) -> str | None:
        return obj.exit_kind or None


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberOut]


@router.get("", response={200: MemberPage, **ERROR_RESPONSES}, url_name="member_list", summary="党员花名册")
def member_list(request: HttpRequest, filters: Query[MemberFilterParams], pages: Query[PageParams]):
    """您权限范围内的党员，筛选条件与花名册页面相同；默认只列在册党员（status=all 列出全部）。

    个人信息脱敏：对无“查看完整个人信息”权限的党员记录（本人记录除外），公民身份号码只显示后4位，联系电话只显示前3位和后4位，
    出生日期（birth_date）和年龄（age）为 null，年龄段见 age_band；搜索 q 对这些党员只能按证件号或手机号的后4位查找。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    data = {name: str(value) for name, value in filters.dict(exclude_none=True).items()}
    filterset = selectors.member_filterset(fetched_by=user, filters=data)
    if not filterset.is_valid():
        raise InvalidParams(form_errors(filterset.form))
    return paginate(filterset.qs, page=pages.page, page_size=pages.page_size)


# --- 组织关系转接 (members/transfers.py) ---
# Registered before /{member_id}, so that /transfers is not read as a member's id.


class TransferFilterParams(Schema):
    """The transfers page's filter as query parameters."""

    q: str | None = Field(None, max_length=50, description="党员姓名（或全拼、简拼前缀）、介绍信编号")
    kind: TransferKind | None = Field(None, description=f"类型：{choices_help(TransferKind.choices)}")
    state: Literal[tuple(transfers.STATES)] | None = Field(
        None, description="介绍信：" + "；".join(f"{k}={v}" for k, v in transfers.STATES.items())
    )
    year: int | None = Field(None, ge=1901, le=2999, description="转接年份")


class TransferOut(Schema):
    id: int
    kind: TransferKind = Field(description=choices_help(TransferKind.choices))
    member: MemberRef
    transferred_on: date
    from_org: OrgRef | None = Field(description="转出组织（系统内）")
    to_org: OrgRef | None = Field(description="转入组织（系统内）")
    external_org: str = Field(description="系统外组织（去向或来源）")
    destination_contact: str
    letter_number: str
    letter_valid_until: date | None
    valid_months: int | None = Field(description="开具时的有效期（月）")
    receipt_on: date | None = Field(description="回执日期；系统内转接为转接日期")
    receipt_note: str
    reason: str


class TransferPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TransferOut]


class ReceiptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    received_on: date = Field(description="回执日期：不早于介绍信开具日期，不晚于今天")
    note: str = Field("", max_length=500)


@router.get(
    "/transfers", response={200: TransferPage, **ERROR_RESPONSES}, url_name="transfer_list", summary="组织关系转接"
)
def transfer_list(request: HttpRequest, filters: Query[TransferFilterParams], pages: Query[PageParams]):
    """您权限范围内的组织关系转接（转出、转入或系统内调整的任一端在范围内），筛选条件与转接页面相同，按转接日期倒序。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    data = {name: str(value) for name, value in filters.dict(exclude_none=True).items()}
    rows = transfers.transfer_list(fetched_by=user, filters=transfers.TransferFilters.from_query(data))
    return paginate(rows, page=pages.page, page_size=pages.page_size)


@router.post(
    "/transfers/{transfer_id}/receipt",
    response={200: TransferOut, **ERROR_RESPONSES},
    url_name="transfer_receipt",
    summary="登记介绍信回执",
)
def transfer_receipt(request: HttpRequest, transfer_id: int, payload: ReceiptIn):
    """登记转出介绍信的回执（与页面规则相同：只登记一次，不早于开具日期，不晚于今天）；须有维护转出党支部的权限
    （否则 404）。拒绝时 422。"""
    user = request.auth
    try:
        transfer = Transfer.objects.changeable_by(user).filter(kind=TransferKind.OUT).get(pk=transfer_id)
    except Transfer.DoesNotExist:
        raise Http404 from None
    done = transfers.record_receipt(
        acting_user=user, transfer=transfer, received_on=payload.received_on, note=payload.note
    )
    return Transfer.objects.changeable_by(user).select_related("member", "from_org", "to_org").get(pk=done.pk)


# --- end 组织关系转接 ---


@router.get(
    "/{member_id}", response={200: MemberDetailOut, **ERROR_RESPONSES}, url_name="member_detail", summary="党员详情"
)
def member_detail(request: HttpRequest, member_id: int, response: HttpResponse):
    """一名党员；不存在或不在您的权限范围内时返回 404。个人信息的脱敏与列表相同。响应头 `ETag` 为其版本，修改时放入
    `If-Match`。"""
    try:
        member = selectors.member_get(fetched_by=request.auth, pk=member_id)
    except Member.DoesNotExist:
        raise Http404 from None
    response["ETag"] = etag(member)
    return member


ERR_NOT_YOURS_TO_CHANGE = "您无权修改此项（完整个人信息）"


class MemberPatch(Schema):
    """The edit page's fields (members.forms.ROSTER_FIELDS), each optional: only those given change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=50)
    gender: Gender | None = Field(None, description=choices_help(Gender.choices))
    ethnicity: str | None = Field(None, max_length=10)
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=18, description="需“查看完整个人信息”权限")
    education: Education | None = Field(None, description=choices_help(Education.choices))
    category: Category | None = Field(None, description=choices_help(Category.choices))
    joined_on: date | None = None
    full_member_on: date | None = None
    org: int | None = Field(None, description="所在党支部 ID")
    group: int | None = Field(None, description="所在党小组 ID；null 表示不编入党小组")
    position: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20, description="需“查看完整个人信息”权限")
    fee_base: Decimal | None = None
    native_place: str | None = Field(None, max_length=50)
    work_started_on: date | None = None
    professional_title: str | None = Field(None, max_length=50)
    remark: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, ge=1, description="所依据的版本（无 If-Match 请求头时必填）")


@router.patch(
    "/{member_id}", response={200: MemberDetailOut, **WRITE_RESPONSES}, url_name="member_update", summary="修改党员信息"
)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch, response: HttpResponse):
    """修改一名党员的花名册信息（只需给出要改的字段），规则与编辑页面相同；须有维护该党员的权限（否则 404）。
    须在 `If-Match` 中带上读取时的 `ETag`（或在请求体中给出 `version`）：缺少时 428，已被他人修改时 412。"""
    user = request.auth
    try:
        member = selectors.member_get(fetched_by=user, pk=member_id, capability=Capability.CHANGE)
    except Member.DoesNotExist:
        raise Http404 from None
    changes = payload.dict(exclude_unset=True)
    version = write_version(request, changes.pop("version", None))
    orgs = Organization.objects.changeable_by(user).active()
    sees_personal = user.can(Capability.VIEW_PERSONAL, member.org.path)
    # The edit page's form, filled as the page would show it, with the changes on top: the same fields (the
    # personal ones only with the right), the same validation, the same service.
    shown = MemberForm(instance=member, orgs=orgs, personal_data=sees_personal)
    refused = [{"field": name, "message": ERR_NOT_YOURS_TO_CHANGE} for name in changes if name not in shown.fields]
    if refused:
        raise InvalidParams(refused)
    data = {name: shown[name].value() for name in shown.fields}
    data.update({name: "" if value is None else value for name, value in changes.items()})
    data["version"] = version
    form = MemberForm(data, instance=member, orgs=orgs, personal_data=sees_personal)
    if not form.is_valid():
        raise InvalidParams(form_errors(form))
    updated = services.member_update(acting_user=user, member=member, **form.cleaned_data)
    response["ETag"] = etag(updated)
    return updated
