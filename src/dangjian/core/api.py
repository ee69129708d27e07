"""Shared pieces of the REST API: bearer-token auth, the error format, pagination.

Every error answers `{"code": "...", "message": "中文说明"}`; the codes are stable (clients branch on them), the
messages are for people. Validation errors add `errors`: one `{"field", "message"}` per refused parameter.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.security import HttpBearer

from .audit import audit_actor
from .concurrency import if_match_version
from .models import ApiToken, User
from .services import token_hash

# Codes and messages (stable: clients and tests rely on them).
UNAUTHORIZED = "unauthorized"
NOT_FOUND = "not_found"
VALIDATION_ERROR = "validation_error"
PERMISSION_DENIED = "permission_denied"
SERVER_ERROR = "server_error"
PRECONDITION_REQUIRED = "precondition_required"
PRECONDITION_FAILED = "precondition_failed"
MSG_UNAUTHORIZED = "缺少或无效的访问令牌"
MSG_NOT_FOUND = "对象不存在或不在您的权限范围内"
MSG_VALIDATION = "请求参数有误"
MSG_PERMISSION_DENIED = "您无权执行此操作"
MSG_SERVER_ERROR = "服务器内部错误，请稍后重试或联系管理员"
MSG_PRECONDITION_REQUIRED = (
    "修改须注明所依据的版本：请在 If-Match 请求头中带上读取时得到的 ETag"
    "（或在请求体中给出 version），以免覆盖他人的修改"
)
MSG_PRECONDITION_FAILED = "保存失败：该记录在您读取后已被他人修改，请重新读取、核对后再提交"

#: Pydantic error types as Chinese messages (ctx values fill the placeholders).
PYDANTIC_MESSAGES = {
    "missing": "此项为必填项",
    "int_parsing": "请输入整数",
    "int_type": "请输入整数",
    "int_from_float": "请输入整数",
    "bool_parsing": "请输入 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "literal_error": "不是有效的选项，可选值：{expected}",
    "enum": "不是有效的选项，可选值：{expected}",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "extra_forbidden": "不能通过接口修改此项（只读或未知字段）",
    "date_from_datetime_parsing": "请输入 YYYY-MM-DD 格式的日期",
    "date_parsing": "请输入 YYYY-MM-DD 格式的日期",
    "decimal_parsing": "请输入数字",
}
MSG_INVALID_VALUE = "取值无效"

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
#: A page beyond this is refused (422) rather than passed to the database as an enormous OFFSET.
MAX_PAGE = 1_000_000
#: last_used_at is written at most this often per token (one UPDATE per request would be a write per read).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def choices_help(choices) -> str:
    """A field's description listing its values: "active=在册；transferred_out=转出"."""
    return "；".join(f"{value}={label}" for value, label in choices)


class OrgRef(Schema):
    """An org named in another resource."""

    id: int
    name: str
    code: str


class MemberRef(Schema):
    """A member named in another resource (the name only: no personal data)."""

    id: int
    name: str


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多 {MAX_PAGE_SIZE}")


class ErrorOut(Schema):
    code: str = Field(description="稳定的错误代码：unauthorized、not_found、validation_error、permission_denied")
    message: str = Field(description="中文说明")


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


class ChangeOut(Schema):
    field: str
    label: str = Field(description="字段名称（中文）")
    value: str = Field(description="该字段现在的值（无权查看完整个人信息时遮盖）")


class StaleOut(ErrorOut):
    version: int = Field(description="记录现在的版本（即新的 ETag）")
    changed: list[ChangeOut] = Field(description="在您所依据的版本之后被修改的字段")


#: Error responses every authenticated operation may give (for the OpenAPI document).
ERROR_RESPONSES: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
#: …and those of a write to a versioned row (core.concurrency): no version given, or a stale one.
WRITE_RESPONSES: dict[int, Any] = {**ERROR_RESPONSES, 403: ErrorOut, 412: StaleOut, 428: ErrorOut}


class InvalidParams(Exception):
    """Parameters refused after ninja's own validation (the roster filter's form): answered as 422."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__(errors)


class PreconditionRequired(Exception):
    """A write to a versioned row that names no version (no readable If-Match, no `version`): answered as 428."""


def write_version(request: HttpRequest, body_version: int | None) -> int:
    """The version a write was made from: the If-Match header (the ETag of the read), else the body's `version`."""
    header = request.headers.get("If-Match")
    version = if_match_version(header) if header else body_version
    if version is None:
        raise PreconditionRequired
    return version


def model_errors(error: DjangoValidationError) -> list[dict[str, str]]:
    """A service's ValidationError as the API's errors list (field "" for an error about the whole record)."""
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if name == NON_FIELD_ERRORS else name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def form_errors(form) -> list[dict[str, str]]:
    return [{"field": name, "message": str(message)} for name, messages in form.errors.items() for message in messages]


def pydantic_errors(errors: list[dict]) -> list[dict[str, str]]:
    """ninja's ValidationError entries (pydantic's, in English) as {"field", "message"} in Chinese."""
    result = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc[:1] == ["body"]:
            loc = loc[2:]  # "body", then the handler's parameter (payload): the field is what follows
        loc = [str(part) for part in loc if part not in {"query", "path"}]
        template = PYDANTIC_MESSAGES.get(error.get("type", ""), MSG_INVALID_VALUE)
        ctx = dict(error.get("ctx") or {})
        if "expected" in ctx:
            ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")  # pydantic joins the last with "or"
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = MSG_INVALID_VALUE
        result.append({"field": ".".join(loc), "message": message})
    return result


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`: a non-revoked token of an active user. The token acts as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token:
            return None
        found = (
            ApiToken.objects.active()
            .filter(key_hash=token_hash(token), user__is_active=True)
            .select_related("user")
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        # The token's user, not a session's: anything downstream (audit actor, scope) sees who the token acts for.
        request.user = found.user
        audit_actor(found.user)  # the audit middleware ran before the token was read: it saw no user
        return found.user


def paginate(queryset: QuerySet, *, page: int, page_size: int) -> dict[str, Any]:
    """One page as {count, page, page_size, results}: two queries (count, slice) whatever the page size.

    A page past the end is empty rather than an error, so a client can loop until `results` is empty.
    """
    count = queryset.count()
    start = (page - 1) * page_size
    results = list(queryset[start : start + page_size]) if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "results": results}
