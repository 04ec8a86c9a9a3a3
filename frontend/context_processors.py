"""What every page's header needs: the volunteer's inbox count and links for the signed-in role."""

from __future__ import annotations

from boeking.access import role_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None}
    from boeking.access import managed_houses

    from .bestuur import inbox_count

    role = role_of(user)
    context = {"nav_role": role, "nav_inbox_count": None, "nav_houses": []}
    houses = list(managed_houses(user).only("pk", "slug", "name")[:20])
    if houses:
        context["nav_houses"] = houses
        context["nav_inbox_count"] = inbox_count(user)
    return context
