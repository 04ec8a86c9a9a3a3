"""Calendar endpoints of the API (SPEC §6): the signed-in user's private feed URL, rotating its token, and one booking
as an .ics file. The feeds themselves are plain Django views under /ical/ (`api.ical`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from boeking import access, ical
from boeking.models import Booking, Profile
from boeking.services.feeds import feed_token_rotate
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from . import permissions as perms
from .errors import ErrorSerializer

JSON = "application/json"
ICS = "text/calendar"


def _errors(*statuses: int) -> dict:
    return {(status, JSON): ErrorSerializer for status in statuses}


class FeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The private feed (https:// in production): paste it into Google Calendar "
                                         "(Other calendars → From URL), Outlook (Add calendar → Subscribe from web) or "
                                         "Thunderbird (New calendar → On the network).")
    webcal_url = serializers.CharField(help_text="The same feed as webcal://: opens Apple Calendar (and Outlook) "
                                                 "directly with a subscription dialog.")
    google_url = serializers.URLField(help_text="Opens Google Calendar's 'add by URL' dialog for this feed.")
    refresh_minutes = serializers.IntegerField(help_text="How often the feed asks to be fetched (REFRESH-INTERVAL, "
                                                         "X-PUBLISHED-TTL). Google Calendar ignores it and refreshes "
                                                         "every few hours up to a day.")


def _profile(user) -> Profile:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        raise NotFound("Dit account heeft geen profiel en dus geen agenda-abonnement.")
    return profile


def feed_body(profile: Profile, request) -> dict:
    """The feed's links, absolute from the request's own scheme and host (so they work wherever the API was reached:
    `make run PORT=…`, a proxy), like the pages' links."""
    from urllib.parse import quote

    url = request.build_absolute_uri(reverse("ical-private", args=[profile.feed_token]))
    webcal = "webcal://" + url.split("://", 1)[1]
    return {"url": url, "webcal_url": webcal,
            "google_url": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
            "refresh_minutes": int(ical.REFRESH.total_seconds() // 60)}


class MyFeedView(APIView):
    """My private calendar feed: its URL as https:// and as webcal://. Anyone with the URL can read the feed; rotate
    it (POST …/rotate/) when it may have leaked."""

    @extend_schema(responses={200: FeedSerializer, **_errors(401, 403, 404)})
    def get(self, request):
        return Response(feed_body(_profile(request.user), request))


class MyFeedRotateView(APIView):
    """A new private feed URL; the old one answers 404 from now on."""

    @extend_schema(request=None, responses={200: FeedSerializer, **_errors(401, 403, 404)})
    def post(self, request):
        _profile(request.user)
        return Response(feed_body(feed_token_rotate(user=request.user), request))


class ICalendarRenderer(BaseRenderer):
    media_type = ICS
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class BookingICalendarView(APIView):
    """One booking as an iCalendar file (METHOD:PUBLISH) to add to a calendar: the booker's view, or — for the house's
    volunteers — with the booker's name, phone and guests. Others get 404; the municipality 403."""

    permission_classes = [perms.CanSeeBookings]
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON ({code, detail, rules}), also for a client that asked for text/calendar only.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSON
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="bookings_ics_retrieve",
        responses={(200, ICS): OpenApiResponse(OpenApiTypes.STR, description="A VCALENDAR with one VEVENT."),
                   **_errors(401, 403, 404)})
    def get(self, request, pk: int):
        booking = get_object_or_404(Booking.objects.visible_to(request.user), pk=pk)
        view = "volunteer" if access.can_decide(request.user, booking) else "booker"
        profile = getattr(request.user, "profile", None)
        body = ical.booking_calendar(booking, view=view, lang=ical.language(profile.language if profile else None))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="boeking-{booking.pk}.ics"'
        response["Cache-Control"] = "private, no-cache"
        return response


urlpatterns = [
    path("me/feed/", MyFeedView.as_view(), name="me-feed"),
    path("me/feed/rotate/", MyFeedRotateView.as_view(), name="me-feed-rotate"),
    path("bookings/<id:pk>/ics/", BookingICalendarView.as_view(), name="booking-ics"),
]
