"""States as data: which status may follow which, and named predicates for what a state allows at a moment.

Services refuse an action whose predicate is false (`InvalidTransition`, 409); views and templates ask the same
predicates to decide which buttons to show, so a button is never offered for an action the service refuses.
Whether a *person* may act is asked in `boeking.access`; a page shows an action when both say yes.

| predicate | true when |
|---|---|
| `can_decide(booking, at)` (approve) | requested, decision deadline not passed, room and house active |
| `can_reject(booking, at)` | requested |
| `can_cancel(booking, at)` | holds its slot and has not started (a request may be withdrawn even after its start) |
| `can_pay(booking, at)` / `can_mark_paid` | approved (awaiting payment), deadline not passed, room and house active |
| `can_settle_deposit(booking, at)` | confirmed, ended, deposit not yet settled |
| `can_expire(booking, at)` | requested past its decision deadline, or approved past its payment deadline |
| `series_can_decide(series)` | requested |
| `series_can_change(series)` (cancel dates, split, restore) | requested or approved |
"""

from __future__ import annotations

import datetime as dt

from .errors import InvalidTransition
from .models import Booking, BookingStatus, Series, SeriesStatus

# Which status may follow which. Services check every change against these tables (`services.transitions`).
BOOKING_TRANSITIONS: dict[str, frozenset[str]] = BookingStatus.TRANSITIONS

SERIES_TRANSITIONS: dict[str, frozenset[str]] = {
    SeriesStatus.REQUESTED: frozenset({SeriesStatus.APPROVED, SeriesStatus.REJECTED, SeriesStatus.CANCELLED,
                                       SeriesStatus.EXPIRED}),
    SeriesStatus.APPROVED: frozenset({SeriesStatus.CANCELLED}),
    SeriesStatus.REJECTED: frozenset(),
    SeriesStatus.CANCELLED: frozenset(),
    SeriesStatus.EXPIRED: frozenset(),
}

# Named sets of states, so no caller compares status strings of its own.
HOLDING = frozenset(BookingStatus.HOLDING)
COUNTING = frozenset(BookingStatus.COUNTING)
FINAL = frozenset(s for s, following in BOOKING_TRANSITIONS.items() if not following)
SERIES_RUNNING = frozenset({SeriesStatus.REQUESTED, SeriesStatus.APPROVED})
SERIES_FINAL = frozenset(s for s, following in SERIES_TRANSITIONS.items() if not following)


def room_is_bookable(booking: Booking | Series) -> bool:
    """The booking's room and house are active (an inactive room takes no approvals or payments)."""
    room = booking.room
    return bool(room.active and room.house.active)


# Each `*_refusal` returns the error a service raises (None when the state allows the action); each `can_*` is
# the same answer as a bool for pages and templates. One definition, two uses.


def decide_refusal(booking: Booking, at: dt.datetime) -> InvalidTransition | None:
    if booking.status != BookingStatus.REQUESTED:
        return InvalidTransition(detail=f"Alleen aanvragen kunnen worden beoordeeld (status: "
                                        f"{booking.get_status_display()}).")
    if booking.decision_deadline <= at:
        return InvalidTransition("decision_deadline_passed",
                                 "De beslistermijn van deze aanvraag is verstreken; de aanvraag vervalt.")
    if not room_is_bookable(booking):
        return InvalidTransition("room_inactive", "Deze zaal is niet meer te boeken; annuleer de aanvraag.")
    return None


def reject_refusal(booking: Booking, at: dt.datetime) -> InvalidTransition | None:
    if booking.status != BookingStatus.REQUESTED:
        return InvalidTransition(detail=f"Alleen aanvragen kunnen worden afgewezen (status: "
                                        f"{booking.get_status_display()}).")
    return None


def cancel_refusal(booking: Booking, at: dt.datetime) -> InvalidTransition | None:
    if booking.status not in HOLDING:
        return InvalidTransition(detail=f"Een boeking met status '{booking.get_status_display()}' kan niet meer "
                                        "worden geannuleerd.")
    if booking.status != BookingStatus.REQUESTED and booking.start <= at:
        return InvalidTransition(detail="Een boeking die al begonnen of voorbij is, kan niet meer worden geannuleerd.")
    return None


def pay_refusal(booking: Booking, at: dt.datetime) -> InvalidTransition | None:
    if booking.status != BookingStatus.APPROVED:
        return InvalidTransition(detail=f"Alleen goedgekeurde boekingen die wachten op betaling kunnen worden "
                                        f"betaald (status: {booking.get_status_display()}).")
    if booking.payment_deadline is not None and booking.payment_deadline <= at:
        return InvalidTransition("payment_deadline_passed",
                                 "De betaaltermijn is verstreken; de boeking vervalt en kan niet meer worden betaald.")
    if not room_is_bookable(booking):
        return InvalidTransition("room_inactive", "Deze zaal is niet meer te boeken; de boeking kan niet worden "
                                                  "betaald.")
    return None


def settle_deposit_refusal(booking: Booking, at: dt.datetime) -> InvalidTransition | None:
    if booking.status != BookingStatus.CONFIRMED or booking.end > at:
        return InvalidTransition(detail="De borg wordt na afloop van een bevestigde boeking terugbetaald.")
    if booking.deposit_settled_at is not None:
        return InvalidTransition(detail="De borg is al afgehandeld.")
    return None


def can_decide(booking: Booking, at: dt.datetime) -> bool:
    return decide_refusal(booking, at) is None


def can_reject(booking: Booking, at: dt.datetime) -> bool:
    return reject_refusal(booking, at) is None


def can_cancel(booking: Booking, at: dt.datetime) -> bool:
    return cancel_refusal(booking, at) is None


def can_pay(booking: Booking, at: dt.datetime) -> bool:
    return pay_refusal(booking, at) is None


can_mark_paid = can_pay


def can_settle_deposit(booking: Booking, at: dt.datetime) -> bool:
    return settle_deposit_refusal(booking, at) is None


def can_expire(booking: Booking, at: dt.datetime) -> bool:
    if booking.status == BookingStatus.REQUESTED:
        return booking.decision_deadline <= at
    if booking.status == BookingStatus.APPROVED:
        return booking.payment_deadline is not None and booking.payment_deadline <= at
    return False


def is_completed(booking: Booking, at: dt.datetime) -> bool:
    """Past confirmed bookings are "completed" for reporting: derived from time, not stored."""
    return booking.status == BookingStatus.CONFIRMED and booking.end <= at


def series_decide_refusal(series: Series) -> InvalidTransition | None:
    if series.status != SeriesStatus.REQUESTED:
        return InvalidTransition(detail="Alleen aangevraagde reeksen kunnen worden beoordeeld.")
    return None


def series_change_refusal(series: Series) -> InvalidTransition | None:
    if series.status not in SERIES_RUNNING:
        return InvalidTransition(detail="Deze reeks is al geannuleerd, afgewezen of verlopen.")
    return None


def series_can_decide(series: Series) -> bool:
    return series_decide_refusal(series) is None


def series_can_change(series: Series) -> bool:
    return series_change_refusal(series) is None
