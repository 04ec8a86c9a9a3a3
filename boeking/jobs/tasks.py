"""The scheduled jobs as a task: the scheduler enqueues `run_scheduled`, a worker runs it (boeking/jobs/schedule.py).
Mail tasks live with the mails (boeking.notifications.deliver)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from . import schedule


@task()
def run_scheduled(name: str, slot: str) -> dict:
    """Run scheduled job `name` for its time `slot` (ISO 8601), claimed and recorded."""
    record = schedule.run(name, slot=dt.datetime.fromisoformat(slot))
    return {"outcome": record.outcome, "detail": record.detail}
