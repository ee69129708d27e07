"""Page sizes a list offers: the user chooses one of PAGE_SIZES; anything else in ?per_page= is the default."""

from django.http import HttpRequest

PAGE_SIZES = (25, 50, 100)


def page_size(request: HttpRequest, default: int = PAGE_SIZES[0]) -> int:
    """?per_page= when it is one of PAGE_SIZES, else `default` (a size of 10,000, or -1, is never used)."""
    value = request.GET.get("per_page", "")
    return int(value) if value in {str(size) for size in PAGE_SIZES} else default
