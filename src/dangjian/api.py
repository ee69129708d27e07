"""REST API v1 (django-ninja), mounted at /api/v1/; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Every operation authenticates with `Authorization: Bearer <key>` (core.api.TokenAuth) and acts as the token's
user: the same `visible_to` scope and masking as the pages. Errors are JSON `{"code", "message"}` (core.api).
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from dangjian.core import api as core_api
from dangjian.core.concurrency import StaleEdit, etag
from dangjian.core.extensions import app_routers

logger = logging.getLogger(__name__)

DESCRIPTION = """机关党建工作管理系统的数据接口。

**认证**：在请求头中携带 `Authorization: Bearer <访问令牌>`。令牌由用户在系统右上角“访问令牌”页面
创建（仅创建时显示一次）并可随时撤销。令牌代表其所属用户：权限范围、个人信息遮盖与页面完全一致。

**个人信息脱敏**：对令牌用户无“查看完整个人信息”权限的党员记录（本人记录除外，如纪检监督、支委委员所见），
`id_number` 只显示后4位（`**************1234`），`phone` 只显示前3位和后4位（`138****1234`），
`birth_date` 和 `age` 为 `null`（出生日期即身份证号码中间8位），年龄段见 `age_band`（与统计页的年龄分组相同，
每条记录都有）；搜索参数 `q` 对这些党员只能按证件号或手机号的后4位查找，更长的号码只查找可查看完整信息的党员。

**错误**：均为 JSON `{"code": "...", "message": "中文说明"}`，`code` 取值稳定：
`unauthorized`（401）、`permission_denied`（403）、`not_found`（404，对象不存在或不在权限范围内）、
`validation_error`（422，`errors` 列出各参数的问题）、`precondition_required`（428）、`precondition_failed`（412）。

**修改与版本**：详情接口返回 `ETag`（如 `W/"3"`）及字段 `version`。修改（PATCH）时须在 `If-Match` 请求头中带上该
ETag（或在请求体中给出 `version`）：缺少时返回 428；记录在此之后已被他人修改时返回 412，`changed` 列出变化的字段及其
现值，`version` 为新版本，请重新读取、核对后再提交。成功时返回修改后的记录和新的 `ETag`。
"""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as UTF-8, readable in curl and logs


api = NinjaAPI(
    title="机关党建 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=core_api.TokenAuth(),
    renderer=Renderer(),
    # validatorUrl null: Swagger UI would otherwise send the schema to validator.swagger.io (offline intranets).
    docs=Swagger(settings={"validatorUrl": None}),
)
# Each app's api.py `router`, at /api/v1/ + the app's url_prefix (core.extensions): a new app is not listed here.
for prefix, router in app_routers():
    api.add_router(prefix, router)


def error(request: HttpRequest, status: int, code: str, message: str, **extra) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, core_api.UNAUTHORIZED, core_api.MSG_UNAUTHORIZED)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, core_api.NOT_FOUND, core_api.MSG_NOT_FOUND)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, core_api.PERMISSION_DENIED, str(exc) or core_api.MSG_PERMISSION_DENIED)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = core_api.pydantic_errors(exc.errors)
    return error(request, 422, core_api.VALIDATION_ERROR, core_api.MSG_VALIDATION, errors=errors)


@api.exception_handler(core_api.InvalidParams)
def on_invalid_params(request: HttpRequest, exc: core_api.InvalidParams) -> HttpResponse:
    return error(request, 422, core_api.VALIDATION_ERROR, core_api.MSG_VALIDATION, errors=exc.errors)


@api.exception_handler(DjangoValidationError)
def on_model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service's refusal of a write (the same rules as the page's form)."""
    errors = core_api.model_errors(exc)
    return error(request, 422, core_api.VALIDATION_ERROR, core_api.MSG_VALIDATION, errors=errors)


@api.exception_handler(core_api.PreconditionRequired)
def on_precondition_required(request: HttpRequest, exc: core_api.PreconditionRequired) -> HttpResponse:
    return error(request, 428, core_api.PRECONDITION_REQUIRED, core_api.MSG_PRECONDITION_REQUIRED)


@api.exception_handler(StaleEdit)
def on_stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    """A write made from an older version: what changed since, and the version to read again."""
    changed = [{"field": c.field, "label": c.label, "value": c.value} for c in exc.changes]
    response = error(
        request,
        412,
        core_api.PRECONDITION_FAILED,
        core_api.MSG_PRECONDITION_FAILED,
        version=exc.current_version,
        changed=changed,
    )
    response["ETag"] = etag(exc.current)
    return response


#: Other HTTP errors ninja raises itself (403 AuthorizationError, 429 Throttled), by status.
HTTP_ERROR_CODES = {
    401: (core_api.UNAUTHORIZED, core_api.MSG_UNAUTHORIZED),
    403: (core_api.PERMISSION_DENIED, core_api.MSG_PERMISSION_DENIED),
    404: (core_api.NOT_FOUND, core_api.MSG_NOT_FOUND),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = HTTP_ERROR_CODES.get(exc.status_code, ("http_error", "请求未能完成"))
    return error(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path, exc_info=exc)
    return error(request, 500, core_api.SERVER_ERROR, core_api.MSG_SERVER_ERROR)


def api_index(request: HttpRequest, **kwargs) -> JsonResponse:
    """/api/v1/ itself: where the schema and the docs are (ninja's own root view is an HTML 404)."""
    data = {
        "title": api.title,
        "version": api.version,
        "openapi": reverse("api:openapi-json"),
        "docs": reverse("api:openapi-view"),
    }
    return JsonResponse(data, json_dumps_params=Renderer.json_dumps_params)


def urls_without_session_login():
    """The API's URL patterns, exempt from LoginRequiredMiddleware: operations answer our JSON 401 themselves
    (token, not session), and the index, schema and docs describe no data."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name == "api-root":
            pattern.callback = api_index
        login_not_required(pattern.callback)
    return patterns, app_name, namespace
