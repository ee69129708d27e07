"""The two shapes of a page that changes something, for every app: a form that runs one service (`form_action`),
and a button whose POST runs one service (`post_action`). A view fetches and authorises its object, builds the
form or the call, and hands over to one of these; the service decides, the helper reports and redirects.

An edit form of a versioned row (core.concurrency.VersionedFormMixin) sends the version it was loaded from; the
service's StaleEdit (the row changed meanwhile) lands at the top of the form with what changed, the user's input
stays, and the form takes the current version, so saving again on purpose goes through."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .concurrency import StaleEdit

T = TypeVar("T")

#: A message or a URL: fixed, or made from what the service returned (the org it created).
FromResult = str | Callable[[Any], str]


def form_error(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form so it shows next to its field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    if hasattr(form, "mark_invalid"):
        form.mark_invalid()


def stale_on_form(form, error: StaleEdit) -> None:
    """A refused stale edit: the message at the top, and the current version in the form's data (the fields keep
    what the user typed), so that saving again means "overwrite with my values", knowingly."""
    form.add_error(None, error.message)
    if "version" in form.fields:
        data = form.data.copy()
        data[form.add_prefix("version")] = str(error.current_version)
        form.data = data
    if hasattr(form, "mark_invalid"):
        form.mark_invalid()


def submit(request: HttpRequest, form, action: Callable[..., T]) -> T | None:
    """On a POST with valid data run the service (`action(**cleaned_data)`) and return its result; its refusal
    (ValidationError, PermissionDenied for a target outside the scope, StaleEdit for a row changed since the form
    was loaded) lands on the form. None otherwise."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(**form.cleaned_data)
    except StaleEdit as error:
        stale_on_form(form, error)
    except ValidationError as error:
        form_error(form, error)
    except PermissionDenied as error:
        form_error(form, ValidationError(str(error)))
    return None


def form_page(
    request: HttpRequest, form, *, title: str, breadcrumbs: list[tuple[str, str]], cancel_url: str, **extra
) -> HttpResponse:
    """generic/form.html; 400 when a submitted form has errors. `extra`: intro, submit_label."""
    context = {"form": form, "title": title, "breadcrumbs": breadcrumbs, "cancel_url": cancel_url, **extra}
    return render(request, "generic/form.html", context, status=400 if form.is_bound and form.errors else 200)


def form_action(
    request: HttpRequest,
    form,
    action: Callable[..., Any],
    *,
    success: FromResult,
    done_url: FromResult,
    title: str,
    breadcrumbs: list[tuple[str, str]],
    cancel_url: str,
    **extra,
) -> HttpResponse:
    """A form running one service: a valid POST the service accepts gives the `success` message and a redirect to
    `done_url`; anything else (a GET, invalid data, the service's refusal shown on the form) the form page."""
    result = submit(request, form, action)
    if result is None:
        return form_page(request, form, title=title, breadcrumbs=breadcrumbs, cancel_url=cancel_url, **extra)
    messages.success(request, _from(success, result))
    return redirect(_from(done_url, result))


def post_action(request: HttpRequest, action: Callable[[], Any], *, success: FromResult, done_url: str) -> HttpResponse:
    """A button's POST running one service: the `success` message, or the service's refusal as an error message,
    then back to `done_url`."""
    try:
        result = action()
    except (ValidationError, PermissionDenied, StaleEdit) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _from(success, result))
    return redirect(done_url)


def _from(value: FromResult, result) -> str:
    return value(result) if callable(value) else value
