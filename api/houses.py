"""Houses, rooms and room availability: public, read-only, no personal data."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from boeking.availability import compute, load_window
from boeking.models import Facility, House, Location, OpeningHours, Room, Tariff

from .errors import ErrorSerializer, error_response
from .fields import IdFilter, ValueListFilter

MAX_AVAILABILITY_DAYS = 92
ACCESSIBILITY_FEATURES = ("step_free_entrance", "threshold_max_2cm", "lift", "accessible_toilet", "hearing_loop",
                          "wheelchair")


class AccessibilitySerializer(serializers.ModelSerializer):
    wheelchair_accessible = serializers.BooleanField(read_only=True)

    class Meta:
        model = Location
        fields = ["step_free_entrance", "threshold_max_2cm", "door_width_cm", "lift", "accessible_toilet",
                  "disabled_parking_distance_m", "public_transport_distance_m", "hearing_loop",
                  "wheelchair_accessible", "screening_date", "screening_status"]


class LocationSerializer(serializers.ModelSerializer):
    accessibility = AccessibilitySerializer(source="*", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "name", "street", "postcode", "city", "accessibility"]


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class HouseSerializer(serializers.ModelSerializer):
    neighbourhood = serializers.CharField(source="neighbourhood.name", read_only=True)
    district = serializers.CharField(source="neighbourhood.district.name", read_only=True)
    locations = LocationSerializer(many=True, read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    rooms = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = House
        fields = ["id", "name", "slug", "house_type", "operator_type", "operator_name", "neighbourhood", "district",
                  "description", "house_rules", "email", "phone", "discount_percent",
                  "neighbourhood_residents_only", "locations", "opening_hours", "rooms"]


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = ["code", "name_nl", "name_en"]


class TariffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tariff
        fields = ["tier", "unit", "amount_cents"]


class RoomSerializer(serializers.ModelSerializer):
    house_name = serializers.CharField(source="house.name", read_only=True)
    location = LocationSerializer(read_only=True)
    facilities = FacilitySerializer(many=True, read_only=True)
    tariffs = TariffSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = ["id", "house", "house_name", "name", "description", "capacity", "area_m2", "location",
                  "facilities", "tariffs", "deposit_cents", "cleaning_fee_cents", "buffer_minutes",
                  "private_events_allowed"]


class RoomFilter(django_filters.FilterSet):
    """Every filter costs a bounded query: `facility` is one subquery with one join whatever the number of codes
    (at most MAX_FILTER_VALUES distinct ones; repeats count once), `accessible` a fixed set of column tests."""

    house = IdFilter(field_name="house_id")
    min_capacity = django_filters.NumberFilter(field_name="capacity", lookup_expr="gte")
    facility = ValueListFilter(method="filter_facility",
                               help_text="Facility code(s), comma-separated; a room must have all of them.")
    accessible = ValueListFilter(
        method="filter_accessible",
        help_text="`true` (wheelchair: step-free entrance, door ≥ 85 cm, accessible toilet) or comma-separated "
                  f"features: {', '.join(ACCESSIBILITY_FEATURES)}.")

    class Meta:
        model = Room
        fields = ["house", "min_capacity", "facility", "accessible"]

    def filter_facility(self, queryset, name, codes: list[str]):
        # Rooms having all the codes: the room–facility rows with one of the codes, grouped per room, counted.
        through = Room.facilities.through
        having_all = (through.objects.filter(facility__code__in=codes).values("room_id")
                      .annotate(found=Count("facility_id", distinct=True)).filter(found=len(codes)).values("room_id"))
        return queryset.filter(pk__in=having_all)

    def filter_accessible(self, queryset, name, wanted: list[str]):
        wanted = [f.lower() for f in wanted]
        if wanted in (["true"], ["1"], ["yes"]):
            wanted = ["wheelchair"]
        if wanted in (["false"], ["0"], ["no"]):
            return queryset
        unknown = set(wanted) - set(ACCESSIBILITY_FEATURES)
        if unknown:
            raise serializers.ValidationError({"accessible": [f"Onbekend kenmerk: {', '.join(sorted(unknown))}."]})
        for feature in dict.fromkeys(wanted):  # at most one test per known feature, however often it is repeated
            if feature == "wheelchair":
                queryset = queryset.filter(
                    Q(location__step_free_entrance=True) | Q(location__threshold_max_2cm=True),
                    location__door_width_cm__gte=85, location__accessible_toilet=True)
            else:
                queryset = queryset.filter(**{f"location__{feature}": True})
        return queryset


# 404: an unknown id, or a page past the end; 400: a filter value that cannot be read.
@extend_schema_view(list=extend_schema(responses={200: HouseSerializer(many=True), 404: ErrorSerializer}),
                    retrieve=extend_schema(responses={200: HouseSerializer, 404: ErrorSerializer}))
class HouseViewSet(viewsets.ReadOnlyModelViewSet):
    """Community houses with their locations (and accessibility profile), opening hours and rooms."""

    permission_classes = [AllowAny]
    serializer_class = HouseSerializer
    queryset = (House.objects.filter(active=True).select_related("neighbourhood__district")
                .prefetch_related("locations", "opening_hours",
                                  Prefetch("rooms", queryset=Room.objects.filter(active=True).only("id", "house_id")))
                .order_by("name"))


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


AvailabilitySerializer = inline_serializer(
    "Availability",
    fields={
        "room": serializers.IntegerField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "busy": IntervalSerializer(many=True),
        "open": IntervalSerializer(many=True),
        "closed": IntervalSerializer(many=True),
    },
)


@extend_schema_view(list=extend_schema(responses={200: RoomSerializer(many=True), 400: ErrorSerializer,
                                                  404: ErrorSerializer}),
                    retrieve=extend_schema(responses={200: RoomSerializer, 404: ErrorSerializer}))
class RoomViewSet(viewsets.ReadOnlyModelViewSet):
    """Rooms, filterable by house, minimum capacity, facilities and accessibility."""

    permission_classes = [AllowAny]
    serializer_class = RoomSerializer
    filterset_class = RoomFilter
    queryset = (Room.objects.filter(active=True, house__active=True)
                .select_related("house", "location").prefetch_related("facilities", "tariffs")
                .order_by("house__name", "name"))

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "availability":  # calendars poll it: an anonymous poll costs one cache round trip
            swap = {UserRateThrottle: SignedInRateThrottle, AnonRateThrottle: AnonPollThrottle}
            throttles = [swap[type(t)]() if type(t) in swap else t for t in throttles]
        return throttles

    @extend_schema(
        parameters=[
            OpenApiParameter("start", dt.date, required=True, description="First day (YYYY-MM-DD), inclusive."),
            OpenApiParameter("end", dt.date, required=True,
                             description=f"Last day (YYYY-MM-DD), inclusive; at most {MAX_AVAILABILITY_DAYS} days."),
        ],
        responses={200: AvailabilitySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    # JSON only (calendars and the pages read it): content negotiation picks from one renderer.
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None, renderer_classes=[JSONRenderer])
    def availability(self, request, pk=None):
        """Busy, open and closed intervals of a room. `busy` holds bookings plus their cleaning buffer — no names
        or titles; `open` is when a new booking (with its own buffer) fits: opening hours minus closures minus
        bookings; `closed` lists closures.

        One SQL statement (`boeking.availability.load_window`). The answer carries an `ETag` (a digest of the rows
        it is computed from: a new, changed or cancelled booking, closure, opening hour or buffer changes it) and
        `Cache-Control: public, no-cache`: a calendar polling the same month sends `If-None-Match` and gets an
        empty 304 while nothing changed."""
        room_id = _room_id(pk)
        try:
            first = dt.date.fromisoformat(request.query_params.get("start", ""))
            last = dt.date.fromisoformat(request.query_params.get("end", ""))
        except ValueError:
            return self._availability_error(room_id, "invalid_date", "Geef start en end als YYYY-MM-DD.")
        if last < first:
            return self._availability_error(room_id, "end_before_start", "De einddatum ligt vóór de begindatum.")
        if (last - first).days + 1 > MAX_AVAILABILITY_DAYS:
            return self._availability_error(room_id, "range_too_long",
                                            f"Vraag hoogstens {MAX_AVAILABILITY_DAYS} dagen tegelijk op.")
        if first.year < 2000 or last.year > 2100:
            return self._availability_error(room_id, "invalid_date", "Kies een datum tussen 2000 en 2100.")
        window = load_window(room_id, first, last)
        if window is None or not window.bookable:
            raise Http404
        etag = f'W/"{window.fingerprint()}"'
        headers = {"ETag": etag, "Cache-Control": AVAILABILITY_CACHE_CONTROL}
        if _etag_matches(request.headers.get("If-None-Match"), etag):
            return Response(status=304, headers=headers)
        result = compute(window)
        tz = timezone.get_current_timezone()

        def intervals(items):
            return [{"start": _iso(s, tz), "end": _iso(e, tz)} for s, e in items]

        return Response({"room": room_id, "start": first.isoformat(), "end": last.isoformat(),
                         "busy": intervals(result.busy), "open": intervals(result.open),
                         "closed": intervals(result.closed)}, headers=headers)

    def _availability_error(self, room_id: int, code: str, detail: str) -> Response:
        """400 for a bad range — but 404 first when the room does not exist (or cannot be booked), as before."""
        if not Room.objects.filter(pk=room_id, active=True, house__active=True).exists():
            raise Http404
        return error_response(code, detail, 400)


class SignedInRateThrottle(UserRateThrottle):
    """DRF's per-user limit (`user` rate) for signed-in callers only. For an anonymous caller DRF's UserRateThrottle
    keeps a second history under the caller's address beside AnonRateThrottle's; with the `anon` rate below the
    `user` rate (300 and 600 a minute by default) that second count never decides anything, yet costs a cache read
    and write per request. Anonymous callers stay limited by AnonRateThrottle."""

    def get_cache_key(self, request, view):
        if request.user is not None and request.user.is_authenticated:
            return super().get_cache_key(request, view)
        return None  # DRF: no key → this throttle does not apply (and touches no cache)


class AnonPollThrottle(AnonRateThrottle):
    """AnonRateThrottle's limit (the `anon` rate per client address) counted in ONE cache round trip: a counter per
    fixed window of the rate's period (Redis: INCR and EXPIRE sent together in one pipeline) instead of DRF's sliding history,
    which reads and then writes a list of timestamps. The price: across a window's edge a client can get up to
    twice the rate in a short while — fine for a public read-only endpoint. 429 `throttled` with Retry-After (the
    rest of the window), as DRF answers."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.retry_after = (window + 1) * self.duration - now
        return _count(self.cache, f"{key}:w{window}", self.duration) <= self.num_requests

    def wait(self):
        return self.retry_after


def _count(cache, key: str, seconds: int) -> int:
    """Add one to the counter `key` (created with a lifetime of `seconds`) and return it; one round trip on Redis."""
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is not None and hasattr(cache, "make_and_validate_key"):  # Django's RedisCache (config.cache's too)
        full_key = cache.make_and_validate_key(key)
        pipe = client_of(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, seconds)  # the key names its window: a later expiry only keeps it longer
        return int(pipe.execute()[0])
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return 1


# Shared caches may keep the answer, but must ask again each time (If-None-Match → 304 while nothing changed): a
# resident who just booked sees the slot taken at once.
AVAILABILITY_CACHE_CONTROL = "public, no-cache"


def _room_id(pk) -> int:
    """The room id in the URL; anything that is not a positive 63-bit integer is a 404 (never a database error)."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value


def _etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored; `*` matches."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in parse_etags(header))


def _iso(value: dt.datetime, tz) -> str:
    """What DRF's DateTimeField gives (ISO 8601 in the current time zone, `Z` for UTC), without the field."""
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
