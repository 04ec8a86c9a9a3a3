"""Locking and status changes, public for every service (bookings, payments, series, closures).

Lock order is always house, then series, then booking, so two services can never deadlock. `no_key`
(FOR NO KEY UPDATE) lets new bookings keep referencing the house meanwhile; `of=self` leaves joined rows unlocked.
"""

from __future__ import annotations

from typing import Any

from boeking import states
from boeking.clock import now
from boeking.errors import InvalidTransition
from boeking.models import Booking, BookingStatus, House, Series, SeriesStatus

from .audit import audit


def lock_house(house_id: int) -> House:
    """The per-house lock: held while caps are counted and slots given, so concurrent decisions serialise."""
    return House.objects.select_for_update(no_key=True).get(pk=house_id)


def lock_booking(booking: Booking | int, *, house: bool = False) -> Booking:
    """Re-read a booking under a row lock; with `house`, first take its house's lock (the per-house cap lock)."""
    pk = booking if isinstance(booking, int) else booking.pk
    if house:
        house_id = booking.house_id if isinstance(booking, Booking) and booking.house_id else (
            Booking.objects.values_list("house_id", flat=True).get(pk=pk))
        lock_house(house_id)
    return Booking.objects.select_for_update(of=("self",)).select_related("room__house").get(pk=pk)


def lock_series(series: Series) -> Series:
    """Take the house lock, then re-read `series` under a row lock."""
    lock_house(series.house_id)
    return Series.objects.select_for_update(of=("self",)).select_related("room__house").get(pk=series.pk)


def transition(booking: Booking, to_status: str, *, actor, reason: str = "", action: str,
               data: dict[str, Any] | None = None) -> Booking:
    """Check `to_status` against `states.BOOKING_TRANSITIONS`, set it, save and audit. The caller holds the lock."""
    from_status = booking.status
    if to_status not in states.BOOKING_TRANSITIONS[from_status]:
        raise InvalidTransition(
            detail=f"Een boeking met status '{BookingStatus(from_status).label}' kan niet naar "
                   f"'{BookingStatus(to_status).label}'.")
    booking.status = to_status
    booking.updated_at = now()
    booking.sequence += 1
    booking.save()
    audit(actor=actor, action=action, booking=booking, from_status=from_status, to_status=to_status, reason=reason,
          data=data)
    if to_status == BookingStatus.CANCELLED:
        # However it was cancelled (by the booker, the board, a closure, a series change): an invoiced booking gets a
        # credit note (boeking.invoicing), in the same transaction.
        from boeking import invoicing

        invoicing.on_booking_cancelled(booking, actor)
    return booking


def series_transition(series: Series, to_status: str, *, actor, reason: str = "", action: str,
                      data: dict[str, Any] | None = None) -> Series:
    """Check `to_status` against `states.SERIES_TRANSITIONS`, set it, save and audit. The caller holds the lock."""
    from_status = series.status
    if to_status not in states.SERIES_TRANSITIONS[from_status]:
        raise InvalidTransition(
            detail=f"Een reeks met status '{SeriesStatus(from_status).label}' kan niet naar "
                   f"'{SeriesStatus(to_status).label}'.")
    series.status = to_status
    series.updated_at = now()
    series.save(update_fields=["status", "updated_at", "decided_at", "decided_by", "decision_reason"])
    audit(actor=actor, action=action, obj=series, from_status=from_status, to_status=to_status, reason=reason,
          data=data)
    return series
