"""The real worker process against the real database queue, with SMTP first unreachable and then an SMTP sink
(aiosmtpd on loopback): requests never wait for or fail on mail, nothing is lost, each message arrives once — also
when the worker is killed in the middle of a job."""

from __future__ import annotations

import signal
import time

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from boeking.jobs.models import SentMail
from boeking.models import Booking
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt

from .conftest import run_worker, start_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker is another process: it sees committed rows only


@pytest.fixture
def smtp_in_requests_unreachable(settings, smtp_port):
    """Should anything in a request still send mail itself, it would meet the dead SMTP port and fail."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": smtp_port, "use_tls": False,
                                                "timeout": 2}}}


def _book_and_cancel(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    resident = UserFactory.resident()
    volunteer = UserFactory.volunteer(room.house)
    client = APIClient()
    client.force_authenticate(resident)
    created = client.post("/api/v1/bookings/", {"room": room.pk, "kind": "party", "start": "2027-04-03T19:00:00+02:00",
                                                "end": "2027-04-03T23:00:00+02:00", "guests": 30}, format="json")
    assert created.status_code == 201, created.content
    cancelled = client.post(f"/api/v1/bookings/{created.json()['id']}/cancel/", {"reason": "Toch niet"}, format="json")
    assert cancelled.status_code == 200, cancelled.content
    assert Booking.objects.get().status == "cancelled"
    return room, resident, volunteer


def _expected(room, resident, volunteer) -> list[tuple[str, str]]:
    when = f"{room}, za 03-04-2027 19:00"
    return sorted([(resident.email, f"Aanvraag ontvangen: {when}"), (volunteer.email, f"Nieuwe aanvraag: {when}"),
                   (resident.email, f"Geannuleerd: {when}"), (volunteer.email, f"Geannuleerd: {when}")])


def test_smtp_unreachable__create_and_cancel_answer_201_and_200__then_the_worker_delivers_each_mail_once(
        db_queue, smtp_in_requests_unreachable, frozen_now, smtp_port, sink_factory):
    room, resident, volunteer = _book_and_cancel(frozen_now)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2  # requested, cancelled

    # The worker runs while SMTP is down: every job fails, and waits for its retry; nothing is lost.
    output = run_worker(smtp_port)
    assert "failed on attempt 1 of 6" in output, output[-3000:]
    jobs = DBTaskResult.objects.all()
    assert [j.status for j in jobs] == [TaskResultStatus.READY] * 2
    assert all("ConnectionRefusedError" in j.exception_class_path for j in jobs)
    assert not SentMail.objects.exists()

    # The mail server is back; once the retries are due the worker delivers every message, once.
    sink = sink_factory()
    time.sleep(1.5)  # ZAALBOEK_JOB_RETRY_SECONDS=1 (±20 %) for this worker
    run_worker(smtp_port)
    assert [j.status for j in DBTaskResult.objects.all()] == [TaskResultStatus.SUCCESSFUL] * 2
    assert sink.sent() == _expected(room, resident, volunteer)
    cancelled = next(m for m in sink.messages if m.to == [resident.email] and m.subject.startswith("Geannuleerd"))
    assert "Uw boeking is geannuleerd." in cancelled.body and "Reden: Toch niet" in cancelled.body

    run_worker(smtp_port)  # nothing left to do, nothing sent again
    assert len(sink.messages) == 4 and SentMail.objects.count() == 4


def test_worker_killed_in_the_middle_of_a_job__started_again__each_mail_once(
        db_queue, frozen_now, smtp_port, sink_factory):
    room, resident, volunteer = _book_and_cancel(frozen_now)
    sink = sink_factory(hang=True)  # holds the first message in the middle of its SMTP conversation

    worker = start_worker(smtp_port, "--worker-id", "worker-one")
    try:
        assert sink.hanging.wait(60), "the worker never reached the mail server"
        worker.send_signal(signal.SIGKILL)  # no chance to finish or record anything
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    running = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
    assert running.worker_ids == ["worker-one"]
    sink.release.set()  # that message was never accepted (its sender is gone): the server refuses it
    sink.hang = False

    # The same worker starts again: what its id still held was cut off, and is run again (a second attempt).
    output = run_worker(smtp_port, "--worker-id", "worker-one")
    assert "lost its worker worker-one" in output, output[-3000:]
    assert [j.status for j in DBTaskResult.objects.all()] == [TaskResultStatus.SUCCESSFUL] * 2
    running.refresh_from_db()
    assert running.worker_ids == ["worker-one", "worker-one"]
    assert sink.sent() == _expected(room, resident, volunteer)
