"""Stripe calls that need not block the user run as jobs: cancelling a PaymentIntent that can no longer be paid is
enqueued with the change that made it stale, and retried while Stripe cannot be reached (issue 15)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from boeking import payments as provider
from boeking import services
from boeking.jobs.queue import wall_now
from boeking.models import BookingStatus
from tests.factories import BookingFactory, UserFactory, local_dt
from tests.jobs.queue import run_queue  # the `db_queue` fixture comes from tests/jobs/conftest.py

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_with_intent(frozen_now, room):
    frozen_now(local_dt(2027, 1, 4, 9))
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.approved(room=room, approver=volunteer, start=local_dt(2027, 3, 6, 19),
                                      end=local_dt(2027, 3, 6, 23))
    booking.payment_mode, booking.payment_intent_id = "stripe", "pi_stale_123"
    booking.save(update_fields=["payment_mode", "payment_intent_id"])
    return booking, volunteer


def test_cancel__the_stale_intent_is_a_job_saved_with_the_cancellation_and_retried_while_stripe_is_down(
        db_queue, approved_with_intent, monkeypatch, settings):
    settings.ZAALBOEK_JOB_RETRY_SECONDS = 60
    booking, volunteer = approved_with_intent
    calls = []

    def unreachable(intent_id):
        calls.append(intent_id)
        raise provider.PaymentProviderUnavailable("Stripe is niet bereikbaar")

    monkeypatch.setattr(provider, "retrieve_payment_intent", unreachable)
    services.booking_cancel(booking=booking, actor=volunteer, reason="Zaal dicht")  # the request does not wait
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and calls == []
    job = DBTaskResult.objects.get(task_path="boeking.jobs.tasks.cancel_payment_intent")
    assert job.args_kwargs["args"] == ["pi_stale_123"]
    run_queue()
    job.refresh_from_db()
    assert calls == ["pi_stale_123"]
    assert job.status == "READY" and job.run_after is not None  # tried again later, with backoff

    cancelled = []
    monkeypatch.setattr(provider, "retrieve_payment_intent", lambda i: {"id": i, "status": "requires_payment_method"})
    monkeypatch.setattr(provider, "cancel_payment_intent", lambda i: cancelled.append(i))
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=wall_now())  # the retry is due
    run_queue()
    job.refresh_from_db()
    assert cancelled == ["pi_stale_123"] and job.status == "SUCCESSFUL"


def test_cancel_of_a_paid_booking__the_refund_is_a_job__retried_while_stripe_is_down__paid_once(
        db_queue, approved_with_intent, monkeypatch, settings, mailoutbox):
    """Issue 15: a cancellation answers at once; the refund it owes is a job saved with it, pending
    (`refund_pending_cents`) until the worker pays it, retried while Stripe is down, and never paid twice."""
    from boeking.models import LedgerKind, PaymentEntry, PaymentMode

    settings.ZAALBOEK_JOB_RETRY_SECONDS = 60
    booking, volunteer = approved_with_intent
    PaymentEntry.objects.create(booking=booking, kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE,
                                amount_cents=booking.total_cents, stripe_id="pi_stale_123", at=booking.decided_at)
    booking.paid_cents, booking.status = booking.total_cents, BookingStatus.CONFIRMED
    booking.save(update_fields=["paid_cents", "status"])
    refunds = []

    def down(**kwargs):
        raise provider.PaymentProviderUnavailable("Stripe is niet bereikbaar")

    monkeypatch.setattr(provider, "list_refunds", lambda intent_id: [])
    monkeypatch.setattr(provider, "charge_of_intent", lambda intent_id: {"amount": booking.total_cents,
                                                                         "amount_refunded": 0, "status": "succeeded"})
    monkeypatch.setattr(provider, "create_refund", down)
    services.booking_cancel(booking=booking, actor=volunteer, reason="Zaal dicht")  # by the board: all back
    booking.refresh_from_db()
    assert (booking.status, booking.refund_pending_cents, booking.refunded_cents) == (
        BookingStatus.CANCELLED, booking.total_cents, 0)
    job = DBTaskResult.objects.get(task_path="boeking.jobs.tasks.refund_cancellation")
    run_queue()
    job.refresh_from_db()
    assert job.status == "READY" and job.run_after is not None  # Stripe down: tried again later
    assert booking.refund_pending_cents == booking.total_cents

    def made(**kwargs):
        refunds.append(kwargs["amount_cents"])
        return {"id": f"re_{len(refunds)}", "status": "succeeded", "amount": kwargs["amount_cents"]}

    monkeypatch.setattr(provider, "create_refund", made)
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=wall_now())
    run_queue()
    job.refresh_from_db()
    booking.refresh_from_db()
    assert job.status == "SUCCESSFUL" and refunds == [booking.total_cents]
    assert (booking.refunded_cents, booking.refund_pending_cents) == (booking.total_cents, 0)
    # Run again (a re-run from the admin): nothing is due, nothing is paid.
    from boeking.services.payments import refund_cancellation

    assert refund_cancellation(booking.pk) == "nothing due" and refunds == [booking.total_cents]
