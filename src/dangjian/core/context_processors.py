from .shell import active_grant, nav_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return {
        "nav_items": nav_for(user),
        "nav_current": current,
        "nav_namespace": match.namespace if match else "",
        "active_grant": active_grant(request),
        "grants": user.grants,
    }
