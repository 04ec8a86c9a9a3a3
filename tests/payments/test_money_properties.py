"""Refund arithmetic as properties (Hypothesis, issue 16): whatever mix of Stripe and offline payments, refunds made in
the Stripe dashboard and refunds asked of Zaalboek, no more is ever refunded than was paid, Stripe is never asked
for more than it still holds, and the booking's fields stay equal to its ledger.

Stripe is an in-memory stand-in here (hundreds of runs); `test_reconcile.py` plays the same against localstripe."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boeking import payments as provider
from boeking.models import Booking, PaymentEntry
from boeking.services import payments as payment_services
from tests.factories import BookingFactory, local_dt

SAT_EVENING = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))


class FakeStripe:
    """Charges and refunds per PaymentIntent, with Stripe's rules: a refund never exceeds what is left of the
    charge; an idempotency key returns the refund it made first."""

    def __init__(self, charges: dict[str, int]):
        self.charges = charges
        self.refunds: dict[str, list[dict]] = {intent: [] for intent in charges}
        self.keys: dict[str, dict] = {}
        self.ids = itertools.count(1)

    def refunded(self, intent: str) -> int:
        return sum(r["amount"] for r in self.refunds[intent])

    def left(self, intent: str) -> int:
        return self.charges[intent] - self.refunded(intent)

    def charge_of_intent(self, intent: str) -> dict:
        return {"id": f"ch_{intent}", "amount": self.charges[intent], "amount_refunded": self.refunded(intent),
                "status": "succeeded", "currency": "eur"}

    def list_refunds(self, intent: str) -> list[dict]:
        return [dict(r) for r in self.refunds[intent]]

    def create_refund(self, *, payment_intent_id: str, amount_cents: int, idempotency_key: str = "",
                      metadata: dict | None = None) -> dict:
        if idempotency_key and idempotency_key in self.keys:
            return self.keys[idempotency_key]
        if not 0 < amount_cents <= self.left(payment_intent_id):
            raise provider.PaymentProviderError(detail="Stripe would refuse this refund")
        refund = {"id": f"re_{next(self.ids)}", "amount": amount_cents, "status": "succeeded",
                  "metadata": metadata or {}}
        self.refunds[payment_intent_id].append(refund)
        if idempotency_key:
            self.keys[idempotency_key] = refund
        return refund


steps = st.lists(st.tuples(st.sampled_from(["dashboard", "refund", "deposit_refund"]), st.integers(1, 40_000),
                           st.integers(0, 1)), max_size=6)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stripe_paid=st.lists(st.integers(0, 20_000), min_size=1, max_size=2), offline_paid=st.integers(0, 20_000),
       steps=steps)
def test_property__refunds_never_exceed_what_was_paid(room, frozen_now, monkeypatch, stripe_paid, offline_paid, steps):
    frozen_now(local_dt(2027, 3, 1, 10))
    with transaction.atomic():
        booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
        intents = {f"pi_prop_{i}": amount for i, amount in enumerate(stripe_paid) if amount}
        fake = FakeStripe(intents)
        for name in ("charge_of_intent", "list_refunds", "create_refund"):
            monkeypatch.setattr(provider, name, getattr(fake, name))
        for intent, amount in intents.items():
            payment_services.ledger_entry(booking=booking, kind="charge", method="stripe", amount_cents=amount,
                                          stripe_id=intent)
        if offline_paid:
            payment_services.ledger_entry(booking=booking, kind="charge", method="offline", amount_cents=offline_paid)
        paid = sum(intents.values()) + offline_paid
        Booking.objects.filter(pk=booking.pk).update(paid_cents=paid, payment_intent_id=next(iter(intents), ""))

        for number, (what, amount, which) in enumerate(steps):
            if what == "dashboard":  # someone refunds in the Stripe dashboard; Zaalboek hears nothing yet
                open_intents = [i for i in intents if fake.left(i)]
                if open_intents:
                    intent = open_intents[which % len(open_intents)]
                    fake.refunds[intent].append({"id": f"re_dash_{number}", "amount": min(amount, fake.left(intent)),
                                                 "status": "succeeded", "metadata": {}})
                continue
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            before = locked.refunded_cents
            dashboard_unknown = sum(r["amount"] for i in intents for r in fake.refunds[i]) - sum(
                PaymentEntry.objects.filter(booking=locked, method="stripe", kind__in=["refund", "deposit_refund"])
                .values_list("amount_cents", flat=True))
            new = payment_services.refund(booking=locked, amount_cents=amount, kind=what, reason="property",
                                          actor=None, purpose=f"step-{number}")
            locked.save()
            # What Zaalboek paid back now, beyond the dashboard refunds it found, is at most what was asked for.
            assert sum(e.amount_cents for e in new) <= max(amount - dashboard_unknown, 0)
            assert locked.refunded_cents - before == sum(e.amount_cents for e in new) + dashboard_unknown

            sums = payment_services.LedgerSums.of(locked)
            assert (sums.paid_cents, sums.refunded_cents) == (locked.paid_cents, locked.refunded_cents) == (
                paid, locked.refunded_cents)
            assert locked.refunded_cents <= paid
            assert all(0 <= fake.refunded(i) <= intents[i] for i in intents)
            # After a refund, the ledger knows every refund Stripe made.
            assert sum(fake.refunded(i) for i in intents) == sum(PaymentEntry.objects.filter(
                booking=locked, method="stripe", kind__in=["refund", "deposit_refund"]).values_list(
                "amount_cents", flat=True))

        money_back = sum(PaymentEntry.objects.filter(booking=booking, kind__in=["refund", "deposit_refund"])
                         .values_list("amount_cents", flat=True))
        unknown_dashboard = sum(fake.refunded(i) for i in intents) - sum(PaymentEntry.objects.filter(
            booking=booking, method="stripe", kind__in=["refund", "deposit_refund"]).values_list(
            "amount_cents", flat=True))
        assert money_back + unknown_dashboard <= paid
        transaction.set_rollback(True)
