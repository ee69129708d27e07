from . import second_factor
from .shell import active_grant, nav_active, nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if second_factor.pending(user):
        return {"second_step_pending": True}  # no way into the system from the code page but logout
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    items = nav_for(user)
    return {
        "nav_items": items,
        "nav_active": nav_active(items, current),
        "active_grant": active_grant(request),
        "grants": user.grants,
    }
