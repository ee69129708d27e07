"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def central_list(request, pk=None):
    return HttpResponse("TODO")


def speech_add(request, pk=None):
    return HttpResponse("TODO")


def speech_delete(request, pk=None):
    return HttpResponse("TODO")


def outcome_add(request, pk=None):
    return HttpResponse("TODO")


def outcome_list(request, pk=None):
    return HttpResponse("TODO")


def outcome_export(request, pk=None):
    return HttpResponse("TODO")


def outcome_edit(request, pk=None):
    return HttpResponse("TODO")
