"""Placeholder views: the lane that owns this module replaces it."""

from django.http import HttpResponse


def py(request, pk=None):
    return HttpResponse("TODO")


def mine(request, pk=None):
    return HttpResponse("TODO")


def report_create(request, pk=None):
    return HttpResponse("TODO")


def report_withdraw(request, pk=None):
    return HttpResponse("TODO")
