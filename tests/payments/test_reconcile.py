"""Money that always reconciles (issue 16), against localstripe with signed events: events that are not the booking's
own payment as asked change nothing and are kept as ignored with the reason; refunds made in the Stripe dashboard
reach the ledger (by webhook, or at the latest before the next refund) so nothing is refunded twice; disputes move
money in the ledger; the reconciliation command reports every planted difference and changes nothing."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from boeking import services
from boeking.models import AuditEntry, Booking, BookingStatus, PaymentEntry, StripeEvent
from boeking.services import payments as payment_services
from tests.factories import BookingFactory, UserFactory, local_dt
from tests.payments.conftest import events_for, pay_as_browser, post_event
from tests.payments.test_stripe import SAT_EVENING, client_for, ledger, paid_and_delivered, start_payment


@pytest.fixture
def march(frozen_now):
    return frozen_now(local_dt(2027, 3, 1, 10))


@pytest.fixture
def approved(march, room, stripe_on):
    return BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])


@pytest.fixture
def api():
    return APIClient()


def snapshot(booking) -> tuple:
    booking = Booking.objects.get(pk=booking.pk)
    return (booking.status, booking.paid_cents, booking.refunded_cents, ledger(booking),
            AuditEntry.objects.filter(booking=booking).count())


def stripe_refunds(stripe_on, intent_id) -> list[int]:
    return [r.amount for r in stripe_on.client.v1.refunds.list(params={"payment_intent": intent_id}).data]


def charge_event(stripe_on, intent_id: str, event_type: str = "charge.refunded", event_id: str = "") -> dict:
    """What Stripe sends about the charge of `intent_id`: the charge as Stripe has it now."""
    intent = stripe_on.client.v1.payment_intents.retrieve(intent_id).to_dict()
    charge = stripe_on.client.v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()
    return {"id": event_id or f"evt_{event_type}_{charge['id']}", "type": event_type, "data": {"object": charge}}


def dispute_event(stripe_on, intent_id: str, event_type: str, *, amount: int = 15000, status: str = "needs_response",
                  dispute_id: str = "dp_test_1") -> dict:
    """A dispute of the charge of `intent_id` as Stripe describes it (localstripe has no disputes: the object is
    written here the way Stripe's API gives it; the event is signed like every other)."""
    intent = stripe_on.client.v1.payment_intents.retrieve(intent_id).to_dict()
    dispute = {"id": dispute_id, "object": "dispute", "amount": amount, "currency": "eur",
               "charge": intent["latest_charge"]["id"], "payment_intent": intent_id, "reason": "fraudulent",
               "status": status}
    return {"id": f"evt_{event_type}_{dispute_id}", "type": event_type, "data": {"object": dispute}}


def deliver(api, event: dict) -> StripeEvent:
    response = post_event(api, event)
    assert response.status_code == 200, response.content
    record = StripeEvent.objects.get(event_id=event["id"])
    assert response.json() == {"received": True, "duplicate": False, "handled": record.handled}
    return record


# --- events that are not the booking's own payment: ignored, with the reason, nothing changes ---------------------


def foreign_payment(stripe_on, booking, *, currency: str = "usd", metadata: dict | None = None) -> str:
    """Another app on the same Stripe account takes a payment whose metadata names our booking id; returns the id
    of the paid intent."""
    intent = stripe_on.client.v1.payment_intents.create(params={
        "amount": 15000, "currency": currency, "payment_method_types": ["card"],
        "metadata": metadata if metadata is not None else {"booking_id": str(booking.pk)}})
    assert pay_as_browser(stripe_on.client, intent.id) is None
    return intent.id


@pytest.mark.parametrize(("case", "currency", "metadata", "reason"), [
    ("another_app_in_dollars", "usd", None, "foreign"),
    ("another_app_in_euros", "eur", None, "foreign"),
    ("another_installation", "eur", {"zaalboek": "elders", "booking_id": "{pk}"}, "foreign"),
    ("our_marker_but_not_the_bookings_intent", "eur", {"zaalboek": "zaalboek", "booking_id": "{pk}"},
     "not_own_intent"),
    ("our_marker_unknown_booking", "eur", {"zaalboek": "zaalboek", "booking_id": "999999"}, "unknown_booking"),
])
def test_event__not_the_bookings_own_intent__ignored_with_reason_nothing_changes(approved, stripe_on, api, case,
                                                                                currency, metadata, reason):
    start_payment(approved)  # the booking has its own intent, not paid
    before = snapshot(approved)
    metadata = {k: v.format(pk=approved.pk) for k, v in metadata.items()} if metadata else None
    other = foreign_payment(stripe_on, approved, currency=currency, metadata=metadata)
    (event,) = events_for(stripe_on.client, other, "payment_intent.succeeded", wait=5)

    record = deliver(api, event)

    assert (record.handled, record.ignored) == (False, reason)
    assert record.note.startswith("genegeerd: ")
    assert snapshot(approved) == before
    assert stripe_refunds(stripe_on, other) == []  # not ours to refund either


def test_event__foreign_payment_ignored__then_the_booking_is_paid_and_cancelled_normally(approved, stripe_on, api,
                                                                                        frozen_now):
    """The run of the issue: the foreign payment used to confirm the booking, and the board's cancel then got 502."""
    other = foreign_payment(stripe_on, approved)
    (event,) = events_for(stripe_on.client, other, "payment_intent.succeeded", wait=5)
    assert deliver(api, event).ignored == "foreign"
    assert Booking.objects.get(pk=approved.pk).status == BookingStatus.APPROVED

    booking = paid_and_delivered(stripe_on, approved, api)
    frozen_now(local_dt(2027, 4, 2, 10))
    response = client_for(UserFactory.volunteer(booking.house)).post(f"/api/v1/bookings/{booking.pk}/cancel/",
                                                                     {"reason": "Lekkage"}, format="json")
    assert response.status_code == 200, response.content
    assert ledger(Booking.objects.get(pk=booking.pk)) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    assert stripe_refunds(stripe_on, booking.payment_intent_id) == [15000]


@pytest.mark.parametrize(("change", "reason"), [({"currency": "usd"}, "wrong_currency"),
                                                ({"amount": 100}, "wrong_amount")])
def test_event__own_intent_changed_at_stripe__wrong_currency_or_amount_ignored(approved, stripe_on, api, change,
                                                                              reason):
    """The booking's own intent, changed at Stripe after Zaalboek made it (in the dashboard, or by another app with
    the key) and then paid: Stripe's real event says so, and it books nothing."""
    intent_id = start_payment(approved)["client_secret"].split("_secret_")[0]
    stripe_on.client.v1.payment_intents.update(intent_id, params=change)
    before = snapshot(approved)
    assert pay_as_browser(stripe_on.client, intent_id) is None
    (event,) = events_for(stripe_on.client, intent_id, "payment_intent.succeeded", wait=5)

    record = deliver(api, event)

    assert (record.handled, record.ignored) == (False, reason)
    assert snapshot(approved) == before
    # ... and the reconciliation reports the money Stripe holds for it.
    report = payment_services.reconcile(since=local_dt(2027, 2, 1))
    assert {d.code for d in report.differences} >= {"payment_not_in_ledger", "ignored_event"}


def test_event__failure_of_a_foreign_intent__ignored(approved, stripe_on, api):
    start_payment(approved)
    before = snapshot(approved)
    intent = stripe_on.client.v1.payment_intents.create(params={
        "amount": 15000, "currency": "eur", "payment_method_types": ["card"],
        "metadata": {"booking_id": str(approved.pk)}})
    assert pay_as_browser(stripe_on.client, intent.id, card="4000000000000341") is not None
    (event,) = events_for(stripe_on.client, intent.id, "payment_intent.payment_failed", wait=5)
    assert deliver(api, event).ignored == "foreign"
    assert snapshot(approved) == before


def test_event__charge_refunded_of_a_payment_not_in_the_ledger__ignored(approved, stripe_on, api):
    other = foreign_payment(stripe_on, approved, currency="eur")
    stripe_on.client.v1.refunds.create(params={"payment_intent": other})
    before = snapshot(approved)
    assert deliver(api, charge_event(stripe_on, other)).ignored == "unknown_payment"
    assert snapshot(approved) == before


# --- refunds made in the Stripe dashboard ------------------------------------------------------------------------


def dashboard_refund(stripe_on, intent_id: str, amount: int | None = None) -> str:
    """A refund made by a person in the Stripe dashboard: no Zaalboek metadata, no idempotency key of ours."""
    params = {"payment_intent": intent_id} | ({"amount": amount} if amount else {})
    return stripe_on.client.v1.refunds.create(params=params).id


def test_dashboard_refund__webhook__ledger_and_booking_show_it__a_later_cancel_refunds_nothing_more(
        approved, stripe_on, api, frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    refund_id = dashboard_refund(stripe_on, booking.payment_intent_id)

    record = deliver(api, charge_event(stripe_on, booking.payment_intent_id))

    assert record.handled and record.ignored == ""
    booking.refresh_from_db()
    assert (booking.status, booking.paid_cents, booking.refunded_cents) == ("confirmed", 15000, 15000)
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    assert PaymentEntry.objects.get(booking=booking, kind="refund").stripe_id == refund_id
    assert AuditEntry.objects.filter(booking=booking, action="booking.refund_recorded").exists()
    seen = client_for(booking.booker).get(f"/api/v1/bookings/{booking.pk}/payments/").json()
    assert (seen["paid_cents"], seen["refunded_cents"]) == (15000, 15000)

    frozen_now(local_dt(2027, 4, 2, 10))
    response = client_for(UserFactory.volunteer(booking.house)).post(f"/api/v1/bookings/{booking.pk}/cancel/",
                                                                     {"reason": "Lekkage"}, format="json")
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.status, booking.refunded_cents) == ("cancelled", 15000)
    assert ledger(booking) == [("charge", "stripe", 15000), ("refund", "stripe", 15000)]
    assert stripe_refunds(stripe_on, booking.payment_intent_id) == [15000]  # not a second time
    # The same event again (Stripe retries) changes nothing.
    assert post_event(api, charge_event(stripe_on, booking.payment_intent_id)).json()["duplicate"] is True


def test_dashboard_refund__webhook_never_came__the_cancel_asks_stripe_first_and_refunds_only_the_rest(
        approved, stripe_on, api, frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    dashboard_refund(stripe_on, booking.payment_intent_id, amount=5000)  # the board gave the deposit back by hand

    frozen_now(local_dt(2027, 4, 2, 10))
    services.booking_cancel(booking=booking, actor=UserFactory.volunteer(booking.house), reason="Lekkage")

    booking.refresh_from_db()
    assert booking.refunded_cents == 15000
    assert sorted(stripe_refunds(stripe_on, booking.payment_intent_id)) == [5000, 10000]
    assert sorted(ledger(booking)) == sorted([("charge", "stripe", 15000), ("refund", "stripe", 5000),
                                              ("refund", "stripe", 10000)])
    # The webhook arriving now finds everything in the ledger.
    record = deliver(api, charge_event(stripe_on, booking.payment_intent_id))
    assert record.handled and record.note == "terugbetaling al in het kasboek"
    assert Booking.objects.get(pk=booking.pk).refunded_cents == 15000


def test_dashboard_refund__then_late_cancellation__the_fee_is_kept_nothing_more_goes_back(approved, stripe_on, api,
                                                                                          frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    dashboard_refund(stripe_on, booking.payment_intent_id, amount=5000)
    deliver(api, charge_event(stripe_on, booking.payment_intent_id))
    frozen_now(local_dt(2027, 3, 25, 10))  # late: the rent (€ 100) is due, the deposit (€ 50) is already back
    response = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.cancellation_fee_cents, booking.refunded_cents) == (10000, 5000)
    assert stripe_refunds(stripe_on, booking.payment_intent_id) == [5000]


def test_refund__never_more_than_stripe_still_holds__even_if_asked(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    dashboard_refund(stripe_on, booking.payment_intent_id, amount=12000)
    locked = Booking.objects.get(pk=booking.pk)
    entries = payment_services.refund(booking=locked, amount_cents=99999, kind="refund", reason="test", actor=None,
                                      purpose="test")
    locked.save()
    assert [(e.method, e.amount_cents) for e in entries] == [("stripe", 3000)]
    assert locked.refunded_cents == 15000
    assert sorted(stripe_refunds(stripe_on, booking.payment_intent_id)) == [3000, 12000]


# --- disputes ------------------------------------------------------------------------------------------------------


def test_dispute__funds_withdrawn_and_reinstated__in_the_ledger_and_on_the_booking(approved, stripe_on, api,
                                                                                 frozen_now):
    booking = paid_and_delivered(stripe_on, approved, api)
    intent = booking.payment_intent_id

    created = deliver(api, dispute_event(stripe_on, intent, "charge.dispute.created"))
    assert created.handled and "needs_response" in created.note
    assert AuditEntry.objects.filter(booking=booking, action="booking.disputed").exists()
    assert Booking.objects.get(pk=booking.pk).refunded_cents == 0  # opening a dispute moves no money

    deliver(api, dispute_event(stripe_on, intent, "charge.dispute.funds_withdrawn"))
    booking.refresh_from_db()
    assert booking.refunded_cents == 15000
    assert ledger(booking) == [("charge", "stripe", 15000), ("dispute", "stripe", 15000)]

    # While the bank holds the money, a cancellation refunds nothing through Stripe or by the house.
    frozen_now(local_dt(2027, 4, 2, 10))
    services.booking_cancel(booking=booking, actor=UserFactory.volunteer(booking.house), reason="Betwist")
    booking.refresh_from_db()
    assert booking.refunded_cents == 15000
    assert stripe_refunds(stripe_on, intent) == []

    deliver(api, dispute_event(stripe_on, intent, "charge.dispute.funds_reinstated", status="won"))
    booking.refresh_from_db()
    assert booking.refunded_cents == 0
    assert ledger(booking)[-1] == ("dispute_reinstated", "stripe", 15000)
    assert payment_services.LedgerSums.of(booking).refunded_cents == booking.refunded_cents


@pytest.mark.parametrize(("change", "reason"), [({"currency": "usd"}, "wrong_currency"),
                                                ({"amount": 15001}, "wrong_amount")])
def test_dispute__not_as_paid__ignored(approved, stripe_on, api, change, reason):
    booking = paid_and_delivered(stripe_on, approved, api)
    event = dispute_event(stripe_on, booking.payment_intent_id, "charge.dispute.funds_withdrawn")
    event["data"]["object"].update(change)
    before = snapshot(booking)
    assert deliver(api, event).ignored == reason
    assert snapshot(booking) == before


def test_dispute__of_a_payment_not_in_the_ledger__ignored(approved, stripe_on, api):
    other = foreign_payment(stripe_on, approved, currency="eur")
    start_payment(approved)
    before = snapshot(approved)
    assert deliver(api, dispute_event(stripe_on, other, "charge.dispute.funds_withdrawn")).ignored == "unknown_payment"
    assert snapshot(approved) == before


# --- the reconciliation command -------------------------------------------------------------------------------------


def reconcile(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("reconcile_payments", *args, stdout=out)
    return out.getvalue()


def test_reconcile__all_in_order__no_differences(approved, stripe_on, api):
    paid_and_delivered(stripe_on, approved, api)
    out = reconcile("--no-mail")
    assert out.strip().endswith("1 boeking(en) vergeleken met Stripe, sinds do 31-12-2026 10:00: 0 verschil(len).")


def test_reconcile__planted_differences__reported_logged_mailed__nothing_changed(approved, stripe_on, api, settings,
                                                                                caplog):
    settings.ADMINS = ["beheer@zaalboek.example"]
    booking = paid_and_delivered(stripe_on, approved, api)
    refund_id = dashboard_refund(stripe_on, booking.payment_intent_id, amount=2500)  # its webhook is lost
    Booking.objects.filter(pk=booking.pk).update(paid_cents=14000)  # and the booking disagrees with its ledger
    before = (snapshot(booking), list(PaymentEntry.objects.values_list("pk", "amount_cents")))
    mail.outbox.clear()

    with caplog.at_level(logging.WARNING, logger="boeking.reconcile"):
        first = reconcile()
    second = reconcile("--no-mail")

    assert f"boeking #{booking.pk}: Stripe betaalde € 25,00 terug ({refund_id}), het kasboek niet" in first
    assert f"boeking #{booking.pk}: betaald: boeking € 140,00, kasboek € 150,00" in first
    assert "2 verschil(len)." in first
    assert second == first  # idempotent: a report, nothing was fixed behind anyone's back
    assert (snapshot(booking), list(PaymentEntry.objects.values_list("pk", "amount_cents"))) == before
    assert "Payments reconciliation: 2 difference(s)" in caplog.text
    (message,) = mail.outbox
    assert message.to == ["beheer@zaalboek.example"]
    assert refund_id in message.body and "niets aangepast" in message.body


def test_reconcile__fail_on_difference__exit_status_1(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    dashboard_refund(stripe_on, booking.payment_intent_id)
    with pytest.raises(CommandError) as info:  # run from the shell: the message on stderr and exit status 1
        call_command("reconcile_payments", "--no-mail", "--fail-on-difference")
    assert info.value.returncode == 1
    assert "1 verschil(len)" in str(info.value)


def test_reconcile__refund_in_ledger_that_stripe_does_not_have__reported(approved, stripe_on, api):
    booking = paid_and_delivered(stripe_on, approved, api)
    payment_services.ledger_entry(booking=booking, kind="refund", method="stripe", amount_cents=5000,
                                  stripe_id="re_made_up", reason="planted")
    Booking.objects.filter(pk=booking.pk).update(refunded_cents=5000)
    report = payment_services.reconcile(since=local_dt(2027, 2, 1))
    assert [d.code for d in report.differences] == ["refund_not_at_stripe"]


def test_reconcile__without_stripe__compares_the_ledger_with_the_bookings(march, room):
    booking = BookingFactory.confirmed(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    assert "0 verschil(len)" in reconcile("--no-mail")
    Booking.objects.filter(pk=booking.pk).update(refunded_cents=100)
    out = reconcile("--no-mail")
    assert "zonder Stripe" in out
    assert f"boeking #{booking.pk}: terugbetaald: boeking € 1,00, kasboek € 0,00" in out


def test_reconcile__an_intent_stripe_does_not_know__reported_and_the_rest_still_compared(approved, stripe_on, api,
                                                                                        march, room):
    paid = paid_and_delivered(stripe_on, approved, api)
    other = BookingFactory.approved(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    Booking.objects.filter(pk=other.pk).update(payment_intent_id="pi_from_other_keys")  # e.g. live vs test keys
    dashboard_refund(stripe_on, paid.payment_intent_id, amount=1000)
    report = payment_services.reconcile(since=local_dt(2027, 2, 1))
    assert sorted((d.booking_id, d.code) for d in report.differences) == sorted([
        (paid.pk, "refund_not_in_ledger"), (other.pk, "stripe_refused")])
