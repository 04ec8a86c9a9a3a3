"""`python manage.py scheduler`: enqueue each scheduled job at its time (settings.ZAALBOEK_SCHEDULE, cron syntax,
Europe/Amsterdam) — APScheduler's cron triggers; the workers run the jobs. One per installation is enough; a second is
harmless (each run claims its job's row first: boeking/jobs/schedule.py). `--once NAME` runs one job now, here."""

from __future__ import annotations

import logging
import signal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from boeking.jobs import schedule

logger = logging.getLogger("zaalboek.jobs")


class Command(BaseCommand):
    help = "Zet geplande taken op hun tijd in de wachtrij (verlopen, herinneringen, anonimiseren, betalingen)."

    def add_arguments(self, parser):
        parser.add_argument("--once", metavar="NAME", choices=sorted(schedule.JOBS),
                            help="Run this scheduled job once, now, in this process (recorded like any run).")
        parser.add_argument("--list", action="store_true", help="Print the schedule and the next times, then stop.")

    def handle(self, *args, once=None, list=False, **options):
        if once:
            try:
                record = schedule.run(once)
            except Exception as exc:
                raise CommandError(f"{once} failed: {exc}") from exc
            self.stdout.write(f"{once}: {record.outcome} – {record.detail}")
            return
        from apscheduler.schedulers.blocking import BlockingScheduler

        if list:
            from apscheduler.triggers.cron import CronTrigger

            from boeking.jobs.queue import wall_now

            zone = ZoneInfo(settings.TIME_ZONE)
            for name, cron in settings.ZAALBOEK_SCHEDULE.items():
                trigger = CronTrigger.from_crontab(cron, timezone=zone)
                upcoming = trigger.get_next_fire_time(None, wall_now().astimezone(zone))
                self.stdout.write(f"{name:<26} {cron:<14} next: {upcoming:%Y-%m-%d %H:%M %Z}")
            return
        scheduler = schedule.build_scheduler(BlockingScheduler)

        def stop(signum, frame):
            logger.info("scheduler stopping (%s)", signal.strsignal(signum))
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("scheduler started: %s", ", ".join(f"{n} ({c})" for n, c in settings.ZAALBOEK_SCHEDULE.items()))
        scheduler.start()
