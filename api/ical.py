"""iCalendar feeds (SPEC §6), plain Django views under /ical/: public feeds per room and per house (busy blocks and
closures, no personal data) and the private feed behind a token. Built by `boeking.ical`.

Every feed carries ETag and Last-Modified computed from the data; a conditional GET (If-None-Match /
If-Modified-Since) gets 304 before anything is rendered. The private feed's URL holds a secret: nothing here puts the
path in a log message (Django's request logger is told the response was logged already) or in an error body.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import path, re_path
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from boeking import ical
from boeking.models import House, Room
from boeking.services.feeds import profile_for_feed_token
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = int(ical.REFRESH.total_seconds()) // 4  # clients and proxies may keep a copy 15 minutes


def serve(request, feed: ical.Feed, *, filename: str, cache: str) -> HttpResponse:
    """304 when the client's copy is current (nothing rendered), else the calendar."""
    validators = feed.validators()
    etag, timestamp = quote_etag(validators.etag), validators.last_modified.timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=int(timestamp))
    if response is None:
        response = HttpResponse(feed.render() if request.method == "GET" else b"", content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = f"{cache}, max-age={MAX_AGE}"
    return response


@require_safe
def room_feed(request, pk: int):
    """Anyone: when the room is busy (each booking with its cleaning buffer) or closed. `?lang=en` for English."""
    room = get_object_or_404(Room.objects.select_related("house"), pk=pk, active=True, house__active=True)
    feed = ical.room_feed(room, lang=ical.language(request.GET.get("lang")))
    return serve(request, feed, filename=f"zaal-{room.pk}.ics", cache="public")


@require_safe
def house_feed(request, pk: int):
    """Anyone: when each room of the house is busy, and closures. `?lang=en` for English."""
    house = get_object_or_404(House, pk=pk, active=True)
    feed = ical.house_feed(house, lang=ical.language(request.GET.get("lang")))
    return serve(request, feed, filename=f"huis-{house.pk}.ics", cache="public")


def _unlogged(response: HttpResponse) -> HttpResponse:
    # Django's request logger writes "Not Found: <path>" for every 4xx/5xx unless the response says it was logged;
    # the path holds the token.
    response._has_been_logged = True
    return response


def private_feed(request, token: str):
    """The token holder's own calendar (their bookings; as a volunteer all bookings of their houses with details).
    An unknown or rotated token is a plain 404."""
    if request.method not in ("GET", "HEAD"):
        return _unlogged(HttpResponseNotAllowed(["GET", "HEAD"]))
    profile = profile_for_feed_token(token)
    if profile is None:
        return _unlogged(HttpResponse(b"Not found\n", status=404, content_type="text/plain; charset=utf-8"))
    try:
        response = serve(request, ical.private_feed(profile.user), filename="zaalboek.ics", cache="private")
    except Exception:
        logger.exception("Private calendar feed of profile %s failed", profile.pk)  # the profile, never the token
        return _unlogged(HttpResponse(b"Server error\n", status=500, content_type="text/plain; charset=utf-8"))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def private_not_found(request, rest: str = ""):
    """Anything else under /ical/private/: a 404 that does not log the (possibly secret) path."""
    return _unlogged(HttpResponse(b"Not found\n", status=404, content_type="text/plain; charset=utf-8"))


urlpatterns = [
    path("rooms/<id:pk>.ics", room_feed, name="ical-room"),
    path("houses/<id:pk>.ics", house_feed, name="ical-house"),
    path("private/<str:token>.ics", private_feed, name="ical-private"),
    re_path(r"^private/(?P<rest>.*)$", private_not_found),
]

__all__ = ["Http404", "urlpatterns"]
