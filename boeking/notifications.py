"""Every email the system sends, by one path: `recipients()` says who, `send()` writes and sends one message.

Every public mail function (`booking_requested(booking_id)`, …) takes ids and *enqueues* the task `deliver` (Django's
Tasks framework) in the caller's transaction: with the database queue the job is saved together with the change, or
not at all, and the worker (`manage.py worker`) writes and sends it after commit. A request never waits for SMTP and
never fails because of it; a failed job is retried (boeking/jobs/queue.py).

- **Exactly once**: `send()` records a sent-mail key — what the mail is about (booking, series, melding), its event,
  and the recipient — in the same transaction as it sends; a retried or repeated job finds the key and sends nothing
  again. Events that can happen more than once to the same booking (a failed payment, a refund) are keyed by their
  job; a series' cancelled dates by the dates.
- A mail about something that moved on meanwhile is not sent when it no longer applies (an approval mail for a
  booking cancelled before the worker ran it; a reminder for a booking paid, cancelled or turned off).

- Each message is written in its recipient's language (the profile's `language`, Dutch by default, English
  available), texts in `boeking/templates/boeking/email/` with their English in `locale/`.
- Two audiences get different texts: the **booker** (resident or association; links to `/mijn/…`) and the
  **board** of the house (`access.board_members` plus the house's own address; greeted as the board, links to
  `/bestuur/…`, never to a resident's pages). The municipality gets meldingen only, in Dutch, without personal data.
- Subjects hold admin-set names (rooms, houses): `clean_subject` folds newlines and control characters into spaces,
  so such a name can never make sending fail.
- A booking's period reads the same in every mail (`format_period`): `za 12 december 2026, 14:00–18:00` within a day,
  both dates when it runs past midnight.

- **Account mails** (django-allauth: e-mail verification, password reset, address change, two-factor changes) take
  the same path: the adapter (boeking.accounts.adapter) hands them to `account_mail`, which writes them in the
  request — allauth's context holds the one-time link or code, made there and nowhere else — in the recipient's
  language, and enqueues `deliver` with the message *sealed* (encrypted with a key derived from SECRET_KEY): the
  queue and the jobs admin never show a reset or verification link. Sent once per job, not per account and event:
  asking for a second link sends a second mail.
"""

from __future__ import annotations

import base64
import contextvars
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.tasks import TaskContext, task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop

from . import access, states
from .clock import local, now
from .models import AuditEntry, Booking, BookingStatus, House, Melding, RuleSettings, Series
from .occurrences import describe_series
from .pricing import euro

logger = logging.getLogger("zaalboek.mail")

BOOKER, BOARD, MUNICIPALITY, ACCOUNT = "booker", "board", "municipality", "account"

# Subjects by event, with the board's own where it differs ("<event>/board"). Dutch msgids, English in locale/.
# Placeholders: {room} "House – Room", {house}, {when} (local start, in the recipient's language), {kind}.
SUBJECTS = {
    "booking.requested": gettext_noop("Aanvraag ontvangen: {room}, {when}"),
    "booking.requested/board": gettext_noop("Nieuwe aanvraag: {room}, {when}"),
    "automatic.approved": gettext_noop("Automatisch goedgekeurd: {room}, {when}"),
    "booking.approved": gettext_noop("Goedgekeurd: {room}, {when}"),
    "booking.confirmed": gettext_noop("Bevestigd: {room}, {when}"),
    "booking.rejected": gettext_noop("Afgewezen: {room}, {when}"),
    "booking.cancelled": gettext_noop("Geannuleerd: {room}, {when}"),
    "booking.expired": gettext_noop("Verlopen: {room}, {when}"),
    "payment.failed": gettext_noop("Betaling mislukt: {room}, {when}"),
    "payment.refunded": gettext_noop("Betaling teruggestort: {room}, {when}"),
    "payment.cancel_refund": gettext_noop("Terugbetaling na annulering: {room}, {when}"),
    "payment.deposit": gettext_noop("Borg afgehandeld: {room}, {when}"),
    "series.booked": gettext_noop("Reeks vastgelegd: {room}"),
    "series.requested": gettext_noop("Aanvraag reeks ontvangen: {room}"),
    "series.requested/board": gettext_noop("Nieuwe aanvraag reeks: {room}"),
    "series.approved": gettext_noop("Reeks goedgekeurd: {room}"),
    "series.rejected": gettext_noop("Reeks afgewezen: {room}"),
    "series.expired": gettext_noop("Aanvraag reeks verlopen: {room}"),
    "series.cancelled": gettext_noop("Datums geannuleerd: {room}"),
    "melding.created": gettext_noop("Melding {kind}: {house}, {when}"),
    "melding.withdrawn": gettext_noop("Intrekking melding {kind}: {house}, {when}"),
    "reminder.payment": gettext_noop("Betaalherinnering: {room}, {when}"),
    "reminder.event": gettext_noop("Tot binnenkort: {room}, {when}"),
    "reminder.decision": gettext_noop("Aanvraag verloopt morgen: {room}, {when}"),
    "reminder.deposit": gettext_noop("Borg nog af te handelen: {room}, {when}"),
}


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str  # a code of settings.LANGUAGES
    audience: str  # BOOKER, BOARD, MUNICIPALITY or ACCOUNT (the holder of an account, for allauth's mails)


# --- who ---------------------------------------------------------------------------------------------------------


def language_of(user) -> str:
    """The language `user` reads mail in: the profile's, if it is one of settings.LANGUAGES; else Dutch."""
    profile = getattr(user, "profile", None) if user is not None else None
    language = getattr(profile, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def recipients(about: Booking | Series, *, booker: bool = True, board: bool = False) -> list[Recipient]:
    """Who hears about a booking or series: its booker (`booker_email`, empty once anonymised: then nobody) first,
    then the board of its house (`access.board_members`, each in their own language, and the house's own address
    in Dutch). An address gets one message per audience."""
    found: list[Recipient] = []
    if booker and about.booker_email:
        found.append(Recipient(about.booker_email, language_of(about.booker), BOOKER))
    if board:
        seen: set[str] = set()
        members = [(u.email, language_of(u)) for u in access.board_members(about.house_id)
                   .select_related("profile").order_by("pk")]
        for email, language in [*members, (about.house.email, settings.LANGUAGE_CODE)]:
            if email and email.lower() not in seen:
                seen.add(email.lower())
                found.append(Recipient(email, language, BOARD))
    return found


def melding_address() -> str:
    """Where meldingen go: the municipality's address in the rule settings, else ZAALBOEK_MELDING_EMAIL."""
    return RuleSettings.current().melding_email or settings.ZAALBOEK_MELDING_EMAIL


# --- how ---------------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean_subject(text: str) -> str:
    """One line: newlines, tabs and other control characters become single spaces (a header may not hold them)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def format_when(moment) -> str:
    """A moment in local time, in the active language: `za 03-04-2027 19:00`, `Sat 03-04-2027 19:00`."""
    return dateformat.format(local(moment), "D d-m-Y H:i")


_DAY = "D j F Y"  # za 12 december 2026, Sat 12 December 2026


def format_moment(moment) -> str:
    """A moment in local time, in the active language, as the mails write it in running text: `ma 30 november 2026
    15:01` (subjects and deadlines keep `format_when`'s short form)."""
    return dateformat.format(local(moment), _DAY + " H:i")


def format_period(start, end) -> str:
    """A period in local time, in the active language: one date when it starts and ends on the same day
    (`za 12 december 2026, 14:00–18:00`), both when it runs past midnight
    (`za 12 december 2026 20:00 – zo 13 december 2026 01:00`)."""
    start, end = local(start), local(end)
    if start.date() == end.date():
        return f"{dateformat.format(start, _DAY)}, {start:%H:%M}–{end:%H:%M}"
    return f"{format_moment(start)} – {format_moment(end)}"


def _localised(value):
    if isinstance(value, dt.datetime):
        return format_when(value)
    if isinstance(value, list | tuple):
        return [_localised(v) for v in value]
    return value


def _link(about: Booking | Series | Melding, audience: str) -> str:
    """The page this recipient acts on: a board member's pages are under /bestuur/, a booker's under /mijn/."""
    if audience == BOARD:
        path = (reverse("bestuur-booking", args=[about.pk]) if isinstance(about, Booking)
                else reverse("bestuur-series", args=[about.house.slug]))
    elif audience == BOOKER:
        path = reverse("mijn-booking" if isinstance(about, Booking) else "mijn-series", args=[about.pk])
    else:
        return ""
    return settings.ZAALBOEK_SITE_URL.rstrip("/") + path


def send(to: Recipient, event: str, about: Booking | Series | Melding, *, ics: bool = False, once: str = "",
         **context) -> None:
    """Write and send one message about `about` to `to`, in `to.language` — once: a message already sent for the same
    `about`, `event`, `once` (what tells apart repeats of the event, if any) and recipient is not sent again.

    `event` ("booking.approved", "series.cancelled"…) picks the subject (`SUBJECTS`, the audience's own when there is
    one) and the template `boeking/email/<booking|payment|series|melding>.txt`, which gets `about` under its model
    name, `house`, `room`, `when` (the start), `period` (`format_period`, for a booking or melding), `audience`,
    `event`, `link`, `booker_name` and `context`; datetimes in `context`
    are written as local time in the recipient's language. `ics` attaches the booking as a calendar event
    (boeking.ical)."""
    if not to.email:
        return
    family, _, name = event.partition(".")
    with translation.override(to.language):
        values = {key: _localised(value) for key, value in context.items()}
        house: House = about.house
        placeholders = {"room": str(getattr(about, "room", "")), "house": house.name,
                        "kind": about.get_kind_display().lower(),
                        "when": format_when(about.start) if hasattr(about, "start") else ""}
        subject = gettext(SUBJECTS.get(f"{event}/{to.audience}", SUBJECTS[event])).format(**placeholders)
        body = render_to_string(f"boeking/email/{family}.txt", {
            **values, type(about).__name__.lower(): about, "house": house, "event": name, "audience": to.audience,
            "link": _link(about, to.audience), "booker_name": getattr(about, "booker_name", ""),
            "room": placeholders["room"], "when": placeholders["when"],
            "period": format_period(about.start, about.end) if hasattr(about, "end") else "",
        })
        attachments = []
        if ics:  # the booking as a calendar event: PUBLISH, or CANCEL (same UID, higher SEQUENCE) once it no longer
            from .ical import booking_attachment  # holds its slot, so calendar apps remove it

            attachments.append(booking_attachment(about, lang=to.language,
                                                  view="volunteer" if to.audience == BOARD else "booker"))
    message = EmailMessage(subject=clean_subject(subject), body=body.strip() + "\n", to=[to.email])
    for part in attachments:
        message.attach(part)
    _send_once(message, to, event, about, once)


@dataclass
class Delivery:
    """What one job sent: messages sent and messages found already sent (the job's return value in the admin)."""

    job: str
    sent: int = 0
    already_sent: int = 0
    skipped: list[str] = field(default_factory=list)


_delivery: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar("zaalboek_delivery", default=None)


def _about(about: Booking | Series | Melding | str) -> str:
    """What a mail is about, for its sent-mail key: "booking:12", "series:3"…, or already such a text ("user:5")."""
    return about if isinstance(about, str) else f"{type(about).__name__.lower()}:{about.pk}"


def sent_mail_key(about: Booking | Series | Melding | str, event: str, once: str, to: Recipient) -> str:
    raw = "\0".join([_about(about), event, once, to.audience, to.email.strip().lower()])
    return hashlib.sha256(raw.encode()).hexdigest()


def _send_once(message: EmailMessage, to: Recipient, event: str, about: Booking | Series | Melding | str,
               once: str) -> None:
    """Send `message` and record its key in one transaction: a failed send leaves no key (the retry sends it), and a
    key already there (sent before, or by a job running at the same time, which the unique key makes wait) means
    this message went out already. A worker killed between the SMTP server's "250 OK" and the commit would send it
    once more: at least once, never lost."""
    from boeking.jobs.models import SentMail

    delivery = _delivery.get()
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentMail.objects.create(key=sent_mail_key(about, event, once, to), about=_about(about), event=event,
                                        sent_at=now())
        except IntegrityError:
            if delivery:
                delivery.already_sent += 1
            logger.info("%s %s to a %s: sent before, not again", event, _about(about), to.audience)
            return
        message.send()
    if delivery:
        delivery.sent += 1
    logger.info("%s %s to a %s: sent", event, _about(about), to.audience)


def _once_per_job() -> str:
    """For events that can repeat (a second failed payment): the job, so only a retry of the same job is a repeat."""
    delivery = _delivery.get()
    return delivery.job if delivery else uuid.uuid4().hex


def _skip(why: str) -> None:
    delivery = _delivery.get()
    if delivery:
        delivery.skipped.append(why)
    logger.info("mail not sent: %s", why)


MAILS: dict[str, Callable[..., None]] = {}


def _mail(writer: Callable[..., None]) -> Callable[..., None]:
    """Make a mail writer public: calling `name(*ids)` enqueues `deliver(name, *ids)` in the caller's transaction
    (nothing is written or sent in the request); the worker runs the writer. The writer stays at `name.write`."""
    MAILS[writer.__name__] = writer

    @functools.wraps(writer)
    def enqueue(*ids) -> None:
        deliver.enqueue(writer.__name__, *ids)

    enqueue.write = writer
    return enqueue


@task(takes_context=True)
def deliver(context: TaskContext, name: str, *ids) -> dict:
    """The task behind every mail: write and send mail `name` (a public function of this module) for `ids`."""
    delivery = Delivery(job=str(context.task_result.id))
    token = _delivery.set(delivery)
    try:
        MAILS[name](*ids)
    finally:
        _delivery.reset(token)
    return {"sent": delivery.sent, "already_sent": delivery.already_sent, "skipped": delivery.skipped}


# --- bookings ----------------------------------------------------------------------------------------------------


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related("room__house", "room__location", "house", "booker__profile").get(pk=booking_id)


def _booking_mail(booking: Booking, event: str, *, board: bool = False, booker: bool = True, ics: bool = False,
                  board_ics: bool = False, once: str = "", **context) -> None:
    for to in recipients(booking, board=board, booker=booker):
        send(to, event, booking, ics=(ics and to.audience == BOOKER) or (board_ics and to.audience == BOARD),
             once=once, **{**_booking_context(booking), **context})


def _booking_context(booking: Booking) -> dict:
    return {"deadline": booking.payment_deadline or "",
            "decision_deadline": booking.decision_deadline, "total": euro(booking.total_cents),
            "rental": euro(booking.rental_cents), "deposit": euro(booking.deposit_cents),
            "fee": euro(booking.cancellation_fee_cents), "refund": euro(booking.refunded_cents)}


def approved_automatically(booking_id: int) -> bool:
    """Whether the booking was approved by its house's setting ("approve at once when every rule passes",
    `AutoApproval`): its approval's audit entry says `automatic: True`."""
    return AuditEntry.objects.filter(booking_id=booking_id, action="booking.approved", data__automatic=True).exists()


@_mail
def booking_requested(booking_id: int) -> None:
    """The booker: request received. The board: a request waits for its decision. Not for a request the house's
    setting approved at once (run after the commit, the job finds the approval): nobody has anything to decide, and
    `booking_approved` tells the booker and the board."""
    if approved_automatically(booking_id):
        _skip(f"booking {booking_id} was approved automatically; booking_approved tells booker and board")
        return
    _booking_mail(_load(booking_id), "booking.requested", board=True)


@_mail
def booking_approved(booking_id: int) -> None:
    """Approved and awaiting payment; or, when nothing was due (or it was paid before this mail went out), confirmed
    with the event — the same "Bevestigd" mail as the payment's, so the booker gets it once. Nothing once the booking
    was cancelled, rejected or expired meanwhile. Approved automatically by the house's setting, the board is told
    so too ("automatic.approved": nothing waits for its decision)."""
    booking = _load(booking_id)
    if approved_automatically(booking_id):
        _booking_mail(booking, "automatic.approved", booker=False, board=True)
    if booking.status == BookingStatus.CONFIRMED:
        _booking_mail(booking, "booking.confirmed", ics=True)
    elif booking.status == BookingStatus.APPROVED:
        _booking_mail(booking, "booking.approved", **_payment_facts(booking))
    else:
        _skip(f"booking {booking_id} is {booking.status}, no approval mail")


def _payment_facts(booking: Booking) -> dict:
    """How to pay, for the approval mail: the amount due, online (Stripe) or by transfer to the house's IBAN with
    the reference, and the deadline (`deadline`, already in the context). No IBAN: pay on site."""
    from boeking.services import payments

    return {"pay_online": payments.payment_mode_of(booking) == "stripe",
            "due": euro(payments.outstanding_cents(booking)), "iban": payments.house_iban(booking),
            "reference": payments.payment_reference(booking)}


@_mail
def booking_confirmed(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.confirmed", ics=True)


@_mail
def booking_rejected(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.rejected")


@_mail
def booking_cancelled(booking_id: int) -> None:
    """The booker and the board; both read who cancelled (the booker or the board) and why."""
    booking = _load(booking_id)
    entry = (AuditEntry.objects.filter(booking_id=booking_id, action="booking.cancelled")
             .order_by("-at", "-pk").first())
    by_board = bool(entry and entry.data.get("by_volunteer"))
    # The .ics (METHOD:CANCEL) takes the event out of the booker's and the board's calendars.
    # The refund the cancellation owes (paid back by its own job, which may not have run yet): from the audit entry.
    refund_cents = int(entry.data.get("refund_cents", 0)) if entry else 0
    _booking_mail(booking, "booking.cancelled", board=True, ics=True, board_ics=True, by_board=by_board,
                  reason=entry.reason if entry else "", refund_cents=refund_cents, refund=euro(refund_cents))


@_mail
def booking_expired(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.expired")


# --- reminders (boeking/jobs/reminders.py finds the bookings due one; each house can turn each kind off) ---------


def _reminder_applies(booking: Booking, kind: str, applies: bool) -> bool:
    from boeking.jobs.models import HouseReminderSettings

    if not applies:
        _skip(f"booking {booking.pk} ({booking.status}) no longer needs the {kind} reminder")
        return False
    if not HouseReminderSettings.sends(booking.house_id, kind):
        _skip(f"house {booking.house_id} has turned off the {kind} reminder")
        return False
    return True


@_mail
def payment_reminder(booking_id: int) -> None:
    """The booker, before the payment deadline: what is still due, until when, and where to pay."""
    booking = _load(booking_id)
    at = now()
    if _reminder_applies(booking, "payment", states.can_pay(booking, at) and booking.total_cents > booking.paid_cents):
        _booking_mail(booking, "reminder.payment", amount=euro(booking.total_cents - booking.paid_cents))


@_mail
def event_reminder(booking_id: int) -> None:
    """The booker, two days before: the date, the address, the house rules and whom to call."""
    booking = _load(booking_id)
    if _reminder_applies(booking, "event", booking.status == BookingStatus.CONFIRMED and booking.start > now()):
        location = booking.room.location
        _booking_mail(booking, "reminder.event", address=f"{location.street}, {location.postcode} {location.city}",
                      house_rules=booking.house.house_rules.strip(), phone=booking.house.phone,
                      house_email=booking.house.email)


@_mail
def decision_reminder(booking_id: int) -> None:
    """The board, a day before an undecided request expires."""
    booking = _load(booking_id)
    if _reminder_applies(booking, "decision", states.can_decide(booking, now())):
        _booking_mail(booking, "reminder.decision", booker=False, board=True)


@_mail
def deposit_reminder(booking_id: int) -> None:
    """The board, after the event, while the deposit is neither returned nor retained."""
    booking = _load(booking_id)
    if _reminder_applies(booking, "deposit", booking.deposit_cents > 0 and states.can_settle_deposit(booking, now())):
        _booking_mail(booking, "reminder.deposit", booker=False, board=True)


# --- payments ----------------------------------------------------------------------------------------------------


def _money_mail(booking_id: int, event: str, *, once: str = "", **context) -> None:
    booking = _load(booking_id)
    for to in recipients(booking):
        send(to, event, booking, once=once, deadline=booking.payment_deadline or "",
             retained=euro(booking.deposit_retained_cents), **context)


@_mail
def payment_failed(booking_id: int) -> None:
    """A payment attempt failed: the booker may try again before the payment deadline. Each failed attempt is told."""
    booking = Booking.objects.only("total_cents", "paid_cents").get(pk=booking_id)
    _money_mail(booking_id, "payment.failed", once=_once_per_job(),
                amount=euro(max(booking.total_cents - booking.paid_cents, 0)))


@_mail
def payment_refunded(booking_id: int, amount_cents: int) -> None:
    """A payment arrived for a booking no longer awaiting one and was refunded in full (each such refund is told)."""
    _money_mail(booking_id, "payment.refunded", once=_once_per_job(), amount=euro(amount_cents))


@_mail
def cancellation_refunded(booking_id: int, stripe_cents: int, house_cents: int) -> None:
    """The refund a cancellation owed was made: `stripe_cents` back through the booker's payment method (Stripe),
    `house_cents` as a bank transfer by the house (recorded in the ledger; the board pays it)."""
    _money_mail(booking_id, "payment.cancel_refund", stripe=euro(stripe_cents), house=euro(house_cents),
                stripe_cents=stripe_cents, house_cents=house_cents)


@_mail
def deposit_settled(booking_id: int, refunded_cents: int, reason: str) -> None:
    """After the event: the deposit returned, part retained with the board's reason."""
    _money_mail(booking_id, "payment.deposit", refunded=euro(refunded_cents), reason=reason)


# --- meldingen ---------------------------------------------------------------------------------------------------


def _send_melding(melding_id: int, event: str) -> None:
    melding = Melding.objects.select_related("house__neighbourhood").get(pk=melding_id)
    address = melding_address()
    if address:
        send(Recipient(address, settings.LANGUAGE_CODE, MUNICIPALITY), event, melding,
             municipality=settings.ZAALBOEK_MUNICIPALITY_NAME)


@_mail
def melding_created(melding_id: int) -> None:
    """The advance notice of a private event to the municipality (no personal data)."""
    _send_melding(melding_id, "melding.created")


@_mail
def melding_withdrawn(melding_id: int) -> None:
    _send_melding(melding_id, "melding.withdrawn")


# --- series ------------------------------------------------------------------------------------------------------


def _load_series(series_id: int) -> Series:
    return Series.objects.select_related("room__house", "house", "booker__profile").get(pk=series_id)


def _series_mail(series: Series, event: str, *, board: bool = False, once: str = "", **context) -> None:
    held = list(series.occurrences.filter(status__in=("requested", "approved", "confirmed")).order_by("start"))
    skips = list(series.skips.all())
    for to in recipients(series, board=board):
        # The recurrence in words, in the recipient's language ("elke dinsdag van 19:00 tot 21:00, van …").
        send(to, event, series, once=once, occurrences=len(held), first=held[0].start if held else "", skips=skips,
             recurrence=describe_series(series, lang=to.language), **context)


@_mail
def series_requested(series_id: int) -> None:
    """A series booked by the board is fixed at once (its booker hears so); else the booker hears it was received
    and the board that it waits for a decision."""
    series = _load_series(series_id)
    if series.status == "approved":
        _series_mail(series, "series.booked")
    else:
        _series_mail(series, "series.requested", board=True)


@_mail
def series_decided(series_id: int) -> None:
    """Approved, rejected (with the reason) or expired (not decided in time)."""
    series = _load_series(series_id)
    event = {"approved": "series.approved", "expired": "series.expired"}.get(series.status, "series.rejected")
    _series_mail(series, event)


@_mail
def series_cancelled(series_id: int, booking_ids: list[int]) -> None:
    """Dates of the series cancelled (by its booker, or by a closure of the house), listed; once per set of dates."""
    series = _load_series(series_id)
    dates = [b.start for b in Booking.objects.filter(pk__in=booking_ids).order_by("start")]
    _series_mail(series, "series.cancelled", once=",".join(str(pk) for pk in sorted(booking_ids)), dates=dates,
                 count=len(dates))


# --- invoices (boeking.invoicing) ----------------------------------------------------------------------------------


@_mail
def invoice_issued(invoice_id: int) -> None:
    """The association's contact: an invoice or credit note with its PDF attached (`boeking.invoicing.mail`)."""
    from .invoicing.mail import invoice_message

    invoice, message = invoice_message(invoice_id)
    _send_once(message, Recipient(invoice.contact_email, invoice.language, BOOKER), f"invoice.{invoice.kind}", invoice,
               "")


# --- accounts (django-allauth, through boeking.accounts.adapter) -----------------------------------------------------


def account_subject(subject: str) -> str:
    """An account mail's subject: one line (`clean_subject`), with ACCOUNT_EMAIL_SUBJECT_PREFIX ("Zaalboek: ") once."""
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "Zaalboek: ")
    subject = clean_subject(subject)
    return clean_subject(subject if subject.startswith(prefix.strip()) else f"{prefix}{subject}")


def _account_holder(email: str, context: dict):
    """The account an account mail goes to: allauth's `user` (not in its notifications' context), else the one with
    this address, allauth's or the account's own; none for a reset asked for an unknown address."""
    user = context.get("user")
    if user is not None and getattr(user, "pk", None):
        return user
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    address = EmailAddress.objects.filter(email__iexact=email).select_related("user__profile").order_by("pk").first()
    if address:
        return address.user
    return get_user_model().objects.filter(email__iexact=email).select_related("profile").order_by("pk").first()


def _sealer():
    """Fernet keys derived from SECRET_KEY (and its fallbacks, so a job enqueued before a key rotation still opens; its
    links made with the old key are checked against the fallbacks too)."""
    from cryptography.fernet import Fernet, MultiFernet

    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(
        salted_hmac("zaalboek.notifications.account_mail", "seal", secret=secret, algorithm="sha256").digest()))
        for secret in secrets])


def account_mail(template_prefix: str, email: str, context: dict) -> None:
    """allauth's mail `template_prefix` ("account/email/password_reset_key", "mfa/email/totp_activated"…) to `email`:
    written now, in the account holder's language (`language_of`; without an account, the page's), from
    `<prefix>_subject.txt` and `<prefix>_message.txt`, and enqueued in the caller's transaction.

    Written here, not in the worker: allauth's context holds the one-time link or code (made in the request, some kept
    only in the session) and the request itself. The job carries the message sealed (`_sealer`), so the database and
    the jobs admin hold no more of a link than before, and less readably; the job's own arguments name the recipient,
    the event ("account.password_reset_key") and the account ("user:5"). It is sent once per job: a retry sends
    nothing twice, a second request for a link is a second job and a second mail."""
    user = _account_holder(email, context)
    language = language_of(user) if user is not None else (translation.get_language() or settings.LANGUAGE_CODE)
    values = {"email": email, "site_name": "Zaalboek", "site_url": settings.ZAALBOEK_SITE_URL, "user": user, **context}
    with translation.override(language):
        # allauth's notifications carry the moment of the change (`timestamp`): Maastricht's clock in the recipient's
        # language, as the booking mails write a moment (ma 30 november 2026 15:01), not Django's "Nov. 30, 2026".
        values = {key: format_moment(value) if isinstance(value, dt.datetime) else value for key, value in values.items()}
        subject = account_subject(render_to_string(f"{template_prefix}_subject.txt", values))
        body = render_to_string(f"{template_prefix}_message.txt", values).strip() + "\n"
    parts = template_prefix.split("/")
    event = f"{parts[0]}.{parts[-1]}"[:40]  # account.password_reset_key, mfa.totp_activated
    sealed = _sealer().encrypt(json.dumps({"subject": subject, "body": body}).encode()).decode()
    account_message(email, language, event, f"user:{user.pk}" if user is not None else "user:-", sealed)


@_mail
def account_message(email: str, language: str, event: str, about: str, sealed: str) -> None:
    """Send an account mail written by `account_mail` (the worker's half): unseal, send once per job."""
    message = json.loads(_sealer().decrypt(sealed.encode()))
    _send_once(EmailMessage(subject=message["subject"], body=message["body"], to=[email]),
               Recipient(email, language, ACCOUNT), event, about, _once_per_job())
