"""The development pages. Thin views: each reads through a selector or hands over to one service."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability

from .models import Applicant


def applicant_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    applicants = Applicant.objects.visible_to(request.user).select_related("org")[:50]
    return render(request, "development/applicant_list.html", {"title": "发展党员", "applicants": applicants})
