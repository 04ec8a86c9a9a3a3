"""The scheduled jobs, when they run, and how a run is claimed and recorded.

The scheduler (`manage.py scheduler`, or `manage.py worker --with-scheduler`; APScheduler's cron triggers in
Europe/Amsterdam) only *enqueues* `run_scheduled(name, slot)` at each time of `settings.ZAALBOEK_SCHEDULE`; a worker
runs it. A run first claims its `ScheduledJob` row in one UPDATE — free (not running, or its claim older than
`LEASE`) and not yet run for this slot — so two schedulers, a double enqueue or a run from the admin at the same time
are harmless: the second is recorded as skipped. Each run is a `JobRun` (start, end, outcome, details); the row keeps
the last one, both in the admin ("Geplande taken").
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection
from django.db.models import Q

from .models import JobRun, Outcome, ScheduledJob
from .queue import wall_now

logger = logging.getLogger("zaalboek.jobs")

LEASE = dt.timedelta(hours=2)  # a run claimed longer ago lost its worker; the next one may go


class Skip(Exception):
    """A scheduled job had nothing it could do (say why)."""


def _expire_bookings() -> str:
    from boeking.services import expire_overdue
    from boeking.services.series import series_expire_overdue

    bookings = expire_overdue()
    series = series_expire_overdue()  # after the bookings: a request whose dates all expired expires too
    return f"{len(bookings)} boeking(en), {len(series)} reeks(en) verlopen"


def _reminders() -> str:
    from .reminders import queue_due

    counts = queue_due()
    return ", ".join(f"{kind}: {count}" for kind, count in counts.items())


def _anonymise() -> str:
    from boeking.services.privacy import anonymise_personal_data

    report = anonymise_personal_data()
    return f"{report.bookings} boeking(en), {report.series} reeks(en) geanonimiseerd"


def _reconcile_payments() -> str:
    """`manage.py reconcile_payments`, once it exists (it is being written): until then the run is skipped."""
    from django.core.management import call_command, get_commands

    if "reconcile_payments" not in get_commands():
        raise Skip("the command reconcile_payments is not installed")
    out = io.StringIO()
    call_command("reconcile_payments", stdout=out)
    return out.getvalue().strip()[-2000:]


def _requeue_stale() -> str:
    from .queue import requeue_stale

    return f"{requeue_stale()} job(s) that lost their worker tried again"


def _prune() -> str:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from boeking.clock import local
    from boeking.models import RoomDay

    from .models import SentMail

    at = wall_now()
    jobs, _ = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL,
                                          finished_at__lt=at - dt.timedelta(days=30)).delete()
    runs, _ = JobRun.objects.filter(started_at__lt=at - dt.timedelta(days=90)).delete()
    sent, _ = SentMail.objects.filter(sent_at__lt=at - dt.timedelta(days=400)).delete()
    days, _ = RoomDay.objects.filter(day__lt=local(at).date()).delete()
    return (f"removed {jobs} finished job(s) > 30 days, {runs} run(s) > 90 days, {sent} sent-mail key(s) > 400 days, "
            f"{days} search verdict(s) of past days")


SEARCH_DAYS_AHEAD = 14  # the days the nightly job prepares for the search: the next two weeks


def _prepare_search() -> str:
    """The search's verdicts of every active room for the next `SEARCH_DAYS_AHEAD` days, computed at night
    (`boeking.search.refresh_days`: only what is missing or behind), so that no resident waits for a day's first
    search (about a second per day at 6,000 rooms)."""
    from boeking import search
    from boeking.clock import local
    from boeking.models import Room

    first = local(wall_now()).date() + dt.timedelta(days=1)
    rooms = Room.objects.filter(active=True, house__active=True)
    judged = sum(search.refresh_days(rooms, first + dt.timedelta(days=n)) for n in range(SEARCH_DAYS_AHEAD))
    return f"judged {judged} room-day(s) over {first:%d-%m-%Y} and the {SEARCH_DAYS_AHEAD - 1} days after"


JOBS: dict[str, Callable[[], str]] = {
    "expire_bookings": _expire_bookings,
    "reminders": _reminders,
    "reconcile_payments": _reconcile_payments,
    "requeue_stale_jobs": _requeue_stale,
    "anonymise_personal_data": _anonymise,
    "prune_jobs": _prune,
    "prepare_search": _prepare_search,
}


def _claim(name: str, slot: dt.datetime, token: str, at: dt.datetime) -> str | None:
    """Claim the job's row for this run; None when claimed, else why not."""
    try:
        ScheduledJob.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by a run at the same time
    free = Q(running_since__isnull=True) | Q(running_since__lt=at - LEASE)
    new_slot = Q(last_slot__isnull=True) | Q(last_slot__lt=slot)
    claimed = ScheduledJob.objects.filter(free & new_slot, name=name).update(
        running_since=at, running_token=token, last_slot=slot, last_started_at=at, last_outcome=Outcome.RUNNING,
        last_detail="")
    if claimed:
        return None
    row = ScheduledJob.objects.get(name=name)
    if row.last_slot is not None and row.last_slot >= slot:
        return f"already run for {slot:%Y-%m-%d %H:%M} UTC (last: {row.last_slot:%Y-%m-%d %H:%M} UTC)"
    return f"still running since {row.running_since:%Y-%m-%d %H:%M:%S} UTC"


def run(name: str, *, slot: dt.datetime | None = None) -> JobRun:
    """Run scheduled job `name` for `slot` (its time by the schedule; now when run by hand), claimed and recorded.
    A job that raises is recorded as failed, and the error raised again (the task then shows it too)."""
    if name not in JOBS:
        raise ValueError(f"unknown scheduled job {name!r}")
    at = wall_now()
    slot = slot or at
    token = secrets.token_hex(8)
    refusal = _claim(name, slot, token, at)
    if refusal:
        logger.info("scheduled job %s skipped: %s", name, refusal)
        return JobRun.objects.create(job_id=name, slot=slot, started_at=at, finished_at=at, outcome=Outcome.SKIPPED,
                                     detail=refusal)
    record = JobRun.objects.create(job_id=name, slot=slot, started_at=at, outcome=Outcome.RUNNING)
    error = None
    try:
        outcome, detail = Outcome.OK, JOBS[name]()
    except Skip as exc:
        outcome, detail = Outcome.SKIPPED, str(exc)
    except Exception as exc:
        logger.exception("scheduled job %s failed", name)
        outcome, detail, error = Outcome.FAILED, f"{type(exc).__name__}: {exc}", exc
    finished = wall_now()
    record.finished_at, record.outcome, record.detail = finished, outcome, detail
    record.save(update_fields=["finished_at", "outcome", "detail"])
    ScheduledJob.objects.filter(name=name, running_token=token).update(
        running_since=None, running_token="", last_finished_at=finished, last_outcome=outcome, last_detail=detail)
    logger.info("scheduled job %s: %s (%s) in %.1f s", name, outcome, detail, (finished - at).total_seconds())
    if error is not None:
        raise error
    return record


def enqueue(name: str, slot: dt.datetime | None = None) -> None:
    """Put one run of `name` on the queue (what the scheduler does at each time, and the admin's "Nu uitvoeren")."""
    from .tasks import run_scheduled

    slot = slot or wall_now().replace(second=0, microsecond=0)
    run_scheduled.enqueue(name, slot.isoformat())
    logger.info("scheduled job %s queued for %s", name, slot.isoformat())


def _enqueue_on_time(name: str) -> None:
    """The scheduler's job: enqueue, in one of APScheduler's threads, which come and go; their database connections
    must neither go stale nor pile up."""
    close_old_connections()
    try:
        enqueue(name)
    finally:
        connection.close()


def build_scheduler(scheduler_class):
    """An APScheduler scheduler with one cron job per entry of settings.ZAALBOEK_SCHEDULE."""
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    zone = ZoneInfo(settings.TIME_ZONE)
    scheduler = scheduler_class(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1,
                                                             "misfire_grace_time": 300})
    for name, cron in settings.ZAALBOEK_SCHEDULE.items():
        if name not in JOBS:
            raise ValueError(f"ZAALBOEK_SCHEDULE names an unknown job {name!r}; known: {', '.join(JOBS)}")
        scheduler.add_job(_enqueue_on_time, CronTrigger.from_crontab(cron, timezone=zone), args=[name], id=name, name=name)
    return scheduler
