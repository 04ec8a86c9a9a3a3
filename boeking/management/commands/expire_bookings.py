"""`python manage.py expire_bookings`: expire requests not decided in time and approvals not paid in time.

Run it regularly (cron, every few minutes): SPEC §4 "a request not decided within 7 days (or before start) expires".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from boeking.services import expire_overdue
from boeking.services.series import series_expire_overdue


class Command(BaseCommand):
    help = "Laat aanvragen die niet op tijd zijn beoordeeld en goedkeuringen die niet op tijd zijn betaald verlopen."

    def handle(self, *args, **options):
        expired = expire_overdue()
        if options["verbosity"] >= 2:
            for booking in expired:
                self.stdout.write(f"  verlopen: {booking} ({booking.audit_entries.first().reason})")
        self.stdout.write(f"{len(expired)} boeking(en) verlopen.")
        series = series_expire_overdue()  # after the bookings: a request whose dates all expired expires too
        self.stdout.write(f"{len(series)} reeks(en) verlopen.")
