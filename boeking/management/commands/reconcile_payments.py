"""`python manage.py reconcile_payments`: compare the payments ledger with the bookings and with Stripe, and report.

Run it daily (after the night's webhooks, e.g. 06:15). It changes nothing: every difference is printed, logged as a
warning (`boeking.reconcile`) and, when there are differences and `ADMINS` is set, mailed to the admins, for a person
to look at (`boeking.services.payments.reconcile` lists what is compared). Read-only, so running it twice, or while
the site runs, is harmless. Exit status 0; with `--fail-on-difference` 1 when something differs (for a monitor).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import mail_admins
from django.core.management.base import BaseCommand, CommandError

from boeking.clock import format_local, now
from boeking.services.payments import reconcile

log = logging.getLogger("boeking.reconcile")


class Command(BaseCommand):
    help = "Vergelijkt het kasboek met de boekingen en met Stripe en meldt verschillen (verandert niets)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=60,
                            help="Boekingen met betaalactiviteit in de laatste N dagen, en alle komende (standaard 60).")
        parser.add_argument("--no-mail", action="store_true", help="Geen mail aan ADMINS, ook bij verschillen.")
        parser.add_argument("--fail-on-difference", action="store_true",
                            help="Eindig met status 1 als er verschillen zijn.")

    def handle(self, *args, **options):
        if options["days"] < 1:
            raise CommandError("--days moet minstens 1 zijn.")
        report = reconcile(since=now() - dt.timedelta(days=options["days"]))
        stripe = "met Stripe" if report.stripe_checked else "zonder Stripe (niet ingesteld)"
        summary = (f"{report.bookings} boeking(en) vergeleken {stripe}, sinds {format_local(report.since)}: "
                   f"{len(report.differences)} verschil(len).")
        lines = [str(difference) for difference in report.differences]
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(summary)
        if not lines:
            return
        log.warning("Payments reconciliation: %d difference(s)\n%s", len(lines), "\n".join(lines))
        if settings.ADMINS and not options["no_mail"]:
            mail_admins(f"Kasboek en Stripe: {len(lines)} verschil(len)",
                        "\n".join([summary, "", *lines, "", "Er is niets aangepast; zoek elk verschil uit in de "
                                   "beheeromgeving (Betalingen, Stripe-gebeurtenissen) en in het Stripe-dashboard."]))
        if options["fail_on_difference"]:
            raise CommandError(f"{len(lines)} verschil(len) tussen kasboek en Stripe.", returncode=1)
