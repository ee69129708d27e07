"""Audit registration: every domain model goes through `audit_register` (django-auditlog).

Entries carry the owning org's tree path in `additional_data` (from the model's get_additional_data) so the
audit page can be scoped to a user's subtrees like every other list. Personal data is masked in the log too.

Every entry carries the client's IP (`remote_addr`): auditlog's middleware (our subclass, AuditMiddleware) puts it in
the request's audit context, which fills signal-based and hand-made entries alike; a job (an export, an import run by
the worker) keeps the IP of the request that started it (Job.remote_addr) and names it while it runs (`job_context`).
X-Forwarded-For is believed only when settings.TRUST_X_FORWARDED_FOR says a reverse proxy of ours sets it.
"""

import contextlib
import ipaddress
from contextvars import ContextVar

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .concurrency import VersionedModel, record_version
from .roles import Capability

PERSONAL_FIELDS = ["id_number", "phone"]


def audit_register(model, *, exclude: list[str] | None = None) -> None:
    field_names = {f.name for f in model._meta.get_fields()}
    if issubclass(model, VersionedModel):
        # Each entry says which version the save made (in additional_data, not as a change of its own): a refused
        # stale edit lists the fields changed after the version it was made from (core.concurrency).
        record_version(model)
    # Reverse relations (another model's foreign key to this one) are no fields of this row: auditlog would record
    # their manager's name ("members.Member.None") as a value.
    reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
    auditlog.register(
        model,
        exclude_fields=["created_at", "updated_at", "version", *reverse, *(exclude or [])],
        mask_fields=[name for name in PERSONAL_FIELDS if name in field_names],
        # The log keeps the last 4 characters, as the pages do (auditlog's default shows half the number).
        mask_callable="dangjian.core.lib.idcard.mask",
    )


def audit_event(
    *,
    actor,
    target: models.Model | type[models.Model],
    object_repr: str,
    action: int,
    org_path: str,
    changes: dict | None = None,
    data: dict | None = None,
    remote_addr: str | None = None,
) -> LogEntry:
    """A hand-made entry for what auditlog's signals do not see (an export, a bulk import, a device reset).

    `target` is the object the event is about, or its model for an event about many rows; `org_path` files the
    entry where the audit page scopes it; `data` goes into additional_data beside it. The IP is `remote_addr`, else
    the running job's (job_context); inside a request auditlog's context fills it when the entry is saved."""
    one = isinstance(target, models.Model)
    job = _job_context.get()
    if remote_addr is None and job is not None:
        remote_addr = job["remote_addr"]
    if actor is None and job is not None:
        actor = job["actor"]
    if job is not None and job.get("job_id"):
        data = {**(data or {}), "job": job["job_id"]}  # the job that wrote it (an import: its report and file)
    return LogEntry.objects.create(
        remote_addr=remote_addr,
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk) if one else "",
        object_id=target.pk if one else None,
        object_repr=object_repr,
        action=action,
        changes=changes,
        actor=actor,
        additional_data={**(data or {}), "org_path": org_path},
    )


def top_path(user) -> str:
    """The path of the user's highest view scope ("" for none: then only superusers see the entry)."""
    paths = user.scope_paths(Capability.VIEW)
    return paths[0] if paths else ""


def audit_actor(user) -> None:
    """Name `user` as the actor of the audit entries the rest of this request writes. For API tokens: the audit
    middleware (auditlog's) takes the actor from the session's user before a token is read. It keeps its context in
    `auditlog.context.auditlog_value` (django-auditlog 3.4, pinned), a dict read when each entry is saved."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return  # outside a request (a test calling a handler directly): nothing to name
    context["actor"] = user


# --- The client's IP ---------------------------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — only when settings.TRUST_X_FORWARDED_FOR says our own reverse proxy
    sets it — the last address in X-Forwarded-For (the one that proxy appended; earlier ones are whatever the
    client sent, so never believed). None for anything that is not an IP address."""
    addr = request.META.get("REMOTE_ADDR")
    if settings.TRUST_X_FORWARDED_FOR and (forwarded := request.headers.get("X-Forwarded-For")):
        addr = forwarded.split(",")[-1].strip()
        if addr.startswith("["):  # [v6]:port
            addr = addr[1:].split("]")[0]
        elif addr.count(":") == 1:  # v4:port
            addr = addr.split(":")[0]
    try:
        return str(ipaddress.ip_address(addr or ""))
    except ValueError:
        return None


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware with our notion of the client's IP (auditlog's own believes any X-Forwarded-For)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


def request_ip() -> str | None:
    """The IP of the request under way (auditlog's context), or of the running job; None outside both."""
    try:
        return auditlog_value.get().get("remote_addr")
    except LookupError:
        job = _job_context.get()
        return job["remote_addr"] if job else None


_job_context: ContextVar[dict | None] = ContextVar("dangjian_audit_job", default=None)


@contextlib.contextmanager
def job_context(*, actor, remote_addr: str | None, job_id: int | None = None):
    """While a job runs: hand-made entries name the job's user, the IP of the request that started it and the job."""
    token = _job_context.set({"actor": actor, "remote_addr": remote_addr, "job_id": job_id})
    try:
        yield
    finally:
        _job_context.reset(token)


# --- Logins ------------------------------------------------------------------------------------------------

#: additional_data["event"] of the entries written here (the audit page names them 登录, 登录失败, 退出).
EVENT_LOGIN, EVENT_LOGIN_FAILED, EVENT_LOGOUT = "login", "login_failed", "logout"
#: A failed login names the username tried, cut to this length (anything can be typed there).
USERNAME_MAX = 150


def login_path(user) -> str:
    """Where a login's entries are filed: the user's highest grant, whatever its role ("" for none)."""
    paths = [g.org.path for g in user.grants]
    return min(paths, key=len) if paths else ""


def _root_path() -> str:
    """The tree's root (a failed login of an unknown username: only admins over the whole tree see it)."""
    from .models import RoleGrant

    org_model = RoleGrant._meta.get_field("org").related_model  # core imports no app
    root = org_model._default_manager.unrestricted().filter(depth=1).order_by("path").first()
    return root.path if root else ""


def _login_entry(*, subject, actor, username: str, event: str, request) -> LogEntry:
    """`subject`: the user the entry is about (None: an unknown username); `actor`: who did it (None on failure)."""
    from .models import User

    return audit_event(
        actor=actor,
        target=subject if subject is not None else User,
        object_repr=str(subject) if subject is not None else username[:USERNAME_MAX],
        action=LogEntry.Action.ACCESS,
        org_path=login_path(subject) if subject is not None else _root_path(),
        data={"event": event, "username": username[:USERNAME_MAX]},
        remote_addr=client_ip(request) if request is not None else None,
    )


def _over_http(request) -> bool:
    """Whether the login came over HTTP: every WSGI/ASGI request has a REQUEST_METHOD; the bare HttpRequest of the
    test client's force_login()/logout() (a test's set-up, no one logging in) has none and is not audited."""
    return request is not None and "REQUEST_METHOD" in request.META


def on_logged_in(sender, request, user, **kwargs) -> None:
    if not _over_http(request):
        return
    _login_entry(subject=user, actor=user, username=user.get_username(), event=EVENT_LOGIN, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and _over_http(request):  # not a signed-out visitor pressing 退出
        _login_entry(subject=user, actor=user, username=user.get_username(), event=EVENT_LOGOUT, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed login (wrong password, unknown name, locked out by axes): filed under the named user's highest
    grant when that user exists, else under the root. The password is never kept (credentials has it)."""
    from .models import User

    username = str(credentials.get("username") or "")
    subject = User.objects.filter(username=username).first() if username else None
    _login_entry(subject=subject, actor=None, username=username, event=EVENT_LOGIN_FAILED, request=request)
