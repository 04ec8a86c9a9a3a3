"""Emails about money (a failed payment, a late payment refunded, the deposit settled). Called from
`transaction.on_commit`, so a rolled-back change sends nothing. Dutch, or English when the booker's profile says so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .clock import format_local
from .models import Booking
from .pricing import euro

SUBJECTS = {
    "failed": ("Betaling mislukt: {room}, {when}", "Payment failed: {room}, {when}"),
    "refunded": ("Betaling teruggestort: {room}, {when}", "Payment refunded: {room}, {when}"),
    "deposit": ("Borg afgehandeld: {room}, {when}", "Deposit settled: {room}, {when}"),
}


def _send(booking_id: int, event: str, **extra) -> None:
    booking = Booking.objects.select_related("room__house", "booker__profile").get(pk=booking_id)
    if not booking.booker_email:
        return
    profile = getattr(booking.booker, "profile", None) if booking.booker else None
    language = profile.language if profile else "nl"
    with translation.override(language):
        context = {"booking": booking, "event": event, "when": format_local(booking.start),
                   "deadline": format_local(booking.payment_deadline) if booking.payment_deadline else "",
                   "site_url": settings.ZAALBOEK_SITE_URL, "en": language == "en",
                   "retained": euro(booking.deposit_retained_cents), **extra}
        subject_nl, subject_en = SUBJECTS[event]
        subject = (subject_en if language == "en" else subject_nl).format(room=booking.room, when=context["when"])
        body = render_to_string("boeking/email/payment.txt", context)
    EmailMessage(subject=subject, body=body, to=[booking.booker_email]).send()


def payment_failed(booking_id: int) -> None:
    booking = Booking.objects.only("total_cents", "paid_cents").get(pk=booking_id)
    _send(booking_id, "failed", amount=euro(max(booking.total_cents - booking.paid_cents, 0)))


def payment_refunded(booking_id: int, amount_cents: int) -> None:
    _send(booking_id, "refunded", amount=euro(amount_cents))


def deposit_settled(booking_id: int, refunded_cents: int, reason: str) -> None:
    _send(booking_id, "deposit", refunded=euro(refunded_cents), reason=reason)
