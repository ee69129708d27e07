"""Two-step login: a signed-in user who must confirm the login with a code (second_factor.required_for) reaches
no page but the code page, logout and what is open without login, until they have."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import second_factor
from .scope import scope_guard


def second_factor_exempt(view):
    """Mark a view as reachable before the second step (the code page itself, logout)."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    """After LoginRequiredMiddleware and django-otp's OTPMiddleware (which sets request.user.is_verified())."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            getattr(view_func, "second_factor_exempt", False)
            or not getattr(view_func, "login_required", True)  # open without login: open before the code too
            or not second_factor.pending(request.user)
        ):
            return None
        if request.htmx:
            # A fragment request would swap the code page into the page: send the whole page there instead, and
            # back to the page (not the fragment) afterwards.
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            response = HttpResponse(status=204)
            response["HX-Redirect"] = _code_page(next_url)
            return response
        return redirect(_code_page(request.get_full_path()))


def password_change_exempt(view):
    """Mark a view as reachable while the user must still change an initial or temporary password."""
    view.password_change_exempt = True
    return view


class PasswordChangeMiddleware:
    """A user with an initial or temporary password (User.must_change_password) reaches only the password-change
    page, logout and what is open without login until they pick their own. After SecondFactorMiddleware: an
    administrator confirms the login with a code first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            not user.is_authenticated
            or not user.must_change_password
            or getattr(view_func, "password_change_exempt", False)
            or getattr(view_func, "second_factor_exempt", False)  # logout, the code page
            or not getattr(view_func, "login_required", True)
        ):
            return None
        target = reverse("password_change")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def _code_page(next_url: str) -> str:
    return f"{reverse('core:second_factor')}?{urlencode({'next': next_url})}"


class ScopeGuardMiddleware:
    """While a request is served (settings.SCOPE_ENFORCE), reading a scoped queryset nobody restricted raises
    (core/scope.py). Not in the Django admin: only superusers reach it, and they see every row anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        on = settings.SCOPE_ENFORCE and not request.path_info.startswith(reverse("admin:index"))
        with scope_guard(on):
            return self.get_response(request)


class NoStoreMiddleware:
    """Every response below WhiteNoise is `Cache-Control: no-store`: pages, API answers and downloads carry personal
    data, and no browser or proxy cache may keep them. Static files are answered above this middleware by WhiteNoise
    and keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
