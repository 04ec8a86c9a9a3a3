"""The database queue in tests: `db_queue` puts jobs in the database (as in production) instead of running them at
once (the test settings' ImmediateBackend); `run_queue()` runs the jobs that are ready, in-process, with
django-tasks-db's own worker loop. Import them where a test needs the queue: `from tests.jobs.queue import db_queue`."""

from __future__ import annotations

import pytest
from django.tasks import task_backends

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _reset_backends():
    """django.tasks caches its backends (and the TASKS setting) on first use; a changed setting needs a reset."""
    from asgiref.local import Local

    task_backends._settings = None
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def db_queue(settings):
    """Jobs go to the database queue (as in production) instead of running at once."""
    settings.TASKS = DB_QUEUE
    _reset_backends()
    yield
    _reset_backends()


def run_queue(max_rounds: int = 50) -> int:
    """Run every job that is ready now, in this process, with django-tasks-db's own worker loop (retries included:
    they become ready later, so they are not run here). Returns the jobs run."""
    from unittest import mock

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=max_rounds, worker_id="in-process", excluded_queue_names=[])
    # The loop closes "old" connections between jobs, which would close the test's own transaction.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    return worker._run_tasks
