"""Which bookings are due a reminder, and queueing each reminder once (the mails are boeking.notifications').

| kind | to | when (settings) | while |
|---|---|---|---|
| payment | booker | the payment deadline is within 48 h (`ZAALBOEK_REMINDER_PAYMENT_HOURS`) | approved, not fully paid |
| event | booker | the start is within 48 h (`ZAALBOEK_REMINDER_EVENT_HOURS`) | confirmed |
| decision | board | the request expires within 24 h (`ZAALBOEK_REMINDER_DECISION_HOURS`) | undecided |
| deposit | board | 24 h after the end (`ZAALBOEK_REMINDER_DEPOSIT_HOURS`), up to 30 days | deposit neither returned nor kept |

Each kind can be turned off per house (`HouseReminderSettings`). A booking that entered its state less than 12 hours
ago gets no reminder yet: the mail that told it (approval, request, confirmation) is reminder enough. The scan runs
hourly (the schedule's `reminders`); a `Reminder` row per booking and kind, written in the same transaction as the
mail's job, keeps a later scan from queueing it again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from boeking import notifications
from boeking.clock import now
from boeking.models import Booking, BookingStatus

from .models import HouseReminderSettings, Reminder, ReminderKind

SETTLE_LOOKBACK = dt.timedelta(days=30)  # older unsettled deposits are the board's bookkeeping, not a reminder
QUIET = dt.timedelta(hours=12)

MAILS = {
    ReminderKind.PAYMENT: notifications.payment_reminder,
    ReminderKind.EVENT: notifications.event_reminder,
    ReminderKind.DECISION: notifications.decision_reminder,
    ReminderKind.DEPOSIT: notifications.deposit_reminder,
}


def _hours(name: str) -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, name))


def due(kind: str, at: dt.datetime) -> QuerySet[Booking]:
    """Bookings due a reminder of `kind` at `at` that have not had one, in houses that send it."""
    bookings = Booking.objects.all()
    if kind == ReminderKind.PAYMENT:
        bookings = bookings.filter(status=BookingStatus.APPROVED, payment_deadline__gt=at,
                                   payment_deadline__lte=at + _hours("ZAALBOEK_REMINDER_PAYMENT_HOURS"),
                                   total_cents__gt=F("paid_cents"), decided_at__lte=at - QUIET)
    elif kind == ReminderKind.EVENT:
        bookings = bookings.filter(status=BookingStatus.CONFIRMED, start__gt=at,
                                   start__lte=at + _hours("ZAALBOEK_REMINDER_EVENT_HOURS"),
                                   confirmed_at__lte=at - QUIET)
    elif kind == ReminderKind.DECISION:
        bookings = bookings.filter(status=BookingStatus.REQUESTED, decision_deadline__gt=at,
                                   decision_deadline__lte=at + _hours("ZAALBOEK_REMINDER_DECISION_HOURS"),
                                   created_at__lte=at - QUIET)
    elif kind == ReminderKind.DEPOSIT:
        ended_before = at - _hours("ZAALBOEK_REMINDER_DEPOSIT_HOURS")
        bookings = bookings.filter(status=BookingStatus.CONFIRMED, deposit_cents__gt=0,
                                   deposit_settled_at__isnull=True, end__lte=ended_before,
                                   end__gt=ended_before - SETTLE_LOOKBACK)
    else:
        raise ValueError(f"unknown reminder kind {kind!r}")
    off = HouseReminderSettings.objects.filter(**{kind: False}).values("house_id")
    done = Reminder.objects.filter(kind=kind).values("booking_id")
    return bookings.exclude(house_id__in=off).exclude(pk__in=done).order_by("pk")


def queue_due(at: dt.datetime | None = None) -> dict[str, int]:
    """Queue every reminder due at `at` (now): one mail job per booking and kind, ever. Returns counts per kind."""
    at = at or now()
    counts = {}
    for kind, mail in MAILS.items():
        counts[kind.value] = 0
        for booking_id in due(kind, at).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    Reminder.objects.create(booking_id=booking_id, kind=kind, queued_at=at)
                    mail(booking_id)
            except IntegrityError:
                continue  # queued by a run at the same time
            counts[kind.value] += 1
    return counts
