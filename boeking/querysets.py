"""Time and counting queries. Edge rules are in each docstring."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connections, models
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Q

if TYPE_CHECKING:
    from .models import House, Room


class BookingQuerySet(models.QuerySet):
    def active(self) -> BookingQuerySet:
        """Bookings that hold their slot: requested, approved, confirmed."""
        from .models import BookingStatus

        return self.filter(status__in=BookingStatus.HOLDING)

    def overlapping(
        self, room: Room | int, start: dt.datetime, end: dt.datetime, *, buffer_minutes: int = 0
    ) -> BookingQuerySet:
        """Active bookings of `room` that clash with a new booking `[start, end)` followed by `buffer_minutes`.

        Half-open intervals; each booking blocks `[start, blocked_until)` where `blocked_until = end + its
        buffer`. A booking ending exactly when another starts does not overlap, unless a buffer lies between.
        """
        new_blocked_until = end + dt.timedelta(minutes=buffer_minutes)
        return self.active().filter(room=room, start__lt=new_blocked_until, blocked_until__gt=start)

    def in_period(self, start: dt.datetime, end: dt.datetime) -> BookingQuerySet:
        """All bookings whose blocked time `[start, blocked_until)` touches `[start, end)`, even partially."""
        return self.filter(start__lt=end, blocked_until__gt=start)

    def holding_during(self, start: dt.datetime, end: dt.datetime) -> BookingQuerySet:
        """`active().in_period(start, end)`: bookings holding their slot whose blocked time `[start, blocked_until)`
        overlaps `[start, end)`. On PostgreSQL written as the range overlap `tstzrange(start, blocked_until) && [start,
        end)` — the same set for `start < end` (an empty range overlaps nothing) — so the GiST index
        `booking_holding_period` finds them among all rooms at once (a national-scale search for a date reads ~1,600
        of a million rows instead of all of them)."""
        from .models import TsTzRange

        holding = self.active()
        if connections[self.db].vendor != "postgresql":
            return holding.in_period(start, end)
        return holding.alias(holding_period=TsTzRange("start", "blocked_until", output_field=DateTimeRangeField())
                             ).filter(holding_period__overlap=DateTimeTZRange(start, end, "[)"))

    def counting_towards_cap(self, house: House | int, kind: str, year: int) -> BookingQuerySet:
        """Bookings a cap counts: approved and confirmed (past ones too) of `house` and `kind` whose local start
        falls in calendar `year`. Requested ones do not count (see `pending_for_cap`)."""
        from .models import BookingStatus

        return self.filter(house=house, kind=kind, local_year=year, status__in=BookingStatus.COUNTING)

    def pending_for_cap(self, house: House | int, kind: str, year: int) -> BookingQuerySet:
        """Requests of `house` and `kind` in `year` still awaiting a decision: shown next to a cap, not counted."""
        from .models import BookingStatus

        return self.filter(house=house, kind=kind, local_year=year, status=BookingStatus.REQUESTED)

    def visible_to(self, user) -> BookingQuerySet:
        """What `user` may see (`boeking.access.visible_filter`): own bookings, all bookings of houses they
        volunteer for; admins all; the municipality and anonymous users none."""
        from .access import visible_filter

        condition = visible_filter(user)
        return self if condition is None else self.filter(condition)


class SeriesQuerySet(models.QuerySet):
    def visible_to(self, user) -> SeriesQuerySet:
        """What `user` may see, as for bookings: own series, all series of houses they volunteer for; admins all."""
        from .access import visible_filter

        condition = visible_filter(user)
        return self if condition is None else self.filter(condition)


class ClosureQuerySet(models.QuerySet):
    def affecting(self, room: Room, start: dt.datetime, end: dt.datetime) -> ClosureQuerySet:
        """Closures of the room's house (whole house or this room) that overlap `[start, end)` (half-open)."""
        return self.filter(
            Q(room__isnull=True, house_id=room.house_id) | Q(room=room),
            start__lt=end,
            end__gt=start,
        )
