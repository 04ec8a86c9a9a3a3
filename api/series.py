"""Series (recurring bookings): quote, create, list, detail, approve, reject, cancel, restore a date, split."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # DRF's: a malformed id (`abc`) is a 404, not a 500
from rest_framework.response import Response

from boeking import access, occurrences, services
from boeking.models import Booking, Room, Series, SkipReason
from boeking.services.series import series_quote

from . import permissions as perms
from .bookings import BookingCreateThrottle, ReasonSerializer, RequiredReasonSerializer
from .errors import ErrorSerializer

# 415: a request body in a media type the API does not read (or without a Content-Type).
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
          409: ErrorSerializer, 415: ErrorSerializer}


class SeriesInputSerializer(serializers.Serializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(active=True).select_related("house"))
    kind = serializers.ChoiceField(choices=[("association", "association"), ("community", "community")])
    rrule = serializers.CharField(max_length=500, help_text="e.g. FREQ=WEEKLY;BYDAY=TU, FREQ=WEEKLY;INTERVAL=2;"
                                  "BYDAY=MO,TH, FREQ=MONTHLY;BYDAY=+1MO; optional COUNT=n. No DTSTART/UNTIL.")
    start_time = serializers.TimeField(help_text="Wall-clock time in Europe/Amsterdam, e.g. 19:00.")
    end_time = serializers.TimeField(help_text="At or before start_time means the next day.")
    first_date = serializers.DateField()
    until = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text="Last date (inclusive); required unless the rule has COUNT. ≤ 18 months.")
    guests = serializers.IntegerField(min_value=1, max_value=100_000)
    title = serializers.CharField(max_length=200, allow_blank=True, default="")


class SkipSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.ChoiceField(choices=SkipReason.values)  # one list: the model's reasons
    reason_label = serializers.CharField()
    detail = serializers.CharField()


class OccurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "status", "start", "end"]


class SeriesPlanSerializer(serializers.Serializer):
    occurrences = serializers.ListField(child=serializers.DictField())
    rejected_dates = SkipSerializer(many=True)
    count = serializers.IntegerField()
    total_cents = serializers.IntegerField()


class SeriesSerializer(serializers.ModelSerializer):
    rrule = serializers.SerializerMethodField()
    occurrences = serializers.SerializerMethodField()
    rejected_dates = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ["id", "room", "house", "kind", "status", "rrule", "start_time", "end_time", "first_date", "until",
                  "guests", "title", "organisation", "booker_name", "booker_email", "booker_phone", "parent",
                  "decision_reason", "created_at", "occurrences", "rejected_dates"]
        read_only_fields = fields

    def get_rrule(self, obj) -> str:
        return occurrences.rule_text(obj.recurrence)

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_occurrences(self, obj):
        return OccurrenceSerializer(obj.occurrences.all(), many=True).data

    @extend_schema_field(SkipSerializer(many=True))
    def get_rejected_dates(self, obj):
        return [{"date": s.date, "reason": s.reason, "reason_label": str(s.get_reason_display()),
                 "detail": s.detail} for s in obj.skips.all()]


class CancelSeriesSerializer(serializers.Serializer):
    from_date = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text="Cancel this date and all following; empty: every future date.")
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


class RestoreSerializer(serializers.Serializer):
    date = serializers.DateField()


class SplitSerializer(serializers.Serializer):
    from_date = serializers.DateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


def plan_payload(plan) -> dict:
    field = serializers.DateTimeField()
    return {
        "occurrences": [{"date": p.date.isoformat(), "start": field.to_representation(p.start),
                         "end": field.to_representation(p.end)} for p in plan.periods],
        "rejected_dates": [s.as_dict() for s in plan.skips],
        "count": len(plan.periods),
        "total_cents": plan.total_cents,
    }


def _may_decide(user, series: Series) -> bool:
    return access.can_manage_house(user, series.house_id)


def _may_change(user, series: Series) -> bool:
    return access.can_change_series(user, series)


@extend_schema_view(list=extend_schema(responses={200: SeriesSerializer(many=True), **ERRORS}),
                    retrieve=extend_schema(responses={200: SeriesSerializer, **ERRORS}))
@extend_schema(responses={**ERRORS})
class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recurring bookings. Associations see their own series, volunteers those of their houses; others' are 404."""

    serializer_class = SeriesSerializer
    permission_classes = [perms.CanSeeBookings]
    filterset_fields = ["status", "room", "house"]
    # Requesting a series counts against the same hourly limit as requesting a booking.
    throttle_scope = "booking_create"
    throttle_classes = [*viewsets.GenericViewSet.throttle_classes, BookingCreateThrottle]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Series.objects.none()
        qs = Series.objects.select_related("room", "house").prefetch_related(
            Prefetch("occurrences", queryset=Booking.objects.order_by("start")), "skips")
        qs = qs.visible_to(user)
        return qs.order_by("-created_at", "-pk")

    def _input(self):
        serializer = SeriesInputSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=SeriesInputSerializer, responses={200: SeriesPlanSerializer, **ERRORS})
    @action(detail=False, methods=["post"], filter_backends=[])
    def quote(self, request):
        """Which dates the series would get and which it cannot (with reasons), before submitting. Writes nothing."""
        data = self._input()
        data.pop("title")
        # Same who-may-request check as creating one: a resident or another house's board gets 403, not a plan.
        return Response(plan_payload(series_quote(booker=request.user, **data)))

    @extend_schema(request=SeriesInputSerializer, responses={201: SeriesSerializer, **ERRORS})
    def create(self, request):
        """Request a series (association contact) or create one directly (volunteer of the house)."""
        data = self._input()
        series = services.series_create(booker=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=series.pk)).data,
                        status=status.HTTP_201_CREATED)

    def _act(self, pk, payload_class, call, allowed):
        series = get_object_or_404(self.get_queryset(), pk=pk)
        # Who may act is settled before the body is read (as for bookings): 403, not a 400 about the body.
        if not allowed(self.request.user, series):
            self.permission_denied(self.request, message="Dit mag alleen de aanvrager of het bestuur van dit huis.")
        payload = payload_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        call(series, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=ReasonSerializer, responses={200: SeriesSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        """Approve the whole series (volunteers of the house): its occurrences are confirmed."""
        return self._act(pk, ReasonSerializer,
                         lambda s, reason: services.series_approve(series=s, actor=request.user, reason=reason),
                         _may_decide)

    @extend_schema(request=RequiredReasonSerializer, responses={200: SeriesSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        return self._act(pk, RequiredReasonSerializer,
                         lambda s, reason: services.series_reject(series=s, actor=request.user, reason=reason),
                         _may_decide)

    @extend_schema(request=CancelSeriesSerializer, responses={200: SeriesSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        """Cancel `from_date` and every following date (default: every future date). Past dates never change.
        To cancel one date only, cancel that occurrence: `POST /api/v1/bookings/{id}/cancel/`."""
        return self._act(pk, CancelSeriesSerializer,
                         lambda s, from_date, reason: services.series_cancel(series=s, actor=request.user,
                                                                              from_date=from_date, reason=reason),
                         _may_change)

    @extend_schema(request=RestoreSerializer, responses={200: SeriesSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def restore(self, request, pk=None):
        """Book a cancelled (or skipped) date of the series again, when the room is still free then."""
        return self._act(pk, RestoreSerializer,
                         lambda s, date: services.series_restore_date(series=s, actor=request.user, date=date),
                         _may_change)

    @extend_schema(request=SplitSerializer, responses={201: SeriesSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def split(self, request, pk=None):
        """Change the time of `from_date` and all following: a new series takes over from that date."""
        series = get_object_or_404(self.get_queryset(), pk=pk)
        if not _may_change(request.user, series):
            self.permission_denied(request, message="Dit mag alleen de aanvrager of het bestuur van dit huis.")
        payload = SplitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.series_split(series=series, actor=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=new.pk)).data, status=status.HTTP_201_CREATED)
