"""The database queue in-process: a mail job is saved with its change (or not at all), is retried with backoff when
SMTP fails, never sends a message twice, fails for good visibly and can be re-run from the admin."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from boeking import services
from boeking.jobs import queue
from boeking.jobs.models import SentMail
from boeking.models import Booking
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

from .queue import run_queue

pytestmark = pytest.mark.django_db

SAT = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))


@pytest.fixture
def setup(frozen_now, db_queue):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    resident = UserFactory.resident()
    volunteer = UserFactory.volunteer(room.house)
    return room, resident, volunteer


@pytest.fixture
def smtp_down(monkeypatch):
    """The mail server refuses connections until `.up()`; counts the attempts."""

    class Down:
        attempts = 0
        down = True

        def up(self):
            self.down = False

    state = Down()
    real = EmailBackend.send_messages

    def send_messages(self, messages):
        if state.down:
            state.attempts += 1
            raise smtplib.SMTPConnectError(421, "mail server unreachable")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def jobs(**filters):
    return DBTaskResult.objects.filter(task_path="boeking.notifications.deliver", **filters)


def test_booking_request__the_mail_job_is_saved_with_the_booking__nothing_is_sent_in_the_request(setup):
    room, resident, volunteer = setup
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])

    (job,) = jobs()
    assert job.status == TaskResultStatus.READY and job.args_kwargs["args"] == ["booking_requested", booking.pk]
    assert mail.outbox == []
    assert run_queue() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, volunteer.email])
    assert jobs().get().status == TaskResultStatus.SUCCESSFUL
    assert jobs().get().return_value == {"sent": 2, "already_sent": 0, "skipped": []}


def test_a_change_rolled_back__leaves_no_job(setup):
    room, resident, _ = setup
    with pytest.raises(RuntimeError), transaction.atomic():
        BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
        raise RuntimeError("something after the booking failed")
    assert not Booking.objects.exists()
    assert not jobs().exists()


def test_smtp_down__retried_with_backoff__then_failed_for_good__then_rerun_from_the_admin_sends_once(
        setup, smtp_down, settings, admin_client):
    settings.ZAALBOEK_JOB_MAX_ATTEMPTS = 3
    settings.ZAALBOEK_JOB_RETRY_SECONDS = 60
    room, resident, volunteer = setup
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])

    before = queue.wall_now()
    run_queue()
    job = jobs().get()
    assert job.status == TaskResultStatus.READY  # waiting for its retry, with the error kept
    assert job.exception_class_path == "smtplib.SMTPConnectError" and "unreachable" in job.traceback
    assert dt.timedelta(seconds=47) <= job.run_after - before <= dt.timedelta(seconds=73)  # 60 s ± 20 %
    assert run_queue() == 0  # not before its time

    for attempt in (2, 3):  # the retries come due
        jobs().update(run_after=queue.wall_now())
        run_queue()
        assert queue.attempts(jobs().get()) == attempt
    job = jobs().get()
    assert job.status == TaskResultStatus.FAILED  # after the last attempt: failed for good, error shown
    assert mail.outbox == [] and not SentMail.objects.exists()

    listing = admin_client.get("/admin/jobs/job/?toestand=dead")
    assert listing.status_code == 200
    assert "deliver(booking_requested" in listing.content.decode() and "mail server unreachable" in listing.content.decode()

    smtp_down.up()
    response = admin_client.post("/admin/jobs/job/", {"action": "rerun", "_selected_action": [str(job.pk)]})
    assert response.status_code == 302
    assert jobs().get().status == TaskResultStatus.READY and queue.attempts(jobs().get()) == 0
    run_queue()
    assert jobs().get().status == TaskResultStatus.SUCCESSFUL
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, volunteer.email])
    run_queue()
    assert len(mail.outbox) == 2


def test_a_retry__never_sends_a_message_twice(setup, monkeypatch):
    """The booker's message went out, the board's failed: the retry sends only the board's."""
    room, resident, volunteer = setup
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    real = EmailBackend.send_messages
    failures = []

    def board_fails_once(self, messages):
        if messages[0].to == [volunteer.email] and not failures:
            failures.append(1)
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", board_fails_once)
    run_queue()
    assert [m.to for m in mail.outbox] == [[resident.email]]
    jobs().update(run_after=queue.wall_now())
    run_queue()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident.email, volunteer.email])
    assert jobs().get().return_value == {"sent": 1, "already_sent": 1, "skipped": []}


def test_approved_then_paid_before_the_worker_ran__the_booker_gets_one_confirmation(setup):
    room, resident, volunteer = setup
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    services.booking_approve(booking=booking, actor=volunteer)
    services.booking_mark_paid(booking=Booking.objects.get(pk=booking.pk), actor=volunteer)

    run_queue()
    subjects = [m.subject.split(":")[0] for m in mail.outbox if m.to == [resident.email]]
    assert sorted(subjects) == ["Aanvraag ontvangen", "Bevestigd"]  # no "Goedgekeurd", one "Bevestigd"


def test_approved_and_paid_in_one_transaction__one_confirmation_no_approval(setup):
    room, resident, volunteer = setup
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    run_queue()
    mail.outbox.clear()
    with transaction.atomic():
        services.booking_approve(booking=booking, actor=volunteer)
        services.booking_mark_paid(booking=booking, actor=volunteer)
    run_queue()
    assert [m.subject.split(":")[0] for m in mail.outbox if m.to == [resident.email]] == ["Bevestigd"]


def test_a_job_that_lost_its_worker__is_ready_again_and_counts_the_attempt(setup, settings):
    room, resident, _ = setup
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    job = jobs().get()
    job.claim("worker-a")  # a worker took it and died
    assert queue.requeue_stale() == 0  # not yet stale (ZAALBOEK_JOB_STALE_SECONDS)
    assert queue.requeue_stale(worker_id="worker-b") == 0  # another worker's job: not its to take back
    assert queue.requeue_stale(worker_id="worker-a") == 1  # worker-a started again: what it held was cut off
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY and job.exception_class_path.endswith("WorkerLost")
    run_queue()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL and queue.attempts(job) == 2
    assert len(mail.outbox) == 2


def test_a_job_that_lost_its_worker_on_its_last_attempt__fails_for_good(setup, settings):
    settings.ZAALBOEK_JOB_MAX_ATTEMPTS = 1
    room, resident, _ = setup
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    job = jobs().get()
    job.claim("worker-a")
    assert queue.requeue_stale(older_than=0) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED and "stopped while running this job" in job.traceback


def test_tasks_backend_is_a_setting__the_immediate_backend_sends_at_once(frozen_now):
    """Swappable like any Django setting: the test settings run tasks at once, in-process."""
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    resident = UserFactory.resident()
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    assert resident.email in {m.to[0] for m in mail.outbox}
    assert not DBTaskResult.objects.exists()
