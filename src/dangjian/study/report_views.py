"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def report_list(request, pk=None):
    return HttpResponse("TODO")


def report_export(request, pk=None):
    return HttpResponse("TODO")


def report_detail(request, pk=None):
    return HttpResponse("TODO")


def report_review(request, pk=None):
    return HttpResponse("TODO")


def certificate(request, pk=None):
    return HttpResponse("TODO")
