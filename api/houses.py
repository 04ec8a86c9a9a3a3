"""Houses, rooms and room availability: public, read-only, no personal data."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from boeking.availability import room_availability
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

    def get_queryset(self):
        if self.action == "availability":  # only the room and its house: no facilities, tariffs or location
            return Room.objects.filter(active=True, house__active=True).select_related("house")
        return super().get_queryset()

    @extend_schema(
        parameters=[
            OpenApiParameter("start", dt.date, required=True, description="First day (YYYY-MM-DD), inclusive."),
            OpenApiParameter("end", dt.date, required=True,
                             description=f"Last day (YYYY-MM-DD), inclusive; at most {MAX_AVAILABILITY_DAYS} days."),
        ],
        responses={200: AvailabilitySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def availability(self, request, pk=None):
        """Busy, open and closed intervals of a room. `busy` holds bookings plus their cleaning buffer — no names
        or titles; `open` is when a new booking (with its own buffer) fits: opening hours minus closures minus
        bookings; `closed` lists closures."""
        room = self.get_object()
        try:
            first = dt.date.fromisoformat(request.query_params.get("start", ""))
            last = dt.date.fromisoformat(request.query_params.get("end", ""))
        except ValueError:
            return error_response("invalid_date", "Geef start en end als YYYY-MM-DD.", 400)
        if last < first:
            return error_response("end_before_start", "De einddatum ligt vóór de begindatum.", 400)
        if (last - first).days + 1 > MAX_AVAILABILITY_DAYS:
            return error_response("range_too_long", f"Vraag hoogstens {MAX_AVAILABILITY_DAYS} dagen tegelijk op.", 400)
        if first.year < 2000 or last.year > 2100:
            return error_response("invalid_date", "Kies een datum tussen 2000 en 2100.", 400)
        result = room_availability(room, first, last)
        field = serializers.DateTimeField()

        def intervals(items):
            return [{"start": field.to_representation(s), "end": field.to_representation(e)} for s, e in items]

        return Response({"room": room.pk, "start": first.isoformat(), "end": last.isoformat(),
                         "busy": intervals(result.busy), "open": intervals(result.open),
                         "closed": intervals(result.closed)})
