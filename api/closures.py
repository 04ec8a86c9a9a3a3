"""Closures: anyone reads; volunteers create and delete them for their own houses."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response

from boeking import access, services
from boeking.models import Booking, Closure, House, Room

from .errors import ErrorSerializer
from .fields import IdFilter, LocalDateTimeField, MomentFilter

# 415: a request body in a media type the API does not read (or without a Content-Type).
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
          415: ErrorSerializer}


class ClosureSerializer(serializers.ModelSerializer):
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.filter(active=True))
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    reason = serializers.CharField(max_length=200)  # a shape check as strict as the domain's (boeking.bounds)

    class Meta:
        model = Closure
        fields = ["id", "house", "room", "start", "end", "reason"]


class AffectedBookingSerializer(serializers.ModelSerializer):
    start = LocalDateTimeField()
    end = LocalDateTimeField()

    class Meta:
        model = Booking
        fields = ["id", "room", "kind", "status", "start", "end", "series"]


class CancelBookingsSerializer(serializers.Serializer):
    bookings = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000,
                                     help_text="Only these bookings (ids); default: every future booking the closure "
                                               "hits.")


class ClosureFilter(django_filters.FilterSet):
    house = IdFilter(field_name="house_id")
    room = IdFilter(field_name="room_id")
    # A date or moment between 2000 and 2100: `to=9999-12-31T23:59:59-14:00` overflowed on conversion to UTC (a 500).
    from_ = MomentFilter(field_name="end", lookup_expr="gt", label="from")
    to = MomentFilter(field_name="start", lookup_expr="lt", help_text="Closures that start before this moment.")

    class Meta:
        model = Closure
        fields = ["house", "room"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "from" in data:
            data = data.copy()
            data["from_"] = data.get("from")
        super().__init__(data, *args, **kwargs)


@extend_schema_view(list=extend_schema(responses={200: ClosureSerializer(many=True), **ERRORS}, parameters=[
                        # The query parameter is `from` (a Python keyword, hence the filter's `from_`).
                        OpenApiParameter("from", OpenApiTypes.DATETIME,
                                        description="Closures that end after this moment (or date: local midnight)."),
                        OpenApiParameter("from_", exclude=True)]),
                    retrieve=extend_schema(responses={200: ClosureSerializer, **ERRORS}))
@extend_schema(responses={**ERRORS})
class ClosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Periods a house or a room is closed (holidays, maintenance). Filter with `house`, `room`, `from`, `to`."""

    serializer_class = ClosureSerializer
    filterset_class = ClosureFilter
    queryset = Closure.objects.select_related("house", "room").order_by("start", "pk")

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    @extend_schema(responses={201: ClosureSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Close a house (or one of its rooms); volunteers of that house only."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not access.can_manage_house(request.user, data["house"]):
            self.permission_denied(request, message="Alleen het bestuur van dit huis kan het sluiten.")
        closure = services.closure_create(actor=request.user, house=data["house"], room=data.get("room"),
                                          start=data["start"], end=data["end"], reason=data["reason"])
        return Response(ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)

    def _managed(self, request) -> Closure:
        closure = self.get_object()
        if not access.can_manage_closure(request.user, closure):
            self.permission_denied(request, message="Alleen het bestuur van dit huis ziet en annuleert de boekingen "
                                                    "in een sluiting.")
        return closure

    @extend_schema(responses={200: AffectedBookingSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], url_path="bookings", filter_backends=[], pagination_class=None)
    def bookings(self, request, pk=None):
        """The bookings that hold a slot during the closure (volunteers of the house): the board decides about them."""
        closure = self._managed(request)
        return Response(AffectedBookingSerializer(services.closure_affected_bookings(closure), many=True).data)

    @extend_schema(request=CancelBookingsSerializer, responses={200: AffectedBookingSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["post"], url_path="cancel-bookings", filter_backends=[], pagination_class=None)
    def cancel_bookings(self, request, pk=None):
        """Cancel the future bookings the closure hits (all, or `bookings`: a list of ids), by the board: a full
        refund, the bookers are told; series dates are kept as skips with the closure's reason. Returns what was
        cancelled."""
        closure = self._managed(request)
        serializer = CancelBookingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cancelled = services.closure_cancel_affected(closure=closure, actor=request.user,
                                                     booking_ids=serializer.validated_data.get("bookings"))
        return Response(AffectedBookingSerializer(cancelled, many=True).data)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request, *args, **kwargs):
        closure = self.get_object()
        if not access.can_manage_house(request.user, closure.house_id):
            self.permission_denied(request, message="Alleen het bestuur van dit huis kan deze sluiting opheffen.")
        services.closure_delete(actor=request.user, closure=closure)
        return Response(status=status.HTTP_204_NO_CONTENT)
