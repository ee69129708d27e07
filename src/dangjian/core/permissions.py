"""Checks a page or an API handler makes before anything else, shared by every app."""

from django.http import Http404


def require_capability(user, capability: str) -> None:
    """Pages of a module the user's roles do not reach are 404: their existence is not disclosed."""
    if not user.can(capability):
        raise Http404
