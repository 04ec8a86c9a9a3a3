"""Scheduled jobs: each run claimed and recorded (last run, outcome) and visible in the admin; a second run at the
same time, or of the same slot, is harmless; a command that does not exist yet is skipped, not failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from boeking.jobs import schedule
from boeking.jobs.models import JobRun, Outcome, ScheduledJob
from boeking.jobs.queue import wall_now
from boeking.models import Booking
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

from .queue import run_queue

pytestmark = pytest.mark.django_db


def test_expire_bookings__runs_and_is_recorded_with_its_outcome(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    booking = BookingFactory.requested(room=RoomFactory(), start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    frozen_now(local_dt(2027, 3, 9, 10))  # past the decision deadline (7 days)

    record = schedule.run("expire_bookings")

    assert Booking.objects.get(pk=booking.pk).status == "expired"
    assert record.outcome == Outcome.OK and record.detail == "1 boeking(en), 0 reeks(en) verlopen"
    row = ScheduledJob.objects.get(name="expire_bookings")
    assert row.last_outcome == Outcome.OK and row.last_finished_at and row.running_since is None


def test_the_same_slot_twice__the_second_is_skipped():
    slot = wall_now().replace(second=0, microsecond=0)
    first = schedule.run("requeue_stale_jobs", slot=slot)
    second = schedule.run("requeue_stale_jobs", slot=slot)
    assert first.outcome == Outcome.OK
    assert second.outcome == Outcome.SKIPPED and second.detail.startswith("already run for")
    assert schedule.run("requeue_stale_jobs", slot=slot + dt.timedelta(minutes=5)).outcome == Outcome.OK


def test_a_run_while_another_is_running__is_skipped(monkeypatch):
    """The second run finds the row claimed (the first is still at work) and leaves it alone."""
    inner = []

    def job():
        inner.append(schedule.run("anonymise_personal_data", slot=wall_now() + dt.timedelta(minutes=1)))
        return "done"

    monkeypatch.setitem(schedule.JOBS, "anonymise_personal_data", job)
    outer = schedule.run("anonymise_personal_data", slot=wall_now())
    assert outer.outcome == Outcome.OK
    assert inner[0].outcome == Outcome.SKIPPED and inner[0].detail.startswith("still running since")


def test_a_run_that_crashed_long_ago__does_not_block_the_next(monkeypatch):
    ScheduledJob.objects.create(name="reminders", running_since=wall_now() - schedule.LEASE - dt.timedelta(minutes=1))
    assert schedule.run("reminders").outcome == Outcome.OK


def test_a_failing_job__recorded_as_failed_with_the_error(monkeypatch):
    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setitem(schedule.JOBS, "prune_jobs", broken)
    with pytest.raises(RuntimeError):
        schedule.run("prune_jobs")
    row = ScheduledJob.objects.get(name="prune_jobs")
    assert row.last_outcome == Outcome.FAILED and row.last_detail == "RuntimeError: database on fire"
    assert row.running_since is None  # released: the next run may go


def test_reconcile_payments__skipped_while_the_command_does_not_exist(monkeypatch):
    import django.core.management as management

    monkeypatch.setattr(management, "get_commands", lambda: {"expire_bookings": "boeking"})
    record = schedule.run("reconcile_payments")
    assert record.outcome == Outcome.SKIPPED and "reconcile_payments is not installed" in record.detail


def test_reconcile_payments__runs_the_command_once_it_exists(monkeypatch):
    import django.core.management as management

    calls = []
    monkeypatch.setattr(management, "get_commands", lambda: {"reconcile_payments": "boeking"})
    monkeypatch.setattr(management, "call_command", lambda name, stdout: (calls.append(name), stdout.write("3 ok")))
    record = schedule.run("reconcile_payments")
    assert calls == ["reconcile_payments"] and record.outcome == Outcome.OK and record.detail == "3 ok"


def test_scheduler_enqueues__the_worker_runs__the_admin_shows_the_last_run(db_queue, admin_client):
    schedule.enqueue("requeue_stale_jobs")
    schedule.enqueue("requeue_stale_jobs")  # a second scheduler at the same minute
    run_queue()
    assert list(JobRun.objects.order_by("pk").values_list("outcome", flat=True)) == [Outcome.OK, Outcome.SKIPPED]

    page = admin_client.get("/admin/jobs/scheduledjob/").content.decode()
    assert "requeue_stale_jobs" in page and "*/5 * * * *" in page and "gelukt" in page
    assert "expire_bookings" in page  # every scheduled job is listed, also before its first run
    detail = admin_client.get("/admin/jobs/scheduledjob/requeue_stale_jobs/change/").content.decode()
    assert "already run for" in detail


def test_scheduler_command__once_and_list():
    call_command("scheduler", "--once", "requeue_stale_jobs")
    assert ScheduledJob.objects.get(name="requeue_stale_jobs").last_outcome == Outcome.OK


def test_schedule_builds_with_every_job():
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = schedule.build_scheduler(BackgroundScheduler)
    assert {job.id for job in scheduler.get_jobs()} == set(schedule.JOBS)


def test_reminders_job__queues_due_reminders(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    BookingFactory.requested(room=room, booker=UserFactory.resident(), start=local_dt(2027, 4, 3, 19),
                             end=local_dt(2027, 4, 3, 23))
    frozen_now(local_dt(2027, 3, 7, 12))  # the decision deadline (8 March 10:00) is within 24 hours
    record = schedule.run("reminders")
    assert record.detail == "payment: 0, event: 0, decision: 1, deposit: 0"
