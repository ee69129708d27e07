"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def progress(request, pk=None):
    return HttpResponse("TODO")


def member_list(request, pk=None):
    return HttpResponse("TODO")


def member_export(request, pk=None):
    return HttpResponse("TODO")
