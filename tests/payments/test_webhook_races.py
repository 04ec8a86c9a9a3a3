"""Stripe delivers the same payment more than once, at the same moment (retries, two endpoints, a replay): real
threads against PostgreSQL; the booking is paid once, whatever arrives."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from boeking.models import Booking, BookingStatus, PaymentEntry, StripeEvent
from boeking.services.audit import audit
from tests.factories import BookingFactory, RoomFactory, default_caps, local_dt
from tests.payments.conftest import WEBHOOK_SECRET, sign
from tests.threads import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers"),
]


@pytest.mark.parametrize("same_event_id", [True, False], ids=["one_event_8_times", "8_events_one_payment"])
def test_webhook__eight_concurrent_deliveries_of_one_payment__charged_once(settings, frozen_now, same_event_id):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", WEBHOOK_SECRET
    settings.ZAALBOEK_PAYMENT_MODE = "stripe"
    frozen_now(local_dt(2027, 3, 1, 10))
    default_caps()
    booking = BookingFactory.approved(room=RoomFactory(), start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    assert booking.payment_mode == "stripe"
    # The booking's own intent, as payment_start records it (Stripe itself is not needed for this race).
    Booking.objects.filter(pk=booking.pk).update(payment_intent_id="pi_race")
    audit(actor=None, action="booking.payment_started", booking=booking,
          data={"payment_intent": "pi_race", "amount_cents": 15000, "previous": ""})
    intent = {"id": "pi_race", "object": "payment_intent", "amount": 15000, "amount_received": 15000,
              "currency": "eur", "status": "succeeded", "metadata": {"booking_id": str(booking.pk),
                                                                     "zaalboek": "zaalboek"}}

    def deliver(n):
        event = {"id": "evt_race" if same_event_id else f"evt_race_{n}", "type": "payment_intent.succeeded",
                 "data": {"object": intent}}
        payload = json.dumps(event).encode()
        return Client().generic("POST", "/api/v1/payments/stripe/webhook/", payload,
                                content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)).status_code

    results, errors = run_concurrently([lambda n=n: deliver(n) for n in range(8)])
    assert errors == [None] * 8
    assert results == [200] * 8
    booking.refresh_from_db()
    assert (booking.status, booking.paid_cents) == (BookingStatus.CONFIRMED, 15000)
    assert list(PaymentEntry.objects.values_list("kind", "amount_cents")) == [("charge", 15000)]
    assert StripeEvent.objects.count() == (1 if same_event_id else 8)
    assert Booking.objects.get(pk=booking.pk).audit_entries.filter(action="booking.paid").count() == 1
