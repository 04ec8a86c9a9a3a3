"""`{% may_request_series room as ok %}`: whether the signed-in user may request a series in the room's house
(`boeking.access.series_kinds`), for the link on a room's page (issue 18)."""

from __future__ import annotations

from django import template

from boeking import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_request_series(context, room) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and access.series_kinds(user, room.house_id))
