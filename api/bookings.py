"""Bookings: quote, create, list, detail, and one POST endpoint per transition. Status is never writable."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # DRF's: a malformed id (`abc`) is a 404, not a 500
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from boeking import access, services
from boeking.models import Booking, BookingKind, PaymentEntry, Room

from . import permissions as perms
from .errors import ErrorSerializer, RuleResultSerializer
from .fields import LocalDateTimeField
from .payments import PaymentEntrySerializer

# 415: a request body in a media type the API does not read (or without a Content-Type). 502/503: a refund (cancel,
# refund-deposit) that Stripe refused or could not be reached for (`payment_provider_unavailable`; nothing changed).
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
          409: ErrorSerializer, 415: ErrorSerializer, 502: ErrorSerializer, 503: ErrorSerializer}


class BookingInputSerializer(serializers.Serializer):
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(active=True).select_related("house"))
    kind = serializers.ChoiceField(choices=BookingKind.choices)
    start = LocalDateTimeField()
    end = LocalDateTimeField()
    guests = serializers.IntegerField(min_value=1, max_value=100_000)
    alcohol = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=200, allow_blank=True, default="")
    # Bounded where the domain accepts it (`boeking.bounds.TEXT_LIMITS`, `text_too_long`), as on the booking form.
    notes = serializers.CharField(allow_blank=True, default="",
                                  help_text="Notes for the house's board, at most 2,000 characters. Not priced: a quote "
                                            "ignores them.")


class PriceLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    label_en = serializers.CharField()
    quantity = serializers.FloatField()
    unit_cents = serializers.IntegerField()
    amount_cents = serializers.IntegerField()


class PriceSerializer(serializers.Serializer):
    lines = PriceLineSerializer(many=True)
    rental_cents = serializers.IntegerField()
    deposit_cents = serializers.IntegerField()
    total_cents = serializers.IntegerField()
    currency = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when no rule fails: the request would be accepted now.")
    price = PriceSerializer()
    rules = RuleResultSerializer(many=True)


class BookingSerializer(serializers.ModelSerializer):
    """What the booker and the house's volunteers see. Every field is read-only."""

    house = serializers.IntegerField(source="house_id", read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    price = serializers.SerializerMethodField()
    rules = RuleResultSerializer(source="rule_results", many=True, read_only=True)
    payments = PaymentEntrySerializer(many=True, read_only=True, help_text="The payments ledger (oldest first).")
    refund_pending_cents = serializers.IntegerField(
        read_only=True, help_text="Cents a cancellation owes the booker that are not paid back yet (its refund job "
                                  "pays them through Stripe or the house transfers them); 0 once paid, and for any "
                                  "booking that is not cancelled.")

    class Meta:
        model = Booking
        fields = ["id", "room", "house", "kind", "status", "start", "end", "blocked_until", "guests", "alcohol",
                  "title", "price", "rules", "payment_mode", "paid_cents", "refunded_cents",
                  "refund_pending_cents", "cancellation_fee_cents", "deposit_retained_cents", "booker_name", "booker_email",
                  "booker_phone", "organisation", "decision_reason", "created_at", "decision_deadline",
                  "payment_deadline", "decided_at", "confirmed_at", "cancelled_at", "payments"]
        read_only_fields = fields

    @extend_schema_field(PriceSerializer)
    def get_price(self, obj) -> dict:
        return {"lines": obj.price_lines, "rental_cents": obj.rental_cents, "deposit_cents": obj.deposit_cents,
                "total_cents": obj.total_cents, "currency": "EUR"}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RefundDepositSerializer(serializers.Serializer):
    retain_cents = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


class BookingCreateThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"

    def allow_request(self, request, view):
        if view.action != "create":
            return True
        return super().allow_request(request, view)


@extend_schema_view(list=extend_schema(responses={200: BookingSerializer(many=True), **ERRORS}),
                    retrieve=extend_schema(responses={200: BookingSerializer, **ERRORS}))
@extend_schema(responses={**ERRORS})
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's bookings: their own, plus all bookings of houses they volunteer for. Others' bookings are 404;
    municipality officers get 403 (they see aggregates and meldingen only)."""

    serializer_class = BookingSerializer
    permission_classes = [perms.CanSeeBookings]
    throttle_scope = "booking_create"
    throttle_classes = [*viewsets.GenericViewSet.throttle_classes, BookingCreateThrottle]
    filterset_fields = ["status", "kind", "room", "house"]

    def get_queryset(self):
        return (Booking.objects.visible_to(self.request.user).select_related("room", "house")
                .prefetch_related("payments").order_by("start", "pk"))

    def _input(self):
        serializer = BookingInputSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=BookingInputSerializer, responses={200: QuoteSerializer, **ERRORS})
    @action(detail=False, methods=["post"], permission_classes=[perms.CanBook], filter_backends=[])
    def quote(self, request):
        """Price and rule results for a booking as it would be requested now. Writes nothing."""
        data = self._input()
        quote = services.booking_quote(booker=request.user, room=data["room"], kind=data["kind"], start=data["start"],
                                       end=data["end"], guests=data["guests"], alcohol=data["alcohol"])
        return Response({"ok": quote.ok, "price": quote.price.as_dict(), "rules": [r.as_dict() for r in quote.rules]})

    @extend_schema(request=BookingInputSerializer, responses={201: BookingSerializer, **ERRORS})
    def create(self, request):
        """Request a booking. 201 with status `requested` (or `approved`/`confirmed` when the house's board books
        an association or community activity itself). 409 `slot_taken` / `cap_reached`; 400 for a failing rule."""
        if not perms.CanBook().has_permission(request, self):  # 403; `email_unverified` for an unverified resident
            self.permission_denied(request, message=perms.CanBook.message)
        data = self._input()
        booking = services.booking_request(booker=request.user, **data)
        # Created in this request: no payment has been made on it yet, so its ledger is known to be empty (no query).
        booking._prefetched_objects_cache = {"payments": PaymentEntry.objects.none()}
        return Response(BookingSerializer(booking, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, pk, allowed, input_serializer, call):
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        # Who may act is settled before the body is read: a caller who may not decide gets 403, not a 400 about it.
        self._require(allowed(request.user, booking))
        payload = input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = call(booking, **payload.validated_data)
        return Response(BookingSerializer(booking, context={"request": request}).data)

    def _require(self, allowed: bool):
        if not allowed:
            self.permission_denied(self.request, message="Dit mag alleen het bestuur van dit huis.")

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        """Approve a request (volunteers of the house). 409 `cap_reached` when the house's cap is full."""
        def call(booking, reason):
            return services.booking_approve(booking=booking, actor=request.user, reason=reason)
        return self._transition(request, pk, access.can_decide, ReasonSerializer, call)

    @extend_schema(request=RequiredReasonSerializer, responses={200: BookingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        """Reject a request with a reason (volunteers of the house)."""
        def call(booking, reason):
            return services.booking_reject(booking=booking, actor=request.user, reason=reason)
        return self._transition(request, pk, access.can_decide, RequiredReasonSerializer, call)

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        """Cancel (the booker or volunteers of the house). The response shows the fee due and the refund."""
        def call(booking, reason):
            return services.booking_cancel(booking=booking, actor=request.user, reason=reason)
        return self._transition(request, pk, access.can_cancel, ReasonSerializer, call)

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="mark-paid", filter_backends=[])
    def mark_paid(self, request, pk=None):
        """Record an offline payment (volunteers of the house); the booking is confirmed."""
        def call(booking, reason):
            return services.booking_mark_paid(booking=booking, actor=request.user, reason=reason)
        return self._transition(request, pk, access.can_decide, ReasonSerializer, call)

    @extend_schema(request=RefundDepositSerializer, responses={200: BookingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="refund-deposit", filter_backends=[])
    def refund_deposit(self, request, pk=None):
        """Return the deposit after the event, retaining `retain_cents` with a reason (volunteers of the house)."""
        def call(booking, retain_cents, reason):
            return services.booking_refund_deposit(booking=booking, actor=request.user, retain_cents=retain_cents,
                                                   reason=reason)
        return self._transition(request, pk, access.can_decide, RefundDepositSerializer, call)

