"""Payments (SPEC §5, §6): start paying a booking, the booking's payments ledger, and Stripe's webhook.

| endpoint | who |
|---|---|
| POST /api/v1/bookings/{id}/payment/ | the booker (others who can see the booking: 403; others: 404) |
| GET /api/v1/bookings/{id}/payments/ | the booker and the house's volunteers (the ledger) |
| POST /api/v1/payments/stripe/webhook/ | Stripe: no login, no CSRF; the signature is the authentication (400 without) |
"""

from __future__ import annotations

from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from boeking import access, states
from boeking import payments as provider
from boeking.clock import now
from boeking.models import Booking, LedgerKind, PaymentEntry, PaymentMode
from boeking.pricing import euro
from boeking.services import payments as payment_services
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from . import permissions as perms
from .errors import ErrorSerializer


class PaymentStartSerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="`stripe` or `offline`.")
    client_secret = serializers.CharField(allow_null=True, help_text="Stripe: the PaymentIntent's client secret for "
                                                                     "the Payment Element. Offline: null.")
    publishable_key = serializers.CharField(allow_null=True, allow_blank=True,
                                            help_text="Stripe: the publishable key. Offline: null.")
    amount_cents = serializers.IntegerField(help_text="What is due now: rental + deposit, minus what was paid.")
    amount = serializers.CharField(help_text="The same in euros, as written in the Netherlands (`€ 150,00`).")
    deadline = serializers.DateTimeField(allow_null=True, help_text="Pay before this moment, or the booking expires.")
    instructions = serializers.CharField(allow_null=True, help_text="Offline: how to pay (the house's IBAN and the "
                                                                    "reference `Zaalboek <id>`). Stripe: null.")


class PaymentEntrySerializer(serializers.ModelSerializer):
    # Plain strings, not enums: the schema already has a `kind` enum (booking kinds) and a PaymentMode enum.
    kind = serializers.CharField(read_only=True, help_text=", ".join(LedgerKind.values))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    method = serializers.CharField(read_only=True, help_text="`stripe` or `offline`.")
    amount = serializers.SerializerMethodField()

    class Meta:
        model = PaymentEntry
        fields = ["id", "kind", "kind_label", "method", "amount_cents", "amount", "reason", "at"]
        read_only_fields = fields

    def get_amount(self, obj) -> str:
        return euro(obj.amount_cents)


class LedgerSerializer(serializers.Serializer):
    booking = serializers.IntegerField(source="pk")
    payment_mode = serializers.ChoiceField(choices=PaymentMode.choices)
    total_cents = serializers.IntegerField(help_text="Rental + deposit.")
    paid_cents = serializers.IntegerField()
    refunded_cents = serializers.IntegerField(help_text="Refunds (also those made in the Stripe dashboard), returned "
                                                        "deposit and payments the payer's bank took back (disputes) "
                                                        "included.")
    cancellation_fee_cents = serializers.IntegerField()
    deposit_retained_cents = serializers.IntegerField()
    outstanding_cents = serializers.SerializerMethodField(help_text="Still to pay while the booking awaits payment.")
    payment_deadline = serializers.DateTimeField(allow_null=True)
    entries = PaymentEntrySerializer(source="payments", many=True,
                                     help_text="Charges, refunds, returned and retained deposit, failed attempts, "
                                               "disputes; oldest first.")

    def get_outstanding_cents(self, obj) -> int:
        return payment_services.outstanding_cents(obj) if states.can_pay(obj, now()) else 0


WebhookAckSerializer = inline_serializer("StripeWebhookAck", fields={
    "received": serializers.BooleanField(),
    "duplicate": serializers.BooleanField(help_text="True when this event id was handled before: nothing changed."),
    "handled": serializers.BooleanField(help_text="False when the event was ignored (acknowledged, nothing changed; "
                                                  "the reason is kept with the event: " + ", ".join(
                                                      f"`{code}`" for code in payment_services.IGNORED) + ")."),
})

StripeEventSerializer = inline_serializer("StripeEvent", fields={
    "id": serializers.CharField(),
    "type": serializers.CharField(help_text=", ".join(payment_services.HANDLERS) + "; others are acknowledged and "
                                                                                   "ignored."),
    "data": serializers.DictField(help_text="`{object: PaymentIntent}` with `metadata.booking_id` and "
                                            "`metadata.zaalboek` (our marker), or `{object: Charge}` / "
                                            "`{object: Dispute}` of a payment in the ledger."),
})


def _booking_for(request, pk) -> Booking:
    return get_object_or_404(Booking.objects.visible_to(request.user).select_related("house"), pk=pk)


class PaymentStartView(APIView):
    permission_classes = [perms.CanSeeBookings]

    @extend_schema(
        operation_id="bookings_payment_create", tags=["bookings"], request=None,
        responses={200: PaymentStartSerializer,
                   401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
                   409: OpenApiResponse(ErrorSerializer, description="`invalid_transition` (not awaiting payment), "
                                        "`payment_deadline_passed`, `already_paid`, `payment_processing`."),
                   502: OpenApiResponse(ErrorSerializer, description="`payment_provider_error`: Stripe refused."),
                   503: OpenApiResponse(ErrorSerializer, description="`payment_provider_unavailable`: Stripe could "
                                        "not be reached; the booking is unchanged, try again.")},
    )
    def post(self, request, pk):
        """Start paying an approved booking (the booker). Stripe: a PaymentIntent for rental + deposit (iDEAL and
        card) for the Payment Element; calling again returns the same one while it can be paid. Offline: how to pay
        (bank transfer with the reference, or on site); a volunteer then marks it paid."""
        booking = _booking_for(request, pk)
        if not access.can_pay(request.user, booking):
            self.permission_denied(request, message="Alleen de aanvrager kan deze boeking betalen.")
        start = payment_services.payment_start(booking=booking, actor=request.user)
        return Response(PaymentStartSerializer(start.as_dict()).data)


class LedgerView(APIView):
    permission_classes = [perms.CanSeeBookings]

    @extend_schema(operation_id="bookings_payments_list", tags=["bookings"],
                   responses={200: LedgerSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        """The booking's payments ledger (the booker and the house's volunteers): every charge, refund, returned or
        retained deposit and failed attempt, with the totals. Not paginated: a booking has a handful of lines."""
        booking = get_object_or_404(Booking.objects.visible_to(request.user).prefetch_related("payments"), pk=pk)
        return Response(LedgerSerializer(booking).data)


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(APIView):
    authentication_classes: list = []  # Stripe signs; no session, so no CSRF check either
    permission_classes = [AllowAny]
    throttle_classes: list = []  # Stripe retries and bursts; the signature check is cheap

    @extend_schema(
        operation_id="payments_stripe_webhook", tags=["payments"], auth=[], request=StripeEventSerializer,
        parameters=[], examples=[OpenApiExample("payment_intent.succeeded", request_only=True, value={
            "id": "evt_123", "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_123", "amount": 15000, "currency": "eur",
                                "metadata": {"booking_id": "42", "zaalboek": "zaalboek"}}}})],
        responses={200: WebhookAckSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="`invalid_signature` (missing or wrong "
                                        "Stripe-Signature header), `invalid_payload`, `webhook_not_configured`. "
                                        "Every request not signed by Stripe gets this."),
                   503: OpenApiResponse(ErrorSerializer, description="`payment_provider_unavailable`: a refund this "
                                        "event needs could not reach Stripe; nothing was stored, Stripe retries.")},
    )
    def post(self, request):
        """Stripe's webhook. Verifies the signature and handles each event once (replays and duplicates change
        nothing): `payment_intent.succeeded` confirms the booking, `payment_intent.payment_failed` is recorded,
        `charge.refunded` records refunds made in the Stripe dashboard, `charge.dispute.*` records disputes and the
        money they move. Only events about the booking's own PaymentIntent (our marker, EUR, the amount asked) change
        anything; others are acknowledged and kept as ignored with the reason. Subscribe to those events."""
        event = provider.verify_webhook(request.body, request.headers.get("Stripe-Signature"))
        record, duplicate = payment_services.stripe_event_handle(event=event)
        return Response({"received": True, "duplicate": duplicate, "handled": record.handled})


urlpatterns = [
    path("bookings/<id:pk>/payment/", PaymentStartView.as_view(), name="booking-payment"),
    path("bookings/<id:pk>/payments/", LedgerView.as_view(), name="booking-payments"),
    path("payments/stripe/webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
]
