"""Query-string parameters naming a row (?org=12): bounded and checked before any query sees them."""

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

#: Digits of the largest id a parameter may name (a BIGINT has 19).
ID_MAX_DIGITS = 18


def id_param(request: HttpRequest, name: str) -> int | None:
    """?name= as an id: absent or empty → None; anything but up to 18 ASCII digits → 404."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > ID_MAX_DIGITS:
        raise Http404
    return int(value)


def row_param(request: HttpRequest, name: str, queryset: QuerySet) -> Model | None:
    """?name= as a row of `queryset` (the user's scope): absent → None; outside it or malformed → 404 (whether it
    exists is not disclosed)."""
    pk = id_param(request, name)
    return None if pk is None else get_object_or_404(queryset, pk=pk)
