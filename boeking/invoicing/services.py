"""Every state change of invoices: keyword-only, one transaction each, audited (SPEC §5 money in cents).

- `invoice_run_preview`: one planned invoice per association, with its confirmed association bookings in the period
  that are not invoiced yet and not paid otherwise. Writes nothing.
- `invoice_run_issue`: issues that preview under the house lock; numbers `<prefix>-<year>-<0001>` from the house's
  sequence row (locked), lines, the PDF, the mail.
- `invoice_mark_paid`: issued → paid, with the date the money arrived (the treasurer).
- `invoice_credit`: a credit note referring to the invoice, for all its open lines or some bookings; fully credited
  → credited.
- `credit_cancelled_booking`: `booking_cancel`'s hook; an invoiced booking that is cancelled is credited (less a
  late-cancellation fee).

Which bookings an invoice run takes: kind `association`, status `confirmed` (a date of a series, or a booking the board
confirmed: associations settle by invoice), booked by an association's account, with a price and nothing paid on it
otherwise, whose local start date lies in the period. Bookings still awaiting payment are paid by their own route.

Lock order: house (runs), then booking, then invoice, then the house's sequence row — as `boeking.services` takes
house before booking, so no two services can deadlock.

A booking is on at most one live invoice line: the house lock serialises runs of a house, and the partial unique
index `invoice_line_booking_once` holds even if that lock were bypassed (`AlreadyInvoiced`, 409, nothing written).
Numbers have no gaps: the number is taken under the sequence row's lock in the same transaction as the invoice, so
a rolled-back run gives its numbers back. An issued invoice never changes; only its status and payment fields do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum

from boeking import access, bounds
from boeking.clock import local, local_midnight, now, today
from boeking.errors import DomainError, InvalidInput, InvalidTransition, NotAllowed
from boeking.models import Booking, BookingKind, BookingStatus, House, Role
from boeking.pricing import round_cents
from boeking.services.audit import audit
from boeking.services.transitions import lock_house

from .models import (
    AssociationAddress,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceSettings,
    InvoiceStatus,
)

MAX_PERIOD_DAYS = 366  # a run covers at most a year
DEFAULT_EXEMPTION = {
    "nl": "Vrijgesteld van btw (artikel 11 Wet op de omzetbelasting 1968).",
    "en": "Exempt from VAT (article 11 of the Dutch VAT Act 1968).",
}


class AlreadyInvoiced(DomainError):
    """A booking of this run is already on an invoice (another run took it at the same moment)."""

    code = "already_invoiced"
    http_status = 409


# --- settings -------------------------------------------------------------------------------------------------------


def default_prefix(house: House) -> str:
    """Three letters from the house's URL name, its most telling word: `de-kastanje` → `KAS`, else `ZB`."""
    words = [w for w in house.slug.split("-") if len(w) >= 3 and w.isalpha()]
    return words[-1][:3].upper() if words else "ZB"


def settings_for(house: House) -> InvoiceSettings:
    """The house's invoice settings; an unsaved row with the defaults when the board has set none."""
    found = InvoiceSettings.objects.filter(house=house).first()
    return found or InvoiceSettings(house=house, prefix=default_prefix(house))


def house_address(house: House, settings: InvoiceSettings) -> str:
    if settings.address:
        return settings.address
    location = house.locations.order_by("pk").first()
    if location is None:
        return ""
    return f"{location.street}, {location.postcode} {location.city}"


def iban_for(house: House, settings: InvoiceSettings) -> str:
    return settings.iban or house.bank_account or ""


SETTINGS_FIELDS = ("prefix", "legal_name", "address", "iban", "kvk", "vat_exempt", "vat_rate_percent", "vat_number",
                   "vat_exemption_text", "payment_term_days")


def invoice_settings_update(*, house: House, actor, **values) -> InvoiceSettings:
    """The board sets its house's invoice details; each value is checked by the model's validators
    (`invalid_setting`, 400). Numbers already given keep their prefix."""
    if not access.can_manage_invoices(actor, house):
        raise NotAllowed(detail="Alleen het bestuur van dit huis stelt de facturen in.")
    from django.core.exceptions import ValidationError

    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput("invalid_setting", f"Onbekende instelling: {', '.join(sorted(unknown))}.")
    from boeking.identifiers import normalise_kvk, normalise_vat_number

    # KvK and btw-id checked and written one way (boeking.identifiers), whichever door they came through.
    if (values.get("kvk") or "").strip():
        values["kvk"] = normalise_kvk(values["kvk"])
    if (values.get("vat_number") or "").strip():
        values["vat_number"] = normalise_vat_number(values["vat_number"])
    with transaction.atomic():
        current = settings_for(house)
        for name, value in values.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        current.prefix = (current.prefix or "").upper()
        try:
            current.full_clean(exclude=["house"])
        except ValidationError as exc:
            first = next(iter(exc.message_dict.items()))
            raise InvalidInput("invalid_setting", f"{first[0]}: {first[1][0]}") from exc
        current.save()
        audit(actor=actor, action="invoice_settings.updated", obj=house,
              data={k: v for k, v in values.items() if k != "iban"})
        return current


def association_address_set(*, user, name: str, street: str = "", postcode: str = "", city: str = ""
                            ) -> AssociationAddress:
    """An association keeps the name and address printed on its next invoices (issued ones keep theirs)."""
    from boeking.identifiers import normalise_postcode

    if access.role_of(user) != Role.ASSOCIATION:
        raise NotAllowed(detail="Alleen verenigingen hebben een factuuradres.")
    name = bounds.check_text(name, field="naam", limit=150, required=True, required_code="name_required",
                             required_message="Vul de naam van de vereniging in.")
    street = bounds.check_text(street, field="straat", limit=150)
    city = bounds.check_text(city, field="plaats", limit=80)
    postcode = normalise_postcode(postcode) if (postcode or "").strip() else ""
    address, _ = AssociationAddress.objects.update_or_create(
        user=user, defaults={"name": name, "street": street, "postcode": postcode, "city": city})
    return address


# --- the run --------------------------------------------------------------------------------------------------------


@dataclass
class PlannedInvoice:
    """One invoice a run would issue: for one association's contact, its bookings and amounts."""

    contact: object
    debtor_name: str
    debtor_address: str
    language: str
    bookings: list[Booking] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(b.total_cents for b in self.bookings)


@dataclass
class RunPreview:
    house: House
    period_start: dt.date
    period_end: dt.date
    invoices: list[PlannedInvoice]
    settings: InvoiceSettings
    problems: list[str] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(p.total_cents for p in self.invoices)

    @property
    def booking_count(self) -> int:
        return sum(len(p.bookings) for p in self.invoices)


def check_period(period_start: dt.date, period_end: dt.date) -> None:
    bounds.check_date(period_start, field="periode van")
    bounds.check_date(period_end, field="periode tot en met")
    if period_end < period_start:
        raise InvalidInput("end_before_start", "Het einde van de periode moet op of na het begin liggen.")
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput("period_too_long", f"Een factuurrun beslaat hoogstens {MAX_PERIOD_DAYS} dagen.")


def invoiceable_bookings(house: House | int, period_start: dt.date, period_end: dt.date) -> QuerySet[Booking]:
    """The bookings a run for this period takes (see the module's docstring), oldest first. Period in local dates,
    both ends included."""
    house_id = house.pk if isinstance(house, House) else house
    return (Booking.objects
            .filter(house_id=house_id, kind=BookingKind.ASSOCIATION, status=BookingStatus.CONFIRMED,
                    start__gte=local_midnight(period_start),
                    start__lt=local_midnight(period_end + dt.timedelta(days=1)),
                    total_cents__gt=0, paid_cents=0, booker__isnull=False, booker__profile__role=Role.ASSOCIATION)
            .exclude(invoice_lines__in=InvoiceLine.objects.filter(is_credit=False, credited=False))
            .select_related("room", "booker__profile", "booker__invoice_address")
            .order_by("booker_id", "start", "pk"))


def _debtor(user, booking: Booking) -> tuple[str, str]:
    address = getattr(user, "invoice_address", None)
    if address is not None:
        return address.name, address.one_line()
    profile = getattr(user, "profile", None)
    name = (profile.organisation if profile else "") or booking.organisation or user.get_full_name() or user.email
    return name, (profile.postcode if profile else "")


def _language(user) -> str:
    profile = getattr(user, "profile", None)
    return "en" if profile is not None and profile.language == "en" else "nl"


def _plan(house: House, period_start: dt.date, period_end: dt.date) -> list[PlannedInvoice]:
    planned: dict[int, PlannedInvoice] = {}
    for booking in invoiceable_bookings(house, period_start, period_end):
        entry = planned.get(booking.booker_id)
        if entry is None:
            name, address = _debtor(booking.booker, booking)
            entry = planned[booking.booker_id] = PlannedInvoice(
                contact=booking.booker, debtor_name=name, debtor_address=address,
                language=_language(booking.booker))
        entry.bookings.append(booking)
    return sorted(planned.values(), key=lambda p: (p.debtor_name.lower(), p.contact.pk))


def _problems(house: House, settings: InvoiceSettings) -> list[str]:
    if not iban_for(house, settings):
        return ["Het huis heeft geen IBAN: stel het in bij de factuurinstellingen voordat u factureert."]
    return []


def invoice_run_preview(*, house: House, period_start: dt.date, period_end: dt.date, actor) -> RunPreview:
    """What `invoice_run_issue` would issue now for this period. Writes nothing."""
    _require_manager(actor, house)
    check_period(period_start, period_end)
    settings = settings_for(house)
    return RunPreview(house=house, period_start=period_start, period_end=period_end,
                      invoices=_plan(house, period_start, period_end), settings=settings,
                      problems=_problems(house, settings))


def next_number(house: House, year: int) -> int:
    """The next sequence number of `house` in `year`, under the lock of its sequence row (created on first use;
    two first uses at once: one inserts, the other waits on the unique index and then reads it). The caller's
    transaction holds the row until it commits, so numbers are given in order and a rollback gives them back."""
    sequence = InvoiceSequence.objects.select_for_update().filter(house=house, year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                InvoiceSequence.objects.create(house=house, year=year, last_number=0)
        except IntegrityError:
            pass  # created meanwhile by another transaction
        sequence = InvoiceSequence.objects.select_for_update().get(house=house, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:04d}"


def vat_part(total_cents: int, settings_or_invoice) -> int:
    """The VAT inside a price that includes it (`rate/(100+rate)` of it, `pricing.round_cents`); 0 when exempt."""
    if settings_or_invoice.vat_exempt or not settings_or_invoice.vat_rate_percent:
        return 0
    rate = settings_or_invoice.vat_rate_percent
    return round_cents(Decimal(total_cents) * rate / (100 + rate))


def _line_description(booking: Booking) -> str:
    start, end = local(booking.start), local(booking.end)
    text = f"{booking.room.name}, {start:%H:%M}–{end:%H:%M}"
    return f"{text} · {booking.title}" if booking.title else text


def _new_document(*, house: House, settings: InvoiceSettings, kind: str, actor, period_start: dt.date,
                  period_end: dt.date, contact, contact_email: str, language: str, debtor_name: str,
                  debtor_address: str, total_cents: int, credits: Invoice | None = None, reason: str = "",
                  snapshot: Invoice | None = None) -> Invoice:
    """Create an invoice or credit note with the next number. A credit note copies the house's details from the
    invoice it credits (`snapshot`), so both documents show the same seller."""
    issued = today()
    number = next_number(house, issued.year)
    prefix = (snapshot.number.rsplit("-", 2)[0] if snapshot else settings.prefix) or default_prefix(house)
    number_text = _number(prefix, issued.year, number)
    source = snapshot or settings
    invoice = Invoice(
        house=house, kind=kind, number=number_text, year=issued.year, sequence=number, credits=credits,
        period_start=period_start, period_end=period_end, issue_date=issued,
        due_date=issued + dt.timedelta(days=settings.payment_term_days), reason=reason,
        contact=contact, contact_email=contact_email, language=language, debtor_name=debtor_name[:150],
        debtor_address=debtor_address[:300],
        house_name=(snapshot.house_name if snapshot else (settings.legal_name or house.name)),
        house_address=(snapshot.house_address if snapshot else house_address(house, settings)),
        house_email=(snapshot.house_email if snapshot else house.email),
        iban=(snapshot.iban if snapshot else iban_for(house, settings)),
        kvk=source.kvk, vat_number=source.vat_number, vat_exempt=source.vat_exempt,
        vat_rate_percent=0 if source.vat_exempt else source.vat_rate_percent,
        vat_exemption_text=(snapshot.vat_exemption_text if snapshot else settings.vat_exemption_text),
        total_cents=total_cents, payment_reference=number_text if not credits else credits.payment_reference,
        created_at=now(), created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    invoice.vat_cents = vat_part(total_cents, invoice)
    invoice.save()
    return invoice


def _finish(invoice: Invoice, *, actor, action: str, data: dict) -> None:
    """Render and keep the PDF (the document as issued), audit, and mail it to the association (a job)."""
    from boeking import notifications

    from .documents import render_pdf

    invoice.pdf = render_pdf(invoice)
    invoice.save(update_fields=["pdf"])
    audit(actor=actor, action=action, obj=invoice, to_status=invoice.status, data={"number": invoice.number, **data})
    if invoice.contact_email:
        notifications.invoice_issued(invoice.pk)  # a job saved with the invoice; the worker mails after commit


def invoice_run_issue(*, house: House, period_start: dt.date, period_end: dt.date, actor) -> list[Invoice]:
    """Issue one invoice per association for the period (see `invoice_run_preview`). Runs of a house take turns
    (the house lock); a booking another run took meanwhile is not taken again. Raises `InvalidInput`
    (`iban_missing`) when the house has no IBAN, `AlreadyInvoiced` (409) if the database refuses a line."""
    _require_manager(actor, house)
    check_period(period_start, period_end)
    try:
        with transaction.atomic():
            lock_house(house.pk)
            settings = settings_for(house)
            if not iban_for(house, settings):
                raise InvalidInput("iban_missing", _problems(house, settings)[0])
            issued = []
            for planned in _plan(house, period_start, period_end):
                invoice = _new_document(
                    house=house, settings=settings, kind=InvoiceKind.INVOICE, actor=actor,
                    period_start=period_start, period_end=period_end, contact=planned.contact,
                    contact_email=planned.contact.email, language=planned.language, debtor_name=planned.debtor_name,
                    debtor_address=planned.debtor_address, total_cents=planned.total_cents)
                InvoiceLine.objects.bulk_create([
                    InvoiceLine(invoice=invoice, position=i, booking=b, date=local(b.start).date(),
                                description=_line_description(b)[:300], price_lines=b.price_lines,
                                amount_cents=b.total_cents)
                    for i, b in enumerate(planned.bookings, start=1)])
                _finish(invoice, actor=actor, action="invoice.issued",
                        data={"bookings": [b.pk for b in planned.bookings], "total_cents": invoice.total_cents})
                issued.append(invoice)
            return issued
    except IntegrityError as exc:
        if "invoice_line_booking_once" in str(exc) or "invoicing_invoiceline.booking_id" in str(exc):
            raise AlreadyInvoiced(detail="Een boeking van deze periode staat al op een factuur; er is niets "
                                         "uitgegeven. Bekijk het voorbeeld opnieuw.") from exc
        raise


# --- after issue ----------------------------------------------------------------------------------------------------


def _lock_bookings_of(invoice: Invoice) -> None:
    """Lock the invoice's bookings before the invoice itself: `booking_cancel` holds a booking and then asks for its
    invoice, so a credit note must take them in the same order (its lines reference the bookings)."""
    ids = InvoiceLine.objects.filter(invoice=invoice, booking__isnull=False).values_list("booking_id", flat=True)
    list(Booking.objects.select_for_update(of=("self",)).filter(pk__in=list(ids)).order_by("pk").only("pk"))


def lock_invoice(invoice: Invoice | int) -> Invoice:
    pk = invoice if isinstance(invoice, int) else invoice.pk
    return Invoice.objects.select_for_update(of=("self",)).select_related("house").get(pk=pk)


def credited_cents(invoice: Invoice) -> int:
    """What the credit notes referring to `invoice` take off it (a positive number)."""
    return -(invoice.credit_notes.aggregate(total=Sum("total_cents"))["total"] or 0)


def owed_cents(invoice: Invoice) -> int:
    """Still to pay on an invoice: total − credited − paid (negative: the house owes the association a refund).
    A credit note owes nothing itself: it lowers its invoice's amount."""
    if invoice.is_credit:
        return 0
    return invoice.total_cents - credited_cents(invoice) - invoice.paid_cents


def is_overdue(invoice: Invoice, on: dt.date | None = None) -> bool:
    """Derived, never stored: an open invoice whose due date has passed."""
    return (not invoice.is_credit and invoice.status == InvoiceStatus.ISSUED
            and invoice.due_date < (on or today()))


def mark_paid_refusal(invoice: Invoice) -> InvalidTransition | None:
    if invoice.is_credit:
        return InvalidTransition(detail="Een creditnota wordt niet betaald.")
    if invoice.status != InvoiceStatus.ISSUED:
        return InvalidTransition(detail=f"Alleen openstaande facturen kunnen als betaald worden gemarkeerd "
                                        f"(status: {invoice.get_status_display()}).")
    return None


def credit_refusal(invoice: Invoice) -> InvalidTransition | None:
    if invoice.is_credit:
        return InvalidTransition(detail="Een creditnota kan niet worden gecrediteerd.")
    if invoice.status == InvoiceStatus.CREDITED:
        return InvalidTransition(detail="Deze factuur is al volledig gecrediteerd.")
    return None


def can_mark_paid(invoice: Invoice) -> bool:
    return mark_paid_refusal(invoice) is None


def can_credit(invoice: Invoice) -> bool:
    return credit_refusal(invoice) is None


def invoice_mark_paid(*, invoice: Invoice, actor, paid_on: dt.date | None = None) -> Invoice:
    """The treasurer records that the association paid what it owed, on `paid_on` (default today; not in the
    future, not before the invoice date). Issued → paid."""
    _require_manager(actor, invoice.house_id)
    with transaction.atomic():
        locked = lock_invoice(invoice)
        if refusal := mark_paid_refusal(locked):
            raise refusal
        paid_on = paid_on or today()
        bounds.check_date(paid_on, field="betaald op")
        if paid_on > today() or paid_on < locked.issue_date:
            raise InvalidInput("invalid_date", f"De betaaldatum ligt tussen de factuurdatum ({locked.issue_date:%d-%m-%Y}) "
                                               "en vandaag.")
        amount = max(locked.total_cents - credited_cents(locked), 0)
        locked.status, locked.paid_on, locked.paid_cents, locked.paid_by = InvoiceStatus.PAID, paid_on, amount, actor
        locked.save(update_fields=["status", "paid_on", "paid_cents", "paid_by"])
        audit(actor=actor, action="invoice.paid", obj=locked, from_status=InvoiceStatus.ISSUED,
              to_status=InvoiceStatus.PAID, data={"paid_on": paid_on.isoformat(), "paid_cents": amount})
        return locked


def _credit(locked: Invoice, lines: list[tuple[InvoiceLine, int]], *, actor, reason: str,
            action: str = "invoice.credited") -> Invoice | None:
    """A credit note for `lines` (each with the amount to credit, positive) of the locked invoice; the credited
    lines are marked so their bookings may be invoiced again if they still hold their slot."""
    lines = [(line, amount) for line, amount in lines if amount > 0]
    if not lines:
        return None
    settings = settings_for(locked.house)
    note = _new_document(
        house=locked.house, settings=settings, kind=InvoiceKind.CREDIT, actor=actor,
        period_start=locked.period_start, period_end=locked.period_end, contact=locked.contact,
        contact_email=locked.contact_email, language=locked.language, debtor_name=locked.debtor_name,
        debtor_address=locked.debtor_address, total_cents=-sum(a for _, a in lines), credits=locked, reason=reason,
        snapshot=locked)
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=note, position=i, booking=line.booking, is_credit=True, credits_line=line, date=line.date,
                    description=line.description, price_lines=line.price_lines, amount_cents=-amount)
        for i, (line, amount) in enumerate(lines, start=1)])
    InvoiceLine.objects.filter(pk__in=[line.pk for line, _ in lines]).update(credited=True)
    if not locked.lines.filter(credited=False).exists() and credited_cents(locked) >= locked.total_cents:
        from_status = locked.status
        locked.status = InvoiceStatus.CREDITED
        locked.save(update_fields=["status"])
        audit(actor=actor, action="invoice.fully_credited", obj=locked, from_status=from_status,
              to_status=InvoiceStatus.CREDITED, reason=reason)
    _finish(note, actor=actor, action=action,
            data={"credits": locked.number, "total_cents": note.total_cents, "reason": reason})
    return note


def invoice_credit(*, invoice: Invoice, actor, reason: str, booking_ids: list[int] | None = None) -> Invoice:
    """A credit note for the invoice's lines not yet credited (or only those of `booking_ids`), e.g. a correction.
    A reason is required. Every line credited: the invoice is `credited`."""
    _require_manager(actor, invoice.house_id)
    reason = bounds.check_text(reason, field="reason", required=True,
                               required_message="Geef een reden voor de creditnota.")
    with transaction.atomic():
        _lock_bookings_of(invoice)
        locked = lock_invoice(invoice)
        if refusal := credit_refusal(locked):
            raise refusal
        open_lines = list(locked.lines.filter(credited=False).order_by("position"))
        if booking_ids is not None:
            wanted = set(booking_ids)
            open_lines = [line for line in open_lines if line.booking_id in wanted]
            if not open_lines:
                raise InvalidInput("no_lines", "Geen van deze boekingen staat (nog niet gecrediteerd) op de factuur.")
        note = _credit(locked, [(line, line.amount_cents) for line in open_lines], actor=actor, reason=reason)
        if note is None:
            raise InvalidInput("no_lines", "Er is niets meer te crediteren op deze factuur.")
        return note


def credit_cancelled_booking(*, booking: Booking, actor) -> Invoice | None:
    """Called by `booking_cancel` in its transaction: a cancelled booking on a live invoice line gets a credit note
    for the line less the cancellation fee the booking now owes (a late cancellation keeps the rental due). Nothing
    when the booking was never invoiced or the fee is the whole amount."""
    live = InvoiceLine.objects.filter(booking=booking, is_credit=False, credited=False)
    invoice_id = live.values_list("invoice_id", flat=True).first()
    if invoice_id is None:
        return None
    locked = lock_invoice(invoice_id)
    line = live.first()  # again under the invoice's lock: a credit note issued meanwhile took it
    if line is None or credit_refusal(locked):
        return None
    amount = max(line.amount_cents - booking.cancellation_fee_cents, 0)
    reason = f"Boeking #{booking.pk} geannuleerd"
    return _credit(locked, [(line, amount)], actor=actor, reason=reason, action="invoice.credited_on_cancel")


def cancelled_but_invoiced(house: House) -> QuerySet[InvoiceLine]:
    """Live invoice lines whose booking is cancelled: cancellations that did not pass `booking_cancel` (dates of a
    series cancelled with the series, dates a closure or a switched-off room took) and so got no credit note yet."""
    return (InvoiceLine.objects.filter(invoice__house=house, invoice__kind=InvoiceKind.INVOICE, is_credit=False,
                                       credited=False, booking__status=BookingStatus.CANCELLED)
            .select_related("invoice", "booking__room").order_by("date", "pk"))


def credit_cancelled_bookings(*, house: House, actor, invoice: Invoice | None = None) -> list[Invoice]:
    """The board credits the invoiced bookings of its house (of one `invoice`, if given) that were cancelled without
    a credit note (`cancelled_but_invoiced`), each as `booking_cancel` would have (less its cancellation fee)."""
    _require_manager(actor, house)
    notes = []
    lines = cancelled_but_invoiced(house)
    if invoice is not None:
        lines = lines.filter(invoice=invoice)
    for booking_id in list(lines.values_list("booking_id", flat=True)):
        with transaction.atomic():
            booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking_id)
            if booking.status == BookingStatus.CANCELLED and (note := credit_cancelled_booking(booking=booking,
                                                                                                actor=actor)):
                notes.append(note)
    return notes


# --- reading --------------------------------------------------------------------------------------------------------


def invoices_for_board(house: House) -> QuerySet[Invoice]:
    return Invoice.objects.filter(house=house).select_related("credits").order_by("-issue_date", "-pk")


def open_invoices(houses) -> QuerySet[Invoice]:
    """Issued, unpaid invoices of `houses`, the oldest due date first (overdue ones come first)."""
    return (Invoice.objects.filter(house__in=houses, kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED)
            .select_related("house").order_by("due_date", "pk"))


@dataclass(frozen=True)
class Totals:
    invoiced_cents: int
    credited_cents: int
    paid_cents: int

    @property
    def owed_cents(self) -> int:
        """invoiced − credited − paid: what associations still owe (negative: refunds due)."""
        return self.invoiced_cents - self.credited_cents - self.paid_cents


def totals(house: House | int, *, year: int | None = None) -> Totals:
    """The house's books in one line: invoiced, credited, paid (documents of `year` by their issue date)."""
    documents = Invoice.objects.filter(house=house)
    if year is not None:
        documents = documents.filter(year=year)
    sums = documents.aggregate(
        invoiced=Sum("total_cents", filter=Q(kind=InvoiceKind.INVOICE)),
        credited=Sum("total_cents", filter=Q(kind=InvoiceKind.CREDIT)),
        paid=Sum("paid_cents", filter=Q(kind=InvoiceKind.INVOICE)))
    return Totals(invoiced_cents=sums["invoiced"] or 0, credited_cents=-(sums["credited"] or 0),
                  paid_cents=sums["paid"] or 0)


def invoiced_income_per_house(year: int) -> dict[int, int]:
    """Net invoiced association income per house in `year` (invoices − credit notes, by issue date), in cents:
    aggregates only, for the municipality's income figures."""
    rows = Invoice.objects.filter(year=year).values("house_id").annotate(net=Sum("total_cents"))
    return {row["house_id"]: row["net"] or 0 for row in rows}


def _require_manager(user, house: House | int) -> None:
    if not access.can_manage_invoices(user, house):
        raise NotAllowed(detail="Alleen het bestuur van dit huis (de penningmeester) maakt en beheert facturen.")
