"""`python manage.py anonymise_personal_data`: erase personal data of bookings that ended long enough ago.

Run it daily (cron or a systemd timer). Bookings that ended more than `RuleSettings.anonymise_after_months` months
ago (default 12, SPEC §8) lose the booker's name, e-mail, phone, postcode, organisation, title, notes and the free
text tied to them (audit and payment reasons); amounts and dates stay. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from boeking.services.privacy import anonymise_personal_data


class Command(BaseCommand):
    help = "Anonimiseert persoonsgegevens van boekingen die langer dan de bewaartermijn geleden zijn afgelopen."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=None,
                            help="Bewaartermijn in maanden (standaard: de regelinstelling, 12).")

    def handle(self, *args, **options):
        report = anonymise_personal_data(months=options["months"])
        self.stdout.write(f"{report.bookings} boeking(en) en {report.series} reeks(en) geanonimiseerd "
                          f"({report.audit_entries} auditregel(s), {report.payments} betaalregel(s) opgeschoond).")
