"""What Zaalboek adds to the database queue (django-tasks-db): retries with backoff, jobs that lost their worker,
re-running a job that failed for good.

- **Retry**: a job that raised is tried again, `ZAALBOEK_JOB_MAX_ATTEMPTS` times in all (6), the n-th retry after
  `ZAALBOEK_JOB_RETRY_SECONDS` × 4^(n-1) seconds (1, 4, 16, 64, 256 minutes by default; ±20 % so retries of many jobs
  do not arrive together; at most 6 hours). It is the same row set back to "ready" with a later `run_after`; its last
  error stays on it until it succeeds. Scheduled jobs are not retried (`NO_RETRY`): their next run comes anyway.
- **Dead letters**: after the last attempt the job stays "failed", with its error, in the admin ("Taken"), where it
  can be re-run (`rerun`).
- **Lost workers**: a job still "running" `ZAALBOEK_JOB_STALE_SECONDS` (600) after it started lost its worker (killed,
  out of memory, machine gone): `requeue_stale` counts that as a failed attempt. Each worker runs it when it starts,
  and the schedule every 5 minutes. Mail is idempotent (boeking.notifications), so a job run again sends nothing
  twice.

Attempts are the worker ids a job collected (`DBTaskResult.worker_ids`): one per claim.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time

from django.conf import settings
from django.dispatch import receiver
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger("zaalboek.jobs")

MAX_DELAY = dt.timedelta(hours=6)
# Scheduled jobs run again at their next slot; retrying them would only run them twice.
NO_RETRY = {"boeking.jobs.tasks.run_scheduled"}


class WorkerLost(Exception):
    """The worker running a job stopped before it finished (the job is then tried again)."""


def wall_now() -> dt.datetime:
    """The real time, for the queue's own timing (run_after, staleness): the worker compares them with the real clock,
    never with boeking.clock (which tests move to another year)."""
    return dt.datetime.fromtimestamp(time.time(), tz=dt.UTC)


def max_attempts(task_path: str) -> int:
    return 1 if task_path in NO_RETRY else max(1, int(settings.ZAALBOEK_JOB_MAX_ATTEMPTS))


def backoff(attempt: int) -> dt.timedelta:
    """How long to wait before the retry after failed attempt number `attempt` (1 = the first try)."""
    seconds = float(settings.ZAALBOEK_JOB_RETRY_SECONDS) * 4 ** max(attempt - 1, 0)
    seconds *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
    return min(dt.timedelta(seconds=seconds), MAX_DELAY)


def attempts(job: DBTaskResult) -> int:
    return len(job.worker_ids or [])


@receiver(task_finished)
def retry_failed(sender, task_result, **kwargs) -> None:
    """After a job failed: set it back to "ready" for a later attempt, or leave it failed after its last one. Never
    raises (the worker sends this signal outside its own error handling)."""
    try:
        _retry(task_result)
    except Exception:
        logger.exception("could not schedule a retry for job %s", getattr(task_result, "id", "?"))


def _retry(task_result) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    error = task_result.errors[-1].exception_class_path if task_result.errors else "?"
    job = getattr(task_result, "db_result", None)
    if job is None:  # a backend without a stored queue (the ImmediateBackend of the tests): nothing to retry
        logger.error("task %s failed (%s); backend %s does not retry", task_result.task.name, error,
                     task_result.backend)
        return
    tried, limit = attempts(job), max_attempts(job.task_path)
    if tried < limit:
        delay = backoff(tried)
        DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=wall_now() + delay, finished_at=None)
        logger.warning("job %s (%s) failed on attempt %d of %d (%s); next attempt in %.0f s", job.pk, job.task_name,
                       tried, limit, error, delay.total_seconds())
    else:
        logger.error("job %s (%s) failed on its last attempt (%d of %d: %s); it stays in the admin to be re-run",
                     job.pk, job.task_name, tried, limit, error)


def requeue_stale(*, older_than: float | None = None, worker_id: str | None = None) -> int:
    """Jobs "running" longer than `older_than` seconds (ZAALBOEK_JOB_STALE_SECONDS), and any job still held by
    `worker_id` (a worker that starts again: it runs one job at a time, so what its id holds was cut off), lost their
    worker: each is ready again (that attempt counted as failed), or failed for good after its last attempt.
    Returns how many."""
    seconds = settings.ZAALBOEK_JOB_STALE_SECONDS if older_than is None else older_than
    cutoff = wall_now() - dt.timedelta(seconds=seconds)
    count = 0
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        holder = (job.worker_ids or ["?"])[-1]
        if not (job.started_at is None or job.started_at <= cutoff or (worker_id and holder == worker_id)):
            continue
        tried, limit = attempts(job), max_attempts(job.task_path)
        changes = {"exception_class_path": f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                   "traceback": f"{WorkerLost.__qualname__}: the worker {holder} stopped while running this job "
                                f"(attempt {tried} of {limit}, started {job.started_at:%Y-%m-%d %H:%M:%S} UTC)."}
        if tried < limit:
            changes.update(status=TaskResultStatus.READY, run_after=wall_now())
        else:
            changes.update(status=TaskResultStatus.FAILED, finished_at=wall_now())
        # Only if it is still that same attempt: a worker that finishes it meanwhile wins.
        updated = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING,
                                              started_at=job.started_at).update(**changes)
        if updated:
            count += 1
            logger.warning("job %s (%s) lost its worker %s on attempt %d of %d: %s", job.pk, job.task_name, holder,
                           tried, limit, "tried again" if tried < limit else "failed for good")
    return count


def rerun(queryset) -> int:
    """Run failed jobs again, or waiting retries now, each with a fresh set of attempts. Returns how many."""
    return queryset.filter(status__in=[TaskResultStatus.FAILED, TaskResultStatus.READY]).update(
        status=TaskResultStatus.READY, run_after=get_date_max(), finished_at=None, worker_ids=[])
