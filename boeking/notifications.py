"""Emails the system sends. Called from `transaction.on_commit`, so a rolled-back change sends nothing.

Residents get Dutch mail (English when their profile says so); the municipality's melding holds no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .clock import format_local
from .models import Booking, Melding
from .pricing import euro

SUBJECTS = {
    "requested": ("Aanvraag ontvangen: {room}, {when}", "Request received: {room}, {when}"),
    "new_request": ("Nieuwe aanvraag: {room}, {when}", "New request: {room}, {when}"),
    "approved": ("Goedgekeurd: {room}, {when}", "Approved: {room}, {when}"),
    "confirmed": ("Bevestigd: {room}, {when}", "Confirmed: {room}, {when}"),
    "rejected": ("Afgewezen: {room}, {when}", "Rejected: {room}, {when}"),
    "cancelled": ("Geannuleerd: {room}, {when}", "Cancelled: {room}, {when}"),
    "expired": ("Verlopen: {room}, {when}", "Expired: {room}, {when}"),
}


def _language_of(booking: Booking) -> str:
    profile = getattr(booking.booker, "profile", None) if booking.booker else None
    return profile.language if profile else "nl"


def _send_booking_mail(booking: Booking, event: str, recipients: list[str], language: str, ics: bool = False) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    with translation.override(language):
        context = {
            "booking": booking,
            "event": event,
            "when": format_local(booking.start),
            "until": format_local(booking.end),
            "total": euro(booking.total_cents),
            "rental": euro(booking.rental_cents),
            "deposit": euro(booking.deposit_cents),
            "fee": euro(booking.cancellation_fee_cents),
            "refund": euro(booking.refunded_cents),
            "site_url": settings.ZAALBOEK_SITE_URL,
            "en": language == "en",
        }
        subject_nl, subject_en = SUBJECTS[event]
        subject = (subject_en if language == "en" else subject_nl).format(room=booking.room, when=context["when"])
        body = render_to_string("boeking/email/booking.txt", context)
    message = EmailMessage(subject=subject, body=body, to=recipients)
    if ics:  # the confirmed booking as an event to add to a calendar (boeking.ical, METHOD:PUBLISH)
        from .ical import booking_attachment

        message.attach(booking_attachment(booking, lang=language))
    message.send()


def _volunteer_emails(booking: Booking) -> list[str]:
    users = get_user_model().objects.filter(memberships__house_id=booking.house_id, is_active=True)
    return [u.email for u in users if u.email] + ([booking.house.email] if booking.house.email else [])


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related("room__house", "booker__profile").get(pk=booking_id)


def booking_requested(booking_id: int) -> None:
    booking = _load(booking_id)
    _send_booking_mail(booking, "requested", [booking.booker_email], _language_of(booking))
    _send_booking_mail(booking, "new_request", _volunteer_emails(booking), "nl")


def booking_approved(booking_id: int) -> None:
    booking = _load(booking_id)
    event = "confirmed" if booking.status == "confirmed" else "approved"
    _send_booking_mail(booking, event, [booking.booker_email], _language_of(booking), ics=event == "confirmed")


def booking_confirmed(booking_id: int) -> None:
    booking = _load(booking_id)
    _send_booking_mail(booking, "confirmed", [booking.booker_email], _language_of(booking), ics=True)


def booking_rejected(booking_id: int) -> None:
    booking = _load(booking_id)
    _send_booking_mail(booking, "rejected", [booking.booker_email], _language_of(booking))


def booking_cancelled(booking_id: int) -> None:
    booking = _load(booking_id)
    _send_booking_mail(booking, "cancelled", [booking.booker_email], _language_of(booking))
    _send_booking_mail(booking, "cancelled", _volunteer_emails(booking), "nl")


def booking_expired(booking_id: int) -> None:
    booking = _load(booking_id)
    _send_booking_mail(booking, "expired", [booking.booker_email], _language_of(booking))


def _send_melding(melding_id: int, withdrawn: bool) -> None:
    melding = Melding.objects.select_related("house__neighbourhood").get(pk=melding_id)
    context = {"melding": melding, "withdrawn": withdrawn, "when": format_local(melding.start),
               "until": format_local(melding.end), "municipality": settings.ZAALBOEK_MUNICIPALITY_NAME}
    prefix = "Intrekking melding" if withdrawn else "Melding"
    subject = f"{prefix} {melding.get_kind_display().lower()}: {melding.house.name}, {context['when']}"
    body = render_to_string("boeking/email/melding.txt", context)
    address = melding_address()
    if address:
        EmailMessage(subject=subject, body=body, to=[address]).send()


def melding_address() -> str:
    """Where meldingen go: the municipality's address in the rule settings, else ZAALBOEK_MELDING_EMAIL."""
    from .models import RuleSettings

    return RuleSettings.current().melding_email or settings.ZAALBOEK_MELDING_EMAIL


def melding_created(melding_id: int) -> None:
    _send_melding(melding_id, withdrawn=False)


def melding_withdrawn(melding_id: int) -> None:
    _send_melding(melding_id, withdrawn=True)


def _send_series_mail(series, subject: str, intro: str, recipients: list[str], dates: list[str] | None = None) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    context = {"series": series, "intro": intro, "dates": dates or [], "site_url": settings.ZAALBOEK_SITE_URL,
               "skips": list(series.skips.all()),
               "occurrences": list(series.occurrences.filter(status__in=("requested", "approved", "confirmed"))
                                   .order_by("start"))}
    context["first"] = format_local(context["occurrences"][0].start) if context["occurrences"] else ""
    body = render_to_string("boeking/email/series.txt", context)
    EmailMessage(subject=subject, body=body, to=recipients).send()


def _load_series(series_id: int):
    from .models import Series

    return Series.objects.select_related("room__house").get(pk=series_id)


def series_requested(series_id: int) -> None:
    series = _load_series(series_id)
    if series.status == "approved":
        _send_series_mail(series, f"Reeks vastgelegd: {series.room}", "De reeks is vastgelegd.", [series.booker_email])
        return
    _send_series_mail(series, f"Aanvraag reeks ontvangen: {series.room}",
                      "We hebben uw aanvraag voor een reeks ontvangen. Het bestuur beslist binnen enkele dagen.",
                      [series.booker_email])
    volunteers = get_user_model().objects.filter(memberships__house_id=series.house_id, is_active=True)
    _send_series_mail(series, f"Nieuwe aanvraag reeks: {series.room}", "Er wacht een aanvraag voor een reeks.",
                      [u.email for u in volunteers])


def series_decided(series_id: int) -> None:
    series = _load_series(series_id)
    if series.status == "approved":
        _send_series_mail(series, f"Reeks goedgekeurd: {series.room}", "Uw reeks is goedgekeurd en bevestigd.",
                          [series.booker_email])
    elif series.status == "expired":
        _send_series_mail(series, f"Aanvraag reeks verlopen: {series.room}",
                          "Het bestuur heeft niet op tijd over uw aanvraag beslist; de datums zijn vrijgegeven. "
                          "U kunt de reeks opnieuw aanvragen.", [series.booker_email])
    else:
        _send_series_mail(series, f"Reeks afgewezen: {series.room}",
                          f"Uw reeks is afgewezen. Reden: {series.decision_reason}", [series.booker_email])


def series_cancelled(series_id: int, booking_ids: list[int]) -> None:
    series = _load_series(series_id)
    dates = [format_local(b.start) for b in Booking.objects.filter(pk__in=booking_ids).order_by("start")]
    _send_series_mail(series, f"Datums geannuleerd: {series.room}",
                      f"{len(dates)} datum(s) van uw reeks zijn geannuleerd.", [series.booker_email], dates)
