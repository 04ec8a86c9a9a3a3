"""`python manage.py seed_demo`: loads the Maastricht demo (SPEC §9) and prints the demo accounts.

The work is done by `boeking.demo.seed.seed()`; this command parses the options, calls it and reports.
Idempotent: a second run adds nothing; `--reset` makes the demo houses' bookings anew around today.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from boeking import clock
from boeking.demo import data as demo_data
from boeking.demo.seed import Report, seed
from boeking.models import Booking, BookingStatus, House, Melding, Room


class Command(BaseCommand):
    help = "Laadt demodata voor Maastricht: huizen, zalen, accounts en een jaar boekingen rond vandaag (idempotent)."

    report: Report  # what the last run did (read by the tests)

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Verwijder eerst de boekingen, meldingen en sluitingen van de demohuizen en maak ze "
                                 "opnieuw aan rond vandaag.")

    def handle(self, *args, **options):
        began = time.monotonic()
        self.report = seed(reset=options["reset"])
        self._print(time.monotonic() - began, verbosity=options["verbosity"])

    def _print(self, seconds: float, *, verbosity: int) -> None:
        report, out = self.report, self.stdout
        houses = House.objects.filter(slug__in=report.houses)
        bookings = Booking.objects.filter(house__in=houses)
        if report.reset:
            out.write(f"Verwijderd: {report.reset} objecten van de vorige demo.")
        if not report.bookings_made:
            out.write("De demohuizen hebben al boekingen: er zijn geen boekingen toegevoegd "
                      "(gebruik --reset voor nieuwe datums rond vandaag).")
        elif verbosity >= 2 and report.skipped:
            skipped = ", ".join(f"{code}: {n}" for code, n in sorted(report.skipped.items()))
            out.write(f"Overgeslagen kandidaat-boekingen: {skipped}")
        if verbosity >= 2:
            created = ", ".join(f"{what}: {n}" for what, n in sorted(report.created.items())) or "niets"
            out.write(f"Nieuw aangemaakt: {created}")
        out.write(demo_data.APPROXIMATE_NOTICE)
        out.write("")
        self._print_accounts(report)
        out.write("")
        now = clock.now()
        out.write(self.style.SUCCESS(
            f"Zaalboek-demo: {houses.count()} huizen, {Room.objects.filter(house__in=houses).count()} zalen, "
            f"{bookings.count()} boekingen ({bookings.active().filter(start__gt=now).count()} komend, "
            f"{bookings.filter(status=BookingStatus.REQUESTED).count()} aanvragen open), "
            f"{Melding.objects.filter(house__in=houses).count()} meldingen — in {seconds:.1f} s."))

    def _print_accounts(self, report: Report) -> None:
        """The demo accounts of SPEC §9 as a table: user name, password, role."""
        out = self.stdout
        out.write("Demo-accounts (alleen demodata)")
        first_house = report.houses[demo_data.HOUSES[0].slug]
        rows = [
            ("bewoner@example.org", f"bewoner, postcode {demo_data.DEMO_ACCOUNTS[0].postcode}"),
            ("bestuur@example.org", f"bestuurslid van {first_house.name}"),
            ("vereniging@example.org", f"vereniging ({demo_data.DEMO_ACCOUNTS[2].organisation})"),
            ("gemeente@example.org", "gemeente"),
            ("admin@example.org", "beheerder (ook /admin/)"),
        ]
        width, password = max(len(email) for email, _ in rows), demo_data.DEMO_PASSWORD
        out.write(f"  {'gebruikersnaam'.ljust(width)}  wachtwoord  rol")
        out.write(f"  {'-' * width}  ----------  {'-' * 38}")
        for email, role in rows:
            out.write(f"  {email.ljust(width)}  {password.ljust(10)}  {role}")
        out.write(f"  Tweestapsverificatie (gemeente en admin): TOTP-sleutel {demo_data.DEMO_TOTP_SECRET} — voeg die "
                  f"toe in een authenticator-app, of: oathtool --totp -b {demo_data.DEMO_TOTP_SECRET}")
