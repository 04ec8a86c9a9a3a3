"""Closures and inactive rooms: periods a house or room cannot be used, and the bookings they hit.

A closure (or switching a room or house off) never cancels bookings by itself: the board sees the bookings it
hits (`closure_affected_bookings`, `inactive_room_bookings`) and confirms cancelling them
(`closure_cancel_affected`, `unavailable_cancel`), which refunds in full (cancelled by the board) and tells the
bookers — one mail per series for series dates, which are kept as skips with the reason.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet

from boeking import access, bounds, notifications, states
from boeking.clock import local, now
from boeking.errors import InvalidInput, NotAllowed
from boeking.models import Booking, BookingStatus, Closure, House, Room, SeriesSkip, SkipReason

from .audit import audit
from .transitions import lock_booking, transition


def closure_create(*, actor, house: House, start: dt.datetime, end: dt.datetime, reason: str,
                   room: Room | None = None) -> Closure:
    """Close a house (or one room) for `[start, end)`, between 2000 and 2100 (`boeking.bounds`). Existing
    bookings are not touched here: the board sees them (`closure_affected_bookings`) and decides."""
    if not access.can_manage_house(actor, house):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan het sluiten.")
    bounds.check_period(start, end, what="de sluiting")
    reason = bounds.check_text(reason, field="closure_reason", required=True,
                               required_message="Geef een reden voor de sluiting.")
    if room is not None and room.house_id != house.pk:
        raise InvalidInput("room_not_in_house", "Deze zaal hoort niet bij dit huis.")
    with transaction.atomic():
        closure = Closure.objects.create(house=house, room=room, start=start, end=end, reason=reason)
        audit(actor=actor, action="closure.created", obj=closure, reason=reason,
              data={"start": start.isoformat(), "end": end.isoformat(), "room": room.pk if room else None})
        return closure


def closure_delete(*, actor, closure: Closure) -> None:
    if not access.can_manage_closure(actor, closure):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan deze sluiting verwijderen.")
    with transaction.atomic():
        audit(actor=actor, action="closure.deleted", obj=closure, reason=closure.reason,
              data={"start": closure.start.isoformat(), "end": closure.end.isoformat()})
        closure.delete()


def closure_affected_bookings(closure: Closure) -> QuerySet[Booking]:
    """Bookings that hold a slot during `closure` (series occurrences and one-off bookings), future ones first."""
    qs = Booking.objects.active().filter(start__lt=closure.end, end__gt=closure.start, house_id=closure.house_id)
    if closure.room_id:
        qs = qs.filter(room_id=closure.room_id)
    return qs.select_related("series", "room").order_by("start")


def inactive_room_bookings(houses) -> QuerySet[Booking]:
    """Future bookings that hold a slot in a room or house that is switched off (`active` unticked)."""
    return (Booking.objects.active().filter(house__in=houses, start__gt=now())
            .filter(Q(room__active=False) | Q(house__active=False))
            .select_related("series", "room", "house").order_by("start"))


def closure_cancel_affected(*, closure: Closure, actor, booking_ids: list[int] | None = None) -> list[Booking]:
    """The board confirms cancelling the bookings a (later added) closure hits; `booking_ids` limits it to some."""
    if not access.can_manage_closure(actor, closure):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")
    affected = list(closure_affected_bookings(closure))
    if booking_ids is not None:
        wanted = set(booking_ids)
        affected = [b for b in affected if b.pk in wanted]
    with transaction.atomic():
        cancelled = _cancel_unavailable(affected, actor=actor, reason=f"Gesloten: {closure.reason}",
                                        data={"scope": "closure", "closure": closure.pk})
        audit(actor=actor, action="closure.bookings_cancelled", obj=closure, reason=closure.reason,
              data={"cancelled": [b.pk for b in cancelled]})
    return cancelled


def unavailable_cancel(*, actor, bookings: list[Booking], reason: str = "") -> list[Booking]:
    """The board cancels future bookings in a room or house that was switched off."""
    for booking in bookings:
        if not access.can_manage_house(actor, booking.house_id):
            raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")
    reason = bounds.check_text(reason, field="reason") or "De zaal is niet meer te boeken"
    return _cancel_unavailable(bookings, actor=actor, reason=reason, data={"scope": "room_inactive"})


def _cancel_unavailable(bookings: list[Booking], *, actor, reason: str, data: dict) -> list[Booking]:
    """Cancel each booking by the board (full refund). One-off bookings through `booking_cancel` (its refund and
    mail); series dates without a mail each, kept as skips, and one mail per series."""
    from .bookings import booking_cancel

    cancelled, per_series = [], {}
    with transaction.atomic():
        for booking in bookings:
            if booking.start <= now() or not states.can_cancel(booking, now()):
                continue  # what has started or passed is never changed
            if booking.series_id is None:
                cancelled.append(booking_cancel(booking=booking, actor=actor, reason=reason))
                continue
            locked = lock_booking(booking)
            if not states.can_cancel(locked, now()):
                continue
            locked.cancelled_at = now()
            transition(locked, BookingStatus.CANCELLED, actor=actor, reason=reason, action="booking.cancelled",
                       data={"series": booking.series_id, **data})
            SeriesSkip.objects.update_or_create(
                series_id=booking.series_id, date=local(booking.start).date(),
                defaults={"reason": SkipReason.CLOSURE if data.get("scope") == "closure" else SkipReason.OTHER,
                          "detail": reason[:300]})
            per_series.setdefault(booking.series_id, []).append(locked.pk)
            cancelled.append(locked)
        for series_id, ids in per_series.items():
            notifications.series_cancelled(series_id, ids)
    return cancelled
