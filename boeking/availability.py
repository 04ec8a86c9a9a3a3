"""When a room is open, busy and free: opening hours minus closures minus bookings with their buffers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import intervals
from .clock import local_midnight, make_local
from .errors import InvalidLocalTime
from .intervals import Interval
from .models import Booking, Closure, House, OpeningHours, Room


def opening_intervals(house: House, first_day: dt.date, last_day: dt.date, *, hours=None) -> list[Interval]:
    """Opening intervals of `house` from the start of `first_day` to the end of `last_day` (local dates, inclusive).

    An interval whose closing time is at or before its opening time runs past midnight into the next day;
    the previous evening's interval is therefore included. Adjacent intervals are merged.
    """
    rows = list(hours if hours is not None else OpeningHours.objects.filter(house=house))
    by_weekday: dict[int, list[OpeningHours]] = {}
    for row in rows:
        by_weekday.setdefault(row.weekday, []).append(row)
    result: list[Interval] = []
    day = first_day - dt.timedelta(days=1)
    while day <= last_day:
        for row in by_weekday.get(day.weekday(), []):
            close_day = day + dt.timedelta(days=1) if row.crosses_midnight else day
            try:
                result.append((make_local(day, row.opens), make_local(close_day, row.closes)))
            except InvalidLocalTime:
                # Opening at 02:30 on the night the clocks change: the interval starts/ends at the next valid hour.
                result.append((_nearest_valid(day, row.opens), _nearest_valid(close_day, row.closes)))
        day += dt.timedelta(days=1)
    window_start = local_midnight(first_day)
    window_end = local_midnight(last_day + dt.timedelta(days=1))
    return intervals.clip(intervals.merge(result), window_start, window_end)


def _nearest_valid(day: dt.date, clock_time: dt.time) -> dt.datetime:
    naive = dt.datetime.combine(day, clock_time)
    for minutes in range(0, 121, 1):
        try:
            return make_local((naive + dt.timedelta(minutes=minutes)).date(),
                              (naive + dt.timedelta(minutes=minutes)).time())
        except InvalidLocalTime:
            continue
    raise InvalidLocalTime("nonexistent_local_time", f"{naive} has no valid local time nearby")


@dataclass(frozen=True)
class Availability:
    busy: list[Interval]
    open: list[Interval]
    closed: list[Interval]


def room_availability(room: Room, first_day: dt.date, last_day: dt.date) -> Availability:
    """Busy, free and closed intervals of `room` over local days `first_day`..`last_day` (both inclusive).

    - busy: bookings that hold the slot, each followed by its cleaning buffer; merged. No personal data.
    - open: when a new booking (followed by this room's buffer) can take place: opening hours minus closures
      minus busy, also minus the buffer before each busy block.
    - closed: closures of the house or this room.
    Three queries, whatever the size of the range.
    """
    window_start = local_midnight(first_day)
    window_end = local_midnight(last_day + dt.timedelta(days=1))
    buffer = dt.timedelta(minutes=room.buffer_minutes)
    # Up to a buffer past the range: a booking just after it still needs its buffer before, inside the range.
    busy_raw = list(
        Booking.objects.active()
        .filter(room=room)
        .in_period(window_start, window_end + buffer)
        .values_list("start", "blocked_until")
    )
    closed_raw = list(Closure.objects.affecting(room, window_start, window_end).values_list("start", "end"))
    opening = opening_intervals(room.house, first_day, last_day)
    blocked = [(start - buffer, until) for start, until in busy_raw]
    free = intervals.subtract(opening, [*closed_raw, *blocked])
    return Availability(
        busy=intervals.clip(intervals.merge(busy_raw), window_start, window_end),
        open=free,
        closed=intervals.clip(intervals.merge(closed_raw), window_start, window_end),
    )
