"""`python manage.py worker`: run the queued jobs (mail, reminders, scheduled jobs) — django-tasks-db's `db_worker`
with what Zaalboek adds: at start, jobs that lost their worker are tried again (boeking/jobs/queue.py), and with
`--with-scheduler` the schedule runs in the same process (for `make run`; production runs `manage.py scheduler`).

Options are db_worker's (`--interval`, `--batch`, `--max-tasks`, `--worker-id`, `--reload`…). Give each worker a
stable `--worker-id` (docker-compose uses the container's host name): jobs this id was running when it stopped are
tried again at once when it starts; those of other workers after ZAALBOEK_JOB_STALE_SECONDS. Ctrl-C (SIGINT) or
SIGTERM: the job at hand finishes, then the worker stops; a second signal stops it at once.
"""

from __future__ import annotations

import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from boeking.jobs.queue import requeue_stale

logger = logging.getLogger("zaalboek.jobs")


class Command(DbWorkerCommand):
    help = "Voert taken uit de wachtrij uit (e-mail, herinneringen, geplande taken); met --with-scheduler ook het schema."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--with-scheduler", action="store_true",
                            help="Run the schedule (settings.ZAALBOEK_SCHEDULE) in this process too (make run).")

    def handle(self, *args, with_scheduler: bool = False, **options):
        reloading_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloading_parent:  # the process that runs jobs (with --reload: the reloader's child)
            self.configure_logging(options["verbosity"])
            self._recover(options["worker_id"])
            if with_scheduler:
                self._start_scheduler()
        super().handle(*args, **options)

    @staticmethod
    def _recover(worker_id: str) -> None:
        count = requeue_stale(worker_id=worker_id)
        if count:
            logger.warning("worker %s: %d job(s) that lost their worker are ready again", worker_id, count)

    @staticmethod
    def _start_scheduler() -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        from boeking.jobs.schedule import build_scheduler

        scheduler = build_scheduler(BackgroundScheduler)
        scheduler.start()
        logger.info("schedule running in this worker: %s",
                    ", ".join(f"{job.id} ({job.trigger})" for job in scheduler.get_jobs()))
