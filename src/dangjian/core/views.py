import tempfile
from functools import partial
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import accounts, audit_log, second_factor
from .accounts import Credential
from .audit import audit_event
from .credentials import credentials_page
from .forms import GrantForm, OwnPasswordChangeForm, SecondFactorForm, TokenForm
from .generic import post_action, submit
from .health import health_checks, healthy
from .home import panels_for
from .jobs import job_poll
from .middleware import second_factor_exempt
from .models import ApiToken, Job, RoleGrant, User
from .permissions import require_capability
from .reminders import reminders_for
from .roles import Capability
from .services import grant_create, grant_revoke, token_create, token_revoke
from .shell import ACTIVE_GRANT_SESSION_KEY


def home(request: HttpRequest) -> HttpResponse:
    context = {"reminders": reminders_for(request.user), "panels": panels_for(request.user)}
    return render(request, "core/home.html", context)


@require_POST
def scope_switch(request: HttpRequest) -> HttpResponse:
    grant = next((g for g in request.user.grants if str(g.pk) == request.POST.get("grant")), None)
    if grant is None:
        raise Http404
    request.session[ACTIVE_GRANT_SESSION_KEY] = grant.pk
    messages.success(request, f"已切换到：{grant.org.name}（{grant.get_role_display()}）")
    return redirect("core:home")


def audit_list(request: HttpRequest) -> HttpResponse:
    """Audit entries of objects in the user's audit scope (the org path rides in additional_data), in words."""
    require_capability(request.user, Capability.AUDIT)
    f = audit_log.AuditFilter.from_query(request.GET)
    page = audit_log.AuditPage.of(audit_log.audit_entries(request.user, f), request.GET.get("page"))
    context = {
        "page": page,
        "rows": audit_log.present(page.object_list, request.user),
        "f": f,
        "query": urlencode(f.as_dict()) + "&" if f.as_dict() else "",
        "kinds": audit_log.kind_choices(),
        "audit_models": audit_log.model_choices(),
        "count_cap": audit_log.COUNT_CAP,
        "max_page": audit_log.MAX_PAGE,
        "export_max": audit_log.EXPORT_MAX_ROWS,
    }
    return render(request, "core/audit_list.html", context)


@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as an xlsx file (at most EXPORT_MAX_ROWS entries), itself an audit entry (导出)."""
    require_capability(request.user, Capability.AUDIT)
    f = audit_log.AuditFilter.from_query(request.POST)
    back = f"{reverse('core:audit')}?{urlencode(f.as_dict())}"
    if f.errors:
        messages.error(request, f.errors[0])
        return redirect(back)
    entries = audit_log.audit_entries(request.user, f)
    if entries[: audit_log.EXPORT_MAX_ROWS + 1].count() > audit_log.EXPORT_MAX_ROWS:
        messages.error(request, audit_log.ERR_EXPORT_TOO_MANY.format(limit=audit_log.EXPORT_MAX_ROWS))
        return redirect(back)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it once sent)
    rows = audit_log.export_xlsx(out, entries, request.user)
    paths = request.user.scope_paths(Capability.AUDIT)
    audit_event(
        actor=request.user,
        target=LogEntry,
        object_repr="审计日志导出",
        action=LogEntry.Action.ACCESS,
        org_path=paths[0] if paths else "",
        data={"event": audit_log.EVENT_EXPORT, "rows": rows, "filters": f.as_dict()},
    )
    out.seek(0)
    name = f"审计日志-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name)


def grant_list(request: HttpRequest) -> HttpResponse:
    """账号与权限: the accounts holding a grant in the user's granting scope (searchable), their roles, lockout and
    last login, the actions the user may take on each; and the form granting a role (a new account if need be)."""
    require_capability(request.user, Capability.MANAGE_GRANTS)
    # The org model through RoleGrant's foreign key: core names it there once and imports no app.
    org_model = RoleGrant._meta.get_field("org").related_model
    orgs = org_model.objects.restrict(request.user, Capability.MANAGE_GRANTS).active()
    form = GrantForm(request.POST or None, orgs=orgs, roles=accounts.grantable_anywhere(request.user))
    if result := submit(request, form, partial(grant_create, acting_user=request.user)):
        grant, password = result
        if password:
            return credentials_page(
                request,
                [Credential(name=str(grant.user), username=grant.user.username, password=password, org=grant.org.name)],
                title="新账号的初始密码",
                note=f"已授予 {grant.user}「{grant.get_role_display()}」角色。",
                back_url=reverse("core:grants"),
            )
        messages.success(request, f"已授予 {grant.user}「{grant.get_role_display()}」角色")
        return redirect("core:grants")
    search = request.GET.get("q", "").strip()[:50]
    users = accounts.account_list(fetched_by=request.user, search=search)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    rows = accounts.account_rows(fetched_by=request.user, users=list(page))
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "q": search,
        "second_factor_on": settings.SECOND_FACTOR_FOR_ADMINS,
    }
    return render(request, "core/grant_list.html", context)


@require_POST
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Only grants the user could have given: a secretary's own grant, or another secretary's, is not theirs (404).
    grant = get_object_or_404(accounts.managed_grants(request.user).select_related("user", "org"), pk=pk)
    return post_action(
        request,
        partial(grant_revoke, acting_user=request.user, grant=grant),
        success=f"已撤销 {grant}",
        done_url=reverse("core:grants"),
    )


def _managed_user(request: HttpRequest, user_id: int) -> User:
    """An account the acting user manages (core.accounts.managed_users); anyone else's is 404."""
    return get_object_or_404(accounts.managed_users(request.user), pk=user_id)


@require_POST
def password_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed_user(request, user_id)
    try:
        credential = accounts.account_password_reset(acting_user=request.user, user=user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("core:grants")
    return credentials_page(
        request,
        [credential],
        title="临时密码",
        note=f"已重置 {user} 的密码，并解除其登录锁定。",
        back_url=reverse("core:grants"),
    )


@require_POST
def unlock_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed_user(request, user_id)
    return post_action(
        request,
        partial(accounts.account_unlock, acting_user=request.user, user=user),
        success=f"已解除 {user} 的登录锁定，其可以立即重新登录",
        done_url=reverse("core:grants"),
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, which also clears an initial or temporary password's must-change mark (and refuses the old
    password as the new one)."""

    form_class = OwnPasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.must_change_password:
            context["intro"] = "您正在使用初始密码或临时密码，请先设置自己的新密码，然后才能使用系统。"
        return context

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password by form.save()
        return super().form_valid(form)


@second_factor_exempt
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """The second step of a login: enrol an authenticator app (QR code, then a code), or type its current code."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("core:home")
    user = request.user
    if not second_factor.pending(user):
        return redirect(next_url)
    device = second_factor.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = second_factor.enrolment_device(user)
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        refused = second_factor.check_code(request, device, form.cleaned_data["code"])
        if refused is None:
            if enrolling:
                messages.success(request, "已绑定身份验证器。以后每次登录，输入密码后还需输入其中的验证码。")
            return redirect(next_url)
        form.add_error("code", refused)
        form.mark_invalid()
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context |= {"qr_svg": second_factor.qr_svg(device), "secret": second_factor.secret_for_typing(device)}
    response = render(request, "core/second_factor.html", context)
    response["Cache-Control"] = "no-store"  # the enrolment page carries the secret
    return response


@require_POST
def second_factor_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    # Someone holding a grant the acting user could give (as listed with its actions on the 账号与权限 page); anyone
    # else is 404. Whether every one of their grants is the acting user's to manage, the service says.
    managed = accounts.managed_grants(request.user)
    user = get_object_or_404(User.objects.filter(role_grants__in=managed).distinct(), pk=user_id)
    try:
        removed = second_factor.reset(acting_user=request.user, user=user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        if removed:
            messages.success(request, f"已重置 {user} 的两步验证：其下次登录时需重新绑定身份验证器")
        else:
            messages.info(request, f"{user} 尚未绑定身份验证器，无需重置")
    return redirect("core:grants")


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's progress; the page polls its own partial until the job has finished."""
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    notice = job_poll(job)  # a job whose worker died is marked failed here; a job nobody started says why
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job, "notice": notice})


def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user).exclude(output_file=""), pk=pk)
    return FileResponse(job.output_file.open("rb"), as_attachment=True, filename=job.result.get("filename"))


def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens; a new token's key is shown in this one response and never again."""
    if not (request.user.is_superuser or request.user.grants):
        raise Http404
    form = TokenForm(request.POST or None)
    new_key = ""
    if result := submit(request, form, partial(token_create, acting_user=request.user)):
        token, new_key = result
        messages.success(request, f"已创建访问令牌“{token.name}”")
        form = TokenForm()
    tokens = ApiToken.objects.visible_to(request.user)
    response = render(request, "core/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key})
    if new_key:
        # Rendered, not redirected: the key never sits in a message cookie or session; nor in any cache.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.visible_to(request.user).active(), pk=pk)
    return post_action(
        request,
        partial(token_revoke, acting_user=request.user, token=token),
        success=f"已撤销访问令牌“{token.name}”，使用它的请求将被拒绝",
        done_url=reverse("core:tokens"),
    )


def health_view(request: HttpRequest) -> HttpResponse:
    """The system's state for administrators: database, task worker, queue (as `dangjian health` prints it)."""
    require_capability(request.user, Capability.SYSTEM_HEALTH)
    checks = health_checks()
    response = render(request, "core/health.html", {"checks": checks, "healthy": healthy(checks)})
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer or a monitoring probe, without login: ok or not, nothing more (the details name hosts,
    versions and queue sizes, which only administrators see, on the 系统状态 page or with `dangjian health`)."""
    ok = healthy(health_checks())
    response = JsonResponse({"status": "ok" if ok else "error"}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response
