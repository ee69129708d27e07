"""The Chinese error pages (templates/404.html, 403.html, 500.html) with DEBUG on too, as in the demo (`make run`).

With DEBUG, Django answers a 404 or 403 with its English technical page (URL patterns, settings) and an error with
a traceback page: a demo user who follows a stale link or opens a page outside their scope would see that. This
middleware renders the pages production renders, through the same views Django uses without DEBUG
(django.views.defaults), and logs an error with its traceback as Django would. DEBUG_TECHNICAL_ERRORS=1 brings
Django's technical pages back for development. Without DEBUG (production, the tests) it does nothing: Django
renders these pages itself.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views import defaults

logger = logging.getLogger("django.request")


class FriendlyErrorsMiddleware:
    """Last in MIDDLEWARE, so a view's exception reaches it first (process_exception runs bottom-up)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not settings.DEBUG_TECHNICAL_ERRORS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._active():
            # A path no URL pattern matches never reaches a view (nor process_exception): Django's handler would
            # answer it with the technical 404. CommonMiddleware above still redirects "/members" to "/members/".
            try:
                resolve(request.path_info)
            except Resolver404 as exception:
                return defaults.page_not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=sys.exc_info(), extra={"request": request})
        return defaults.server_error(request)
