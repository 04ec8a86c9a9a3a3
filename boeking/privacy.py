"""Personal data (AVG/GDPR, SPEC §8): what counts as personal, a user's own data as JSON, and when it is erased.

The state changes (anonymising, deleting an account) are services in `boeking.services.privacy`; this module only
reads. Which fields are personal is written down once, here, and used by both.
"""

from __future__ import annotations

import datetime as dt

from .clock import now
from .models import AuditEntry, Booking, PaymentEntry, Series

ANONYMISED = "[geanonimiseerd]"

# Booking fields that identify or describe the booker, or are free text someone typed (the amounts, dates, room,
# kind, guests and alcohol stay for the books and the caps).
# The Stripe PaymentIntent id stays: it is a bookkeeping reference (no personal data in it), and deposits and refunds
# of an ended booking must still go back through Stripe after its booker deleted the account.
BOOKING_PERSONAL_BLANK = ("booker_name", "booker_email", "booker_phone", "booker_postcode", "organisation", "title",
                          "notes", "decision_reason")
SERIES_PERSONAL_BLANK = ("booker_name", "booker_email", "booker_phone", "title", "decision_reason")


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """`moment` shifted by whole calendar months (negative: back); the day is clipped to the month's length."""
    import calendar

    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def anonymise_cutoff(months: int, *, at: dt.datetime | None = None) -> dt.datetime:
    """Bookings that ended before this moment are due for anonymisation."""
    return add_months(at or now(), -months)


def bookings_due(months: int, *, at: dt.datetime | None = None):
    """Bookings that ended more than `months` months ago and still hold personal data."""
    return Booking.objects.filter(end__lt=anonymise_cutoff(months, at=at), anonymised_at__isnull=True)


def series_due(months: int, *, at: dt.datetime | None = None):
    """Series all of whose occurrences ended more than `months` months ago (or that have none, created that long
    ago), still holding personal data."""
    from django.db.models import Max, Q

    cutoff = anonymise_cutoff(months, at=at)
    holding = Q(booker__isnull=False) | ~Q(booker_name="") | ~Q(booker_email="") | ~Q(booker_phone="") | ~Q(title="")
    return (Series.objects.filter(holding).annotate(last_end=Max("occurrences__end"))
            .filter(Q(last_end__lt=cutoff) | Q(last_end__isnull=True, created_at__lt=cutoff)))


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date, dt.time)) else value


def personal_data(user) -> dict:
    """Everything Zaalboek keeps about `user` (AVG art. 15/20): account, profile, bookings, series, payments and the
    audit trail of their own actions. Machine-readable; amounts in cents, times ISO 8601 with offset."""
    profile = getattr(user, "profile", None)
    bookings = (Booking.objects.filter(booker=user).select_related("room__house").order_by("start", "pk"))
    series = Series.objects.filter(booker=user).select_related("room__house").order_by("created_at", "pk")
    payments = PaymentEntry.objects.filter(booking__booker=user).order_by("at", "pk")
    audit = AuditEntry.objects.filter(actor=user).order_by("at", "pk")
    return {
        "generated_at": now().isoformat(),
        "account": {"username": user.get_username(), "email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "date_joined": _iso(user.date_joined),
                    "last_login": _iso(user.last_login)},
        "profile": None if profile is None else {
            "role": profile.role, "postcode": profile.postcode, "phone": profile.phone,
            "organisation": profile.organisation, "adult_declared": profile.adult_declared,
            "language": profile.language, "private_feed": "ja (adres niet opgenomen)"},
        "houses": list(user.memberships.values_list("house__name", flat=True)),
        "bookings": [{
            "id": b.pk, "house": b.room.house.name, "room": b.room.name, "kind": b.kind, "status": b.status,
            "start": _iso(b.start), "end": _iso(b.end), "guests": b.guests, "alcohol": b.alcohol, "title": b.title,
            "notes": b.notes, "name": b.booker_name, "email": b.booker_email, "phone": b.booker_phone,
            "postcode": b.booker_postcode, "organisation": b.organisation, "total_cents": b.total_cents,
            "paid_cents": b.paid_cents, "refunded_cents": b.refunded_cents,
            "cancellation_fee_cents": b.cancellation_fee_cents, "deposit_cents": b.deposit_cents,
            "deposit_retained_cents": b.deposit_retained_cents, "decision_reason": b.decision_reason,
            "created_at": _iso(b.created_at), "decided_at": _iso(b.decided_at), "cancelled_at": _iso(b.cancelled_at),
        } for b in bookings],
        "series": [{
            "id": s.pk, "house": s.room.house.name, "room": s.room.name, "kind": s.kind, "status": s.status,
            "rule": str(s.recurrence), "start_time": _iso(s.start_time), "end_time": _iso(s.end_time),
            "first_date": _iso(s.first_date), "until": _iso(s.until), "guests": s.guests, "title": s.title,
            "name": s.booker_name, "email": s.booker_email, "phone": s.booker_phone, "organisation": s.organisation,
        } for s in series],
        "payments": [{"booking": p.booking_id, "kind": p.kind, "method": p.method, "amount_cents": p.amount_cents,
                      "at": _iso(p.at), "reason": p.reason} for p in payments],
        "audit": [{"at": _iso(a.at), "action": a.action, "object": f"{a.object_type}#{a.object_id}",
                   "from": a.from_status, "to": a.to_status, "reason": a.reason} for a in audit],
    }
