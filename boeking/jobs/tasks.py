"""Tasks: the scheduled jobs (the scheduler enqueues `run_scheduled`, a worker runs it: boeking/jobs/schedule.py) and
Stripe follow-ups that need not block a request. Mail tasks live with the mails (boeking.notifications.deliver)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from . import schedule


@task()
def run_scheduled(name: str, slot: str) -> dict:
    """Run scheduled job `name` for its time `slot` (ISO 8601), claimed and recorded."""
    record = schedule.run(name, slot=dt.datetime.fromisoformat(slot))
    return {"outcome": record.outcome, "detail": record.detail}


@task()
def cancel_payment_intent(payment_intent_id: str) -> str:
    """Cancel a PaymentIntent that can no longer be paid (the booking was paid otherwise, cancelled or expired, or the
    price changed). Enqueued with the change that made it stale; Stripe unreachable raises, so the job is retried
    with backoff (boeking/jobs/queue.py) instead of failing the request."""
    from boeking.services.payments import cancel_open_intent

    return cancel_open_intent(payment_intent_id, retry_when_unavailable=True)


@task()
def refund_cancellation(booking_id: int) -> str:
    """Pay back what a cancellation owes the booker (`Booking.refund_pending_cents`): through Stripe as far as Stripe
    holds the money, the rest as the house's bank transfer. Enqueued with the cancellation, so cancelling never waits
    for Stripe; Stripe unreachable raises and the job is retried with backoff. Running it twice pays nothing twice
    (the amount is what is still due, and Stripe's idempotency key names booking, intent and amount)."""
    from boeking.services.payments import refund_cancellation as run

    return run(booking_id)
