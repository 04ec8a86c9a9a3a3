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
