"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def session_list(request, pk=None):
    return HttpResponse("TODO")


def session_export(request, pk=None):
    return HttpResponse("TODO")


def session_create(request, pk=None):
    return HttpResponse("TODO")


def countable_meetings(request, pk=None):
    return HttpResponse("TODO")


def count_meeting(request, pk=None):
    return HttpResponse("TODO")


def session_detail(request, pk=None):
    return HttpResponse("TODO")


def session_edit(request, pk=None):
    return HttpResponse("TODO")


def session_remove(request, pk=None):
    return HttpResponse("TODO")
