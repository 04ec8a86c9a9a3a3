"""Paying with Stripe, end to end against localstripe: the resident starts a payment, "the browser" pays it, Stripe's
webhook confirms the booking; declined cards, replays, forged signatures, refunds, deposits and Stripe being down."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from boeking import services
from boeking.models import AuditEntry, Booking, BookingStatus, PaymentEntry, StripeEvent
from boeking.services import payments as payment_services
from tests.factories import BookingFactory, UserFactory, local_dt
from tests.payments.conftest import WEBHOOK_SECRET, events_for, free_port, pay_as_browser, post_event, sign, wait_for

SAT_EVENING = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))  # € 100 rent + € 50 deposit


@pytest.fixture
def march(frozen_now):
    return frozen_now(local_dt(2027, 3, 1, 10))


@pytest.fixture
def approved(march, room, stripe_on):
    return BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start_payment(booking) -> dict:
    response = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/payment/")
    assert response.status_code == 200, response.content
    return response.json()


def ledger(booking) -> list[tuple[str, str, int]]:
    return list(PaymentEntry.objects.filter(booking=booking).order_by("pk").values_list("kind", "method", "amount_cents"))


def paid_and_delivered(stripe_on, booking, api) -> Booking:
    """Start, pay with a good card, and deliver localstripe's own succeeded event to the webhook."""
    body = start_payment(booking)
    intent_id = body["client_secret"].split("_secret_")[0]
    assert pay_as_browser(stripe_on.client, intent_id) is None
    (event,) = events_for(stripe_on.client, intent_id, "payment_intent.succeeded", wait=5)
    response = post_event(api, event)
    assert response.status_code == 200, response.content
    return Booking.objects.get(pk=booking.pk)


# --- the happy path, with a real webhook delivery ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_stripe__pay_with_card__webhook_delivered_by_stripe_confirms_booking(live_server, webhook_to, approved,
                                                                             stripe_on):
    assert approved.payment_mode == "stripe"
    webhook_to(f"{live_server.url}/api/v1/payments/stripe/webhook/")
    body = start_payment(approved)
    assert body["provider"] == "stripe"
    assert (body["amount_cents"], body["amount"]) == (15000, "€ 150,00")
    assert body["publishable_key"] == "pk_test_zaalboek"
    assert body["instructions"] is None
    intent = stripe_on.client.v1.payment_intents.retrieve(body["client_secret"].split("_secret_")[0]).to_dict()
    assert intent["amount"] == 15000 and intent["currency"] == "eur"
    assert intent["metadata"]["booking_id"] == str(approved.pk)
    assert intent["metadata"]["zaalboek"] == "zaalboek"  # our marker: events about intents without it are ignored
    # (localstripe accepts `payment_method_types` but does not echo it; boeking.payments.PAYMENT_METHOD_TYPES.)

    assert pay_as_browser(stripe_on.client, intent["id"]) is None

    assert wait_for(lambda: Booking.objects.get(pk=approved.pk).status == BookingStatus.CONFIRMED), \
        "localstripe's webhook did not confirm the booking"
    booking = Booking.objects.get(pk=approved.pk)
    assert booking.paid_cents == 15000
    assert ledger(booking) == [("charge", "stripe", 15000)]
    # (SQLite's shared in-memory test database can show the booking a moment before the event row: wait for both.)
    assert wait_for(lambda: StripeEvent.objects.filter(type="payment_intent.succeeded", handled=True).count() == 1)
    assert AuditEntry.objects.filter(booking=booking, action="booking.paid", to_status="confirmed").exists()


def test_stripe__start_twice__same_payment_intent(approved):
    first, second = start_payment(approved), start_payment(approved)
    assert first["client_secret"] == second["client_secret"]
    assert AuditEntry.objects.filter(booking=approved, action="booking.payment_started").count() == 1


def test_stripe__price_changed__new_intent_and_the_old_one_cancelled(approved, stripe_on,
                                                                     django_capture_on_commit_callbacks):
    first = start_payment(approved)["client_secret"].split("_secret_")[0]
    Booking.objects.filter(pk=approved.pk).update(total_cents=16000, rental_cents=11000)
    with django_capture_on_commit_callbacks(execute=True):
        second = start_payment(approved)
    assert second["amount_cents"] == 16000
    assert second["client_secret"].split("_secret_")[0] != first
    assert stripe_on.client.v1.payment_intents.retrieve(first).status == "canceled"  # cannot be paid as well
    assert payment_services.own_intents(Booking.objects.get(pk=approved.pk)) == {
        first: 15000, second["client_secret"].split("_secret_")[0]: 16000}


# --- declined, replayed, forged ------------------------------------------------------------------------------------


def test_stripe__declined_card__failure_in_ledger_booking_still_payable(approved, stripe_on, api,
                                                                       django_capture_on_commit_callbacks):
    body = start_payment(approved)
    intent_id = body["client_secret"].split("_secret_")[0]
    # localstripe declines charges with 4000000000000341 (its 4000000000000002 is declined only when attached).
    error = pay_as_browser(stripe_on.client, intent_id, card="4000000000000341")
    assert error is not None and error.code == "card_declined"
    (event,) = events_for(stripe_on.client, intent_id, "payment_intent.payment_failed", wait=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(api, event).status_code == 200
    booking = Booking.objects.get(pk=approved.pk)
    assert booking.status == BookingStatus.APPROVED and booking.paid_cents == 0
    assert ledger(booking) == [("failure", "stripe", 15000)]
    assert "Betaling mislukt" in mail.outbox[-1].subject
    # The resident may try again, with the same PaymentIntent (Stripe accepts a new payment method on it; localstripe
    # cannot confirm an intent twice, so the second attempt itself is not played here).
    again = start_payment(booking)
    assert again["client_secret"] == body["client_secret"]
    assert post_event(api, event).json()["duplicate"] is True
    assert ledger(Booking.objects.get(pk=booking.pk)) == [("failure", "stripe", 15000)]


def test_stripe__replayed_webhook__changes_nothing(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    (event,) = events_for(stripe_on.client, booking.payment_intent_id, "payment_intent.succeeded")
    before = (ledger(booking), AuditEntry.objects.count(), StripeEvent.objects.count())
    replay = post_event(api, event)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    booking.refresh_from_db()
    assert booking.paid_cents == 15000
    assert (ledger(booking), AuditEntry.objects.count(), StripeEvent.objects.count()) == before


def test_stripe__same_payment_in_a_new_event__booked_once(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    (event,) = events_for(stripe_on.client, booking.payment_intent_id, "payment_intent.succeeded")
    response = post_event(api, {**event, "id": "evt_another_delivery"})
    assert response.status_code == 200 and response.json()["duplicate"] is False
    assert ledger(Booking.objects.get(pk=booking.pk)) == [("charge", "stripe", 15000)]


@pytest.mark.parametrize("forge", ["tampered_body", "wrong_secret", "no_header", "old_timestamp"])
def test_stripe__forged_webhook__400_and_nothing_changes(approved, stripe_on, api, forge):
    start_payment(approved)
    event = {"id": "evt_forged", "type": "payment_intent.succeeded",
             "data": {"object": {"id": approved.payment_intent_id or "pi_x", "amount": 15000,
                                 "metadata": {"booking_id": str(approved.pk)}}}}
    payload = json.dumps(event).encode()
    headers = {
        "tampered_body": sign(payload.replace(b"15000", b"15001")),
        "wrong_secret": sign(payload, secret="whsec_someone_else"),
        "no_header": "",
        "old_timestamp": sign(payload, timestamp=1_600_000_000),
    }
    response = api.generic("POST", "/api/v1/payments/stripe/webhook/", payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=headers[forge])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert Booking.objects.get(pk=approved.pk).status == BookingStatus.APPROVED
    assert not StripeEvent.objects.exists() and not PaymentEntry.objects.exists()


# --- out of order --------------------------------------------------------------------------------------------------


def test_stripe__failure_event_after_success__ignored(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    late_failure = {"id": "evt_late_failure", "type": "payment_intent.payment_failed",
                    "data": {"object": {"id": booking.payment_intent_id, "amount": 15000, "object": "payment_intent",
                                        "metadata": {"booking_id": str(booking.pk)},
                                        "last_payment_error": {"code": "card_declined", "message": "declined"}}}}
    assert post_event(api, late_failure).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert ledger(booking) == [("charge", "stripe", 15000)]
    assert StripeEvent.objects.get(event_id="evt_late_failure").note.startswith("genegeerd")


def test_stripe__payment_arrives_after_expiry__refunded_in_full(approved, stripe_on, api, frozen_now, monkeypatch):
    body = start_payment(approved)
    intent_id = body["client_secret"].split("_secret_")[0]
    frozen_now(approved.payment_deadline)
    # The job that cancels the stale intent has not run yet (queued; Stripe slow) when the payment comes in.
    monkeypatch.setattr(payment_services, "cancel_open_intent_later", lambda intent_id: None)
    # Before expiring, Stripe is asked: the intent is unpaid, so the booking expires (and its slot is free).
    assert [b.pk for b in services.expire_overdue()] == [approved.pk]
    assert pay_as_browser(stripe_on.client, intent_id) is None  # paid anyway, on a page left open
    (event,) = events_for(stripe_on.client, intent_id, "payment_intent.succeeded", wait=5)
    assert post_event(api, event).status_code == 200
    booking = Booking.objects.get(pk=approved.pk)
    assert booking.status == BookingStatus.EXPIRED
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    refunds = stripe_on.client.v1.refunds.list(params={"payment_intent": intent_id}).data
    assert [r.amount for r in refunds] == [15000]


def test_stripe__expiry_finds_payment_whose_webhook_is_late__confirms_instead(approved, stripe_on, frozen_now):
    body = start_payment(approved)
    assert pay_as_browser(stripe_on.client, body["client_secret"].split("_secret_")[0]) is None
    frozen_now(approved.payment_deadline + dt.timedelta(minutes=5))
    assert services.expire_overdue() == []
    booking = Booking.objects.get(pk=approved.pk)
    assert booking.status == BookingStatus.CONFIRMED
    assert ledger(booking) == [("charge", "stripe", 15000)]


# --- refunds -------------------------------------------------------------------------------------------------------


def test_stripe__late_cancellation_by_resident__deposit_refunded_through_stripe(approved, stripe_on, api, frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    frozen_now(local_dt(2027, 3, 25, 10))  # 9 days before: the rent is due, the deposit goes back
    response = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Ziek"},
                                               format="json")
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_fee_cents, booking.refunded_cents) == ("cancelled", 10000, 5000)
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 5000)]
    refund_id = PaymentEntry.objects.get(booking=booking, kind="refund").stripe_id
    refund = stripe_on.client.v1.refunds.retrieve(refund_id)
    assert (refund.amount, refund.payment_intent) == (5000, booking.payment_intent_id)


def test_stripe__cancellation_by_volunteer__everything_back(approved, stripe_on, api, frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    frozen_now(local_dt(2027, 4, 2, 10))
    services.booking_cancel(booking=booking, actor=UserFactory.volunteer(booking.house), reason="Lekkage")
    booking.refresh_from_db()
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    assert booking.refunded_cents == 15000


def test_stripe__deposit_partly_retained_after_event(approved, stripe_on, api, frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    frozen_now(local_dt(2027, 4, 5, 10))
    volunteer = UserFactory.volunteer(booking.house)
    response = client_for(volunteer).post(f"/api/v1/bookings/{booking.pk}/refund-deposit/",
                                          {"retain_cents": 2000, "reason": "Glas gebroken"}, format="json")
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.deposit_retained_cents, booking.refunded_cents) == (2000, 3000)
    assert ledger(booking) == [("charge", "stripe", 15000), ("deposit_refund", "stripe", 3000),
                               ("deposit_retained", "stripe", 2000)]
    assert PaymentEntry.objects.get(booking=booking, kind="deposit_retained").reason == "Glas gebroken"
    refund = stripe_on.client.v1.refunds.retrieve(PaymentEntry.objects.get(booking=booking, kind="deposit_refund").stripe_id)
    assert refund.amount == 3000
    lines = client_for(booking.booker).get(f"/api/v1/bookings/{booking.pk}/payments/").json()
    assert [(e["kind"], e["amount"]) for e in lines["entries"]] == [
        ("charge", "€ 150,00"), ("deposit_refund", "€ 30,00"), ("deposit_retained", "€ 20,00")]


# --- Stripe unreachable --------------------------------------------------------------------------------------------


def test_stripe__unreachable_at_payment_start__503_booking_unchanged_retry_works(approved, settings, stripe_on):
    up = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    before = AuditEntry.objects.count()
    response = client_for(approved.booker).post(f"/api/v1/bookings/{approved.pk}/payment/")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    booking = Booking.objects.get(pk=approved.pk)
    assert (booking.status, booking.payment_intent_id) == ("approved", "")
    assert AuditEntry.objects.count() == before
    settings.STRIPE_API_BASE = up
    assert start_payment(booking)["client_secret"]


def test_stripe__unreachable_at_cancellation__cancelled_at_once_and_the_refund_job_pays_later(
        approved, stripe_on, api, settings, mailoutbox):
    """Cancelling never waits for Stripe (issue 15): with Stripe down the cancellation is made, the refund stays
    pending (its job fails and is retried), and once Stripe is back the job pays it exactly once."""
    from boeking.services.payments import refund_cancellation

    booking = paid_and_delivered(stripe_on, approved, api)
    stripe_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    response = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["refunded_cents"], response.json()["refund_pending_cents"]) == (0, 15000)
    booking.refresh_from_db()
    assert (booking.status, booking.refunded_cents, booking.refund_pending_cents) == ("cancelled", 0, 15000)
    page = Client()
    page.force_login(booking.booker)
    assert "Terugbetaling onderweg" in page.get(f"/mijn/boekingen/{booking.pk}/").content.decode()
    assert ledger(booking) == [("charge", "stripe", 15000)]
    cancel_mail = [m for m in mailoutbox if m.to == [booking.booker.email] and "Geannuleerd" in m.subject]
    assert cancel_mail and "U krijgt € 150,00 terug." in cancel_mail[-1].body

    settings.STRIPE_API_BASE = stripe_base  # Stripe is back: the retried job pays, and a second run pays nothing
    mailoutbox.clear()
    assert refund_cancellation(booking.pk) == "refunded 15000 cents through Stripe, 0 cents by the house"
    assert refund_cancellation(booking.pk) == "nothing due"
    booking.refresh_from_db()
    assert (booking.refunded_cents, booking.refund_pending_cents) == (15000, 0)
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    [mail] = [m for m in mailoutbox if m.to == [booking.booker.email]]
    assert "We hebben € 150,00 teruggestort" in mail.body


def test_stripe__unreachable_at_expiry__booking_kept_for_the_next_run(approved, stripe_on, settings, frozen_now):
    start_payment(approved)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    frozen_now(approved.payment_deadline)
    assert services.expire_overdue() == []
    assert Booking.objects.get(pk=approved.pk).status == BookingStatus.APPROVED


def test_stripe__unknown_event__acknowledged_and_recorded(stripe_on, api, db):
    response = post_event(api, {"id": "evt_customer", "type": "customer.created", "data": {"object": {"id": "cus_1"}}})
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "handled": False}
    event = StripeEvent.objects.get(event_id="evt_customer")
    assert (event.handled, event.ignored) == (False, "unused_type")


def test_stripe__payment_start_for_offline_house__instructions_not_stripe(march, room, stripe_on):
    room.house.payment_mode = "offline"
    room.house.bank_account = "NL91ABNA0417164300"
    room.house.save()
    booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    body = start_payment(booking)
    assert body["provider"] == "offline" and body["client_secret"] is None
    assert "NL91ABNA0417164300" in body["instructions"] and f"Zaalboek {booking.pk}" in body["instructions"]
    assert payment_services.outstanding_cents(booking) == 15000


@pytest.fixture
def api():
    return APIClient()


assert WEBHOOK_SECRET  # the fixtures sign with it
