"""Every email the system sends, by one path: `recipients()` says who, `send()` writes and sends one message.

Called from `transaction.on_commit` (later: as background tasks), so a rolled-back change sends nothing; every
public function takes ids and loads what it needs.

- Each message is written in its recipient's language (the profile's `language`, Dutch by default, English
  available), texts in `boeking/templates/boeking/email/` with their English in `locale/`.
- Two audiences get different texts: the **booker** (resident or association; links to `/mijn/…`) and the
  **board** of the house (`access.board_members` plus the house's own address; greeted as the board, links to
  `/bestuur/…`, never to a resident's pages). The municipality gets meldingen only, in Dutch, without personal data.
- Subjects hold admin-set names (rooms, houses): `clean_subject` folds newlines and control characters into spaces,
  so such a name can never make sending fail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext, gettext_noop

from . import access
from .clock import local
from .models import AuditEntry, Booking, House, Melding, RuleSettings, Series
from .pricing import euro

BOOKER, BOARD, MUNICIPALITY = "booker", "board", "municipality"

# Subjects by event, with the board's own where it differs ("<event>/board"). Dutch msgids, English in locale/.
# Placeholders: {room} "House – Room", {house}, {when} (local start, in the recipient's language), {kind}.
SUBJECTS = {
    "booking.requested": gettext_noop("Aanvraag ontvangen: {room}, {when}"),
    "booking.requested/board": gettext_noop("Nieuwe aanvraag: {room}, {when}"),
    "booking.approved": gettext_noop("Goedgekeurd: {room}, {when}"),
    "booking.confirmed": gettext_noop("Bevestigd: {room}, {when}"),
    "booking.rejected": gettext_noop("Afgewezen: {room}, {when}"),
    "booking.cancelled": gettext_noop("Geannuleerd: {room}, {when}"),
    "booking.expired": gettext_noop("Verlopen: {room}, {when}"),
    "payment.failed": gettext_noop("Betaling mislukt: {room}, {when}"),
    "payment.refunded": gettext_noop("Betaling teruggestort: {room}, {when}"),
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
}


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str  # a code of settings.LANGUAGES
    audience: str  # BOOKER, BOARD or MUNICIPALITY


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
        path = reverse("mijn-booking", args=[about.pk]) if isinstance(about, Booking) else reverse("mijn")
    else:
        return ""
    return settings.ZAALBOEK_SITE_URL.rstrip("/") + path


def send(to: Recipient, event: str, about: Booking | Series | Melding, *, ics: bool = False, **context) -> None:
    """Write and send one message about `about` to `to`, in `to.language`.

    `event` ("booking.approved", "series.cancelled"…) picks the subject (`SUBJECTS`, the audience's own when there is
    one) and the template `boeking/email/<booking|payment|series|melding>.txt`, which gets `about` under its model
    name, `house`, `room`, `when`, `audience`, `event`, `link`, `booker_name` and `context`; datetimes in `context`
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
        })
        attachments = []
        if ics:  # the confirmed booking as an event to add to a calendar (METHOD:PUBLISH)
            from .ical import booking_attachment

            attachments.append(booking_attachment(about, lang=to.language))
    message = EmailMessage(subject=clean_subject(subject), body=body.strip() + "\n", to=[to.email])
    for part in attachments:
        message.attach(part)
    message.send()


# --- bookings ----------------------------------------------------------------------------------------------------


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related("room__house", "house", "booker__profile").get(pk=booking_id)


def _booking_mail(booking: Booking, event: str, *, board: bool = False, ics: bool = False, **context) -> None:
    for to in recipients(booking, board=board):
        send(to, event, booking, ics=ics and to.audience == BOOKER, **_booking_context(booking), **context)


def _booking_context(booking: Booking) -> dict:
    return {"until": booking.end, "deadline": booking.payment_deadline or "",
            "decision_deadline": booking.decision_deadline, "total": euro(booking.total_cents),
            "rental": euro(booking.rental_cents), "deposit": euro(booking.deposit_cents),
            "fee": euro(booking.cancellation_fee_cents), "refund": euro(booking.refunded_cents)}


def booking_requested(booking_id: int) -> None:
    """The booker: request received. The board: a request waits for its decision."""
    _booking_mail(_load(booking_id), "booking.requested", board=True)


def booking_approved(booking_id: int) -> None:
    """Approved and awaiting payment; or, when nothing was due (or it was paid at once), confirmed with the event."""
    booking = _load(booking_id)
    if booking.status == "confirmed":
        _booking_mail(booking, "booking.confirmed", ics=True)
    else:
        _booking_mail(booking, "booking.approved")


def booking_confirmed(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.confirmed", ics=True)


def booking_rejected(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.rejected")


def booking_cancelled(booking_id: int) -> None:
    """The booker and the board; both read who cancelled (the booker or the board) and why."""
    booking = _load(booking_id)
    entry = (AuditEntry.objects.filter(booking_id=booking_id, action="booking.cancelled")
             .order_by("-at", "-pk").first())
    by_board = bool(entry and entry.data.get("by_volunteer"))
    _booking_mail(booking, "booking.cancelled", board=True, by_board=by_board, reason=entry.reason if entry else "")


def booking_expired(booking_id: int) -> None:
    _booking_mail(_load(booking_id), "booking.expired")


# --- payments ----------------------------------------------------------------------------------------------------


def _money_mail(booking_id: int, event: str, **context) -> None:
    booking = _load(booking_id)
    for to in recipients(booking):
        send(to, event, booking, deadline=booking.payment_deadline or "",
             retained=euro(booking.deposit_retained_cents), **context)


def payment_failed(booking_id: int) -> None:
    """A payment attempt failed: the booker may try again before the payment deadline."""
    booking = Booking.objects.only("total_cents", "paid_cents").get(pk=booking_id)
    _money_mail(booking_id, "payment.failed", amount=euro(max(booking.total_cents - booking.paid_cents, 0)))


def payment_refunded(booking_id: int, amount_cents: int) -> None:
    """A payment arrived for a booking no longer awaiting one and was refunded in full."""
    _money_mail(booking_id, "payment.refunded", amount=euro(amount_cents))


def deposit_settled(booking_id: int, refunded_cents: int, reason: str) -> None:
    """After the event: the deposit returned, part retained with the board's reason."""
    _money_mail(booking_id, "payment.deposit", refunded=euro(refunded_cents), reason=reason)


# --- meldingen ---------------------------------------------------------------------------------------------------


def _send_melding(melding_id: int, event: str) -> None:
    melding = Melding.objects.select_related("house__neighbourhood").get(pk=melding_id)
    address = melding_address()
    if address:
        send(Recipient(address, settings.LANGUAGE_CODE, MUNICIPALITY), event, melding, until=melding.end,
             municipality=settings.ZAALBOEK_MUNICIPALITY_NAME)


def melding_created(melding_id: int) -> None:
    """The advance notice of a private event to the municipality (no personal data)."""
    _send_melding(melding_id, "melding.created")


def melding_withdrawn(melding_id: int) -> None:
    _send_melding(melding_id, "melding.withdrawn")


# --- series ------------------------------------------------------------------------------------------------------


def _load_series(series_id: int) -> Series:
    return Series.objects.select_related("room__house", "house", "booker__profile").get(pk=series_id)


def _series_mail(series: Series, event: str, *, board: bool = False, **context) -> None:
    held = list(series.occurrences.filter(status__in=("requested", "approved", "confirmed")).order_by("start"))
    skips = list(series.skips.all())
    for to in recipients(series, board=board):
        send(to, event, series, occurrences=len(held), first=held[0].start if held else "", skips=skips, **context)


def series_requested(series_id: int) -> None:
    """A series booked by the board is fixed at once (its booker hears so); else the booker hears it was received
    and the board that it waits for a decision."""
    series = _load_series(series_id)
    if series.status == "approved":
        _series_mail(series, "series.booked")
    else:
        _series_mail(series, "series.requested", board=True)


def series_decided(series_id: int) -> None:
    """Approved, rejected (with the reason) or expired (not decided in time)."""
    series = _load_series(series_id)
    event = {"approved": "series.approved", "expired": "series.expired"}.get(series.status, "series.rejected")
    _series_mail(series, event)


def series_cancelled(series_id: int, booking_ids: list[int]) -> None:
    """Dates of the series cancelled (by its booker, or by a closure of the house), listed."""
    series = _load_series(series_id)
    dates = [b.start for b in Booking.objects.filter(pk__in=booking_ids).order_by("start")]
    _series_mail(series, "series.cancelled", dates=dates, count=len(dates))
