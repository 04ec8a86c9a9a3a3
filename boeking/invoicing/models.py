"""Invoices for associations. Money in integer cents (credit notes negative); no business logic here (`services`).

- `InvoiceSettings`: one row per house (prefix, IBAN override, KvK, VAT, payment term), kept out of `boeking.House`.
- `InvoiceSequence`: one row per house and year, locked while a number is given, so numbers have no gaps.
- `Invoice`: an invoice or a credit note (`kind`), a snapshot of everything the document shows; never edited after
  issue except its status (issued → paid / credited) and the payment fields.
- `InvoiceLine`: one booking on an invoice (or its credit). The database guarantees a booking is on at most one
  live invoice line (`invoice_line_booking_once`).
- `AssociationAddress`: the invoice address an association keeps itself (/mijn/facturen/).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from boeking.identifiers import IBANField, PostcodeField
from boeking.models import Booking, House

PREFIX_RE = re.compile(r"^[A-Z0-9]{1,10}$")
KVK_RE = re.compile(r"^\d{8}$")


class InvoiceSettings(models.Model):
    """A house's invoice details. Without a row the defaults apply (`services.settings_for`)."""

    house = models.OneToOneField(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="invoice_settings")
    prefix = models.CharField(
        _("voorvoegsel factuurnummer"), max_length=10,
        validators=[RegexValidator(PREFIX_RE, _("Hoofdletters en cijfers, hoogstens 10, bv. KAS."))],
        help_text=_("Factuurnummers worden <voorvoegsel>-<jaar>-<volgnummer>, bv. KAS-2027-0001."))
    legal_name = models.CharField(_("naam op de factuur"), max_length=150, blank=True,
                                  help_text=_("Bv. Stichting Buurthuis De Kastanje. Leeg: de naam van het huis."))
    address = models.CharField(_("adres op de factuur"), max_length=200, blank=True,
                               help_text=_("Leeg: het adres van de eerste locatie van het huis."))
    iban = IBANField(_("IBAN voor facturen"), blank=True, help_text=_("Leeg: het IBAN van het huis."))
    kvk = models.CharField(_("KvK-nummer"), max_length=8, blank=True,
                           validators=[RegexValidator(KVK_RE, _("Een KvK-nummer heeft 8 cijfers."))])
    vat_exempt = models.BooleanField(_("vrijgesteld van btw"), default=True)
    vat_rate_percent = models.PositiveSmallIntegerField(_("btw-tarief (%)"), default=21,
                                                        validators=[MinValueValidator(0), MaxValueValidator(30)])
    vat_number = models.CharField(_("btw-identificatienummer"), max_length=20, blank=True)
    vat_exemption_text = models.CharField(_("tekst btw-vrijstelling"), max_length=200, blank=True,
                                          help_text=_("Leeg: de standaardtekst (artikel 11 Wet OB 1968)."))
    payment_term_days = models.PositiveSmallIntegerField(_("betaaltermijn (dagen)"), default=30,
                                                         validators=[MinValueValidator(1), MaxValueValidator(120)])
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("factuurinstellingen")
        verbose_name_plural = _("factuurinstellingen")
        constraints = [
            models.CheckConstraint(condition=Q(vat_rate_percent__lte=30), name="invoicesettings_vat_rate_bounded"),
            models.CheckConstraint(condition=Q(payment_term_days__gte=1, payment_term_days__lte=120),
                                   name="invoicesettings_term_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.house}: {self.prefix}"


class InvoiceSequence(models.Model):
    """The last number given in one house and year; its row is locked (select_for_update) while the next is given."""

    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("jaar"))
    last_number = models.PositiveIntegerField(_("laatste volgnummer"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["house", "year"], name="invoice_sequence_per_house_year")]
        verbose_name = _("factuurnummering")
        verbose_name_plural = _("factuurnummeringen")

    def __str__(self) -> str:
        return f"{self.house} {self.year}: {self.last_number}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Factuur")
    CREDIT = "credit", _("Creditnota")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Openstaand")
    PAID = "paid", _("Betaald")
    CREDITED = "credited", _("Gecrediteerd")


class Invoice(models.Model):
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("soort"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    number = models.CharField(_("nummer"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField(_("jaar"))
    sequence = models.PositiveIntegerField(_("volgnummer"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    credits = models.ForeignKey("self", verbose_name=_("crediteert factuur"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="credit_notes")
    period_start = models.DateField(_("periode van"))
    period_end = models.DateField(_("periode tot en met"))
    issue_date = models.DateField(_("factuurdatum"))
    due_date = models.DateField(_("vervaldatum"))
    reason = models.CharField(_("reden"), max_length=500, blank=True)

    # Who pays (a snapshot at issue): the association's contact, its name and address, the mail's language.
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("contactpersoon"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="invoices")
    contact_email = models.EmailField(_("e-mail contactpersoon"), blank=True)
    language = models.CharField(_("taal"), max_length=5, default="nl")
    debtor_name = models.CharField(_("vereniging"), max_length=150)
    debtor_address = models.CharField(_("adres vereniging"), max_length=300, blank=True)

    # Who is paid (a snapshot at issue).
    house_name = models.CharField(_("naam huis"), max_length=150)
    house_address = models.CharField(_("adres huis"), max_length=200, blank=True)
    house_email = models.EmailField(_("e-mail huis"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    kvk = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    vat_number = models.CharField(_("btw-nummer"), max_length=20, blank=True)
    vat_exempt = models.BooleanField(_("vrijgesteld van btw"))
    vat_rate_percent = models.PositiveSmallIntegerField(_("btw-tarief (%)"), default=0)
    vat_exemption_text = models.CharField(_("tekst btw-vrijstelling"), max_length=200, blank=True)

    total_cents = models.IntegerField(_("totaal (cent)"), help_text=_("Inclusief btw; negatief voor een creditnota."))
    vat_cents = models.IntegerField(_("waarvan btw (cent)"), default=0)
    payment_reference = models.CharField(_("betalingskenmerk"), max_length=35)

    paid_on = models.DateField(_("betaald op"), null=True, blank=True)
    paid_cents = models.PositiveIntegerField(_("betaald (cent)"), default=0)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("betaling geregistreerd door"),
                                on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    created_at = models.DateTimeField(_("aangemaakt op"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("aangemaakt door"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pdf = models.BinaryField(_("PDF"), editable=False)

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [models.Index(fields=["house", "status", "due_date"], name="invoice_house_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["house", "year", "sequence"], name="invoice_number_per_house_year"),
            models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"),
            # A credit note refers to the invoice it credits and is negative; an invoice refers to none.
            models.CheckConstraint(
                condition=(Q(kind=InvoiceKind.INVOICE, credits__isnull=True, total_cents__gte=0)
                           | Q(kind=InvoiceKind.CREDIT, credits__isnull=False, total_cents__lte=0,
                               status=InvoiceStatus.ISSUED)),
                name="invoice_credit_refers_and_is_negative"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")),
                                   name="invoice_period_ordered"),
            models.CheckConstraint(condition=Q(status=InvoiceStatus.PAID, paid_on__isnull=False)
                                   | ~Q(status=InvoiceStatus.PAID), name="invoice_paid_has_date"),
        ]
        verbose_name = _("factuur")
        verbose_name_plural = _("facturen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit(self) -> bool:
        return self.kind == InvoiceKind.CREDIT


class InvoiceLine(models.Model):
    """One booking on an invoice: its date, room and times, its price lines (the booking's snapshot) and amount.
    On a credit note: the part of a line that is credited (negative), referring to that line."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("factuur"), on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(_("regel"))
    booking = models.ForeignKey(Booking, verbose_name=_("boeking"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="invoice_lines")
    is_credit = models.BooleanField(_("creditregel"), default=False, editable=False)
    credits_line = models.ForeignKey("self", verbose_name=_("crediteert regel"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="credit_lines")
    credited = models.BooleanField(_("gecrediteerd"), default=False,
                                   help_text=_("Een creditnota verwijst naar deze regel; de boeking is verrekend."))
    date = models.DateField(_("datum"))
    description = models.CharField(_("omschrijving"), max_length=300)
    price_lines = models.JSONField(_("prijsregels"), default=list)
    amount_cents = models.IntegerField(_("bedrag (cent)"))

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            # The database's guarantee: a booking is on at most one invoice line that is neither a credit nor
            # credited, whatever two invoice runs do at the same time.
            models.UniqueConstraint(fields=["booking"], condition=Q(is_credit=False, credited=False,
                                                                    booking__isnull=False),
                                    name="invoice_line_booking_once"),
            models.CheckConstraint(condition=Q(is_credit=False, amount_cents__gte=0, credits_line__isnull=True)
                                   | Q(is_credit=True, amount_cents__lte=0, credits_line__isnull=False),
                                   name="invoice_line_credit_sign"),
        ]
        verbose_name = _("factuurregel")
        verbose_name_plural = _("factuurregels")

    def __str__(self) -> str:
        return f"{self.invoice.number} #{self.position}: {self.description}"


class AssociationAddress(models.Model):
    """The name and address an association wants on its invoices (kept by the association under /mijn/facturen/)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE,
                                related_name="invoice_address")
    name = models.CharField(_("naam vereniging"), max_length=150)
    street = models.CharField(_("straat en huisnummer"), max_length=150, blank=True)
    postcode = PostcodeField(_("postcode"), blank=True)
    city = models.CharField(_("plaats"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("factuuradres vereniging")
        verbose_name_plural = _("factuuradressen verenigingen")

    def __str__(self) -> str:
        return self.name

    def one_line(self) -> str:
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.street, place) if p)
