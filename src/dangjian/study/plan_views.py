"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def plan(request, pk=None):
    return HttpResponse("TODO")


def plan_export(request, pk=None):
    return HttpResponse("TODO")


def item_create(request, pk=None):
    return HttpResponse("TODO")


def item_edit(request, pk=None):
    return HttpResponse("TODO")


def item_delete(request, pk=None):
    return HttpResponse("TODO")
