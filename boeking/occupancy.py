"""Occupancy (bezettingsgraad) of rooms and houses: hours open, hours used by bookings, the rate. Aggregates only.

Definitions (Europe/Amsterdam wall clock, real elapsed hours, so a DST night counts 1 hour more or less):

- **Open hours** of a room: the house's opening hours (`availability.opening_intervals`: cross-midnight rows run
  into the next day, a time in the spring gap moves to the next valid hour) minus closures of the house and of the
  room (`Closure`). Closed hours never count as open.
- **Booked hours**: approved and confirmed bookings (`BookingStatus.COUNTING`) of the room, clipped to its open
  hours (a booking's cleaning buffer is not use). Split by kind group: `private` (party, koffietafel, gathering),
  `association`, `community` (the house's own activities).
- **Rate**: booked / open, None when the room was not open.
- **Dagdeel**: by the clock, `ochtend` 06–12, `middag` 12–18, `avond` 18–24 and `nacht` 00–06. A night belongs to
  the evening before it: hours up to 06:00 count for the previous day (its date, weekday and month), so a party
  from 20:00 to 01:00 on Saturday is all Saturday's. A year is the days 1 January .. 31 December counted this way.

`occupancy(year, month=None, house_ids=None)` answers in five queries whatever the number of houses (houses, rooms,
opening hours, closures, bookings) and returns an `Occupancy` with per house and per room figures per month and
dagdeel, a weekday × dagdeel heat map per house, and city totals.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import intervals
from .availability import opening_intervals
from .clock import UTC, make_local
from .models import Booking, BookingStatus, Closure, OpeningHours, Room, kind_group

DAYPARTS: tuple[tuple[str, str, dt.time, dt.time], ...] = (
    ("ochtend", "morning", dt.time(6), dt.time(12)),
    ("middag", "afternoon", dt.time(12), dt.time(18)),
    ("avond", "evening", dt.time(18), dt.time(0)),
    ("nacht", "night", dt.time(0), dt.time(6)),
)
DAYPART_CODES = tuple(d[0] for d in DAYPARTS)
DAYPART_LABELS = {"ochtend": _("Ochtend (6–12 uur)"), "middag": _("Middag (12–18 uur)"),
                  "avond": _("Avond (18–24 uur)"), "nacht": _("Nacht (0–6 uur)")}
GROUPS = ("private", "association", "community")
DAY_STARTS = dt.time(6)  # an "operating day" runs from 06:00 to 06:00 the next morning


group_of = kind_group  # one home for which kind is in which group (boeking.models)


@dataclass
class Cell:
    """Seconds open and booked per group (a total over some slots); hours and rate derived."""

    open_s: float = 0.0
    booked_s: dict[str, float] = field(default_factory=lambda: {g: 0.0 for g in GROUPS})

    def add(self, other: Cell) -> None:
        self.open_s += other.open_s
        for g in GROUPS:
            self.booked_s[g] += other.booked_s[g]

    @property
    def open_hours(self) -> float:
        return round(self.open_s / 3600, 2)

    @property
    def booked_hours(self) -> float:
        return round(sum(self.booked_s.values()) / 3600, 2)

    def hours(self, group: str) -> float:
        return round(self.booked_s[group] / 3600, 2)

    @property
    def rate(self) -> float | None:
        """Booked / open as a fraction (0..1, 4 decimals); None when nothing was open."""
        return round(sum(self.booked_s.values()) / self.open_s, 4) if self.open_s else None

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage, rounded half up."""
        if not self.open_s:
            return None
        return int(sum(self.booked_s.values()) * 100 / self.open_s + 0.5)

    def as_dict(self) -> dict:
        return {"open_hours": self.open_hours, "booked_hours": self.booked_hours,
                "private_hours": self.hours("private"), "association_hours": self.hours("association"),
                "community_hours": self.hours("community"), "rate": self.rate}


SLOTS = 12 * 7 * 4  # month × weekday × dagdeel


def slot(month: int, weekday: int, part: int) -> int:
    """The index of (month 1-12, weekday 0=Monday, dagdeel index) in a room's arrays of seconds."""
    return ((month - 1) * 7 + weekday) * 4 + part


class _Grid:
    """The dagdeel boundaries of every operating day of a period, as epoch seconds (so comparisons and differences
    are real time, also across the autumn night), with the slot each piece between two boundaries belongs to."""

    def __init__(self, first: dt.date, last: dt.date):
        self.bounds: list[float] = []
        self.slots: list[int] = []
        day = first
        while day <= last:
            nxt = day + dt.timedelta(days=1)
            for part, (d, t) in enumerate(((day, dt.time(6)), (day, dt.time(12)), (day, dt.time(18)),
                                           (nxt, dt.time(0)))):
                self.bounds.append(make_local(d, t).timestamp())
                self.slots.append(slot(day.month, day.weekday(), part))
            day = nxt
        self.bounds.append(make_local(last + dt.timedelta(days=1), DAY_STARTS).timestamp())
        self.start, self.end = self.bounds[0], self.bounds[-1]

    def add(self, spans: Iterable[tuple[float, float]], into: list[float]) -> None:
        """Add the seconds of each half-open span `(start, end)` (epoch seconds) to its slots in `into`."""
        bounds, slots, last = self.bounds, self.slots, len(self.bounds) - 1
        for start, end in spans:
            start, end = max(start, self.start), min(end, self.end)
            if start >= end:
                continue
            i = bisect.bisect_right(bounds, start) - 1
            while start < end and i < last:
                stop = bounds[i + 1]
                if stop > end:
                    stop = end
                into[slots[i]] += stop - start
                start = stop
                i += 1


def _intersect(open_spans: list[tuple[float, float]], starts: list[float], start: float, end: float):
    """The parts of `[start, end)` inside the sorted, disjoint `open_spans` (`starts`: their start times)."""
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    while i < len(open_spans) and open_spans[i][0] < end:
        s, e = open_spans[i]
        if e > start:
            yield max(s, start), min(e, end)
        i += 1


def _matching(month: int | None, part: int | None, weekday: int | None) -> list[int]:
    return [slot(m, wd, p) for m in ([month] if month else range(1, 13)) for wd in
            ([weekday] if weekday is not None else range(7)) for p in ([part] if part is not None else range(4))]


@dataclass
class RoomOccupancy:
    """Seconds open and booked per group of one room, by slot (`slot()`); `open` may be shared between the rooms of
    a house without closures of their own (read-only)."""

    room: int
    room_name: str
    open: list[float]
    booked: dict[str, list[float]]

    def total(self, *, month: int | None = None, part: int | None = None, weekday: int | None = None) -> Cell:
        cell = Cell()
        for index in _matching(month, part, weekday):
            cell.open_s += self.open[index]
            for g in GROUPS:
                cell.booked_s[g] += self.booked[g][index]
        return cell


@dataclass
class HouseOccupancy:
    house: int
    house_name: str
    house_slug: str
    district: str
    house_type: str
    rooms: list[RoomOccupancy]

    def total(self, *, month: int | None = None, part: int | None = None, weekday: int | None = None) -> Cell:
        cell = Cell()
        for room in self.rooms:
            cell.add(room.total(month=month, part=part, weekday=weekday))
        return cell


@dataclass
class Occupancy:
    year: int
    month: int | None
    houses: list[HouseOccupancy]

    def city(self) -> Cell:
        cell = Cell()
        for house in self.houses:
            cell.add(house.total())
        return cell

    def ranking(self) -> list[tuple[HouseOccupancy, Cell]]:
        """Houses from least to most used (rate; houses never open last), then by name."""
        rows = [(h, h.total()) for h in self.houses]
        return sorted(rows, key=lambda hc: (hc[1].rate is None, hc[1].rate or 0, hc[0].house_name, hc[0].house))


def period(year: int, month: int | None = None) -> tuple[dt.date, dt.date]:
    """First and last operating day of `year` (or of `month` in it)."""
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    return dt.date(year, month, 1), last


def _epoch(spans) -> list[tuple[float, float]]:
    return [(s.timestamp(), e.timestamp()) for s, e in spans]


def occupancy(year: int, *, month: int | None = None, house_ids: Iterable[int] | None = None,
              houses=None) -> Occupancy:
    """Occupancy of every room of the houses (`usage.houses_for` order) in `year` (or one `month`) — five queries.

    `house_ids` None: every house usage is shown for; `houses`: an already loaded house list (saves its query).
    Houses with the same opening hours share the computation of their open hours.
    """
    from .usage import houses_for

    first, last = period(year, month)
    grid = _Grid(first, last)
    window_start = make_local(first, DAY_STARTS).astimezone(UTC)
    window_end = make_local(last + dt.timedelta(days=1), DAY_STARTS).astimezone(UTC)
    house_list = list(houses) if houses is not None else list(houses_for(house_ids=house_ids))
    ids = [h.pk for h in house_list]
    rooms: dict[int, list[Room]] = defaultdict(list)
    for room in Room.objects.filter(house_id__in=ids).order_by("name", "pk").only("pk", "name", "house_id"):
        rooms[room.house_id].append(room)
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in OpeningHours.objects.filter(house_id__in=ids):
        hours[row.house_id].append(row)
    house_closed: dict[int, list] = defaultdict(list)
    room_closed: dict[int, list] = defaultdict(list)
    for house_id, room_id, start, end in (Closure.objects.filter(house_id__in=ids, start__lt=window_end,
                                                                 end__gt=window_start)
                                          .values_list("house_id", "room_id", "start", "end")):
        (room_closed[room_id] if room_id else house_closed[house_id]).append((start.timestamp(), end.timestamp()))
    booked: dict[int, list] = defaultdict(list)
    for room_id, kind, start, end in (Booking.objects.filter(house_id__in=ids, status__in=BookingStatus.COUNTING,
                                                             start__lt=window_end, end__gt=window_start)
                                      .order_by("start").values_list("room_id", "kind", "start", "end")):
        booked[room_id].append((group_of(kind), start.timestamp(), end.timestamp()))
    pattern_spans: dict[tuple, list[tuple[float, float]]] = {}
    pattern_open: dict[tuple, list[float]] = {}
    result = []
    for house in house_list:
        rows = hours.get(house.pk, [])
        pattern = tuple(sorted((r.weekday, r.opens, r.closes) for r in rows))
        if pattern not in pattern_spans:
            spans = opening_intervals(house, first, last + dt.timedelta(days=1), hours=rows)
            pattern_spans[pattern] = intervals.clip(_epoch(spans), grid.start, grid.end)
        spans = pattern_spans[pattern]
        if house_closed.get(house.pk):
            spans = intervals.subtract(spans, house_closed[house.pk])
            house_open = [0.0] * SLOTS
            grid.add(spans, house_open)
        else:
            house_open = pattern_open.get(pattern)
            if house_open is None:
                house_open = pattern_open[pattern] = [0.0] * SLOTS
                grid.add(spans, house_open)
        room_rows = []
        for room in rooms.get(house.pk, []):
            room_spans, room_open = spans, house_open
            if room_closed.get(room.pk):
                room_spans = intervals.subtract(spans, room_closed[room.pk])
                room_open = [0.0] * SLOTS
                grid.add(room_spans, room_open)
            used = {g: [0.0] * SLOTS for g in GROUPS}
            if booked.get(room.pk):
                starts = [s for s, _ in room_spans]
                for group, start, end in booked[room.pk]:
                    grid.add(_intersect(room_spans, starts, start, end), used[group])
            room_rows.append(RoomOccupancy(room=room.pk, room_name=room.name, open=room_open, booked=used))
        district = house.neighbourhood.district
        result.append(HouseOccupancy(house=house.pk, house_name=house.name, house_slug=house.slug,
                                     district=district.name, house_type=house.house_type, rooms=room_rows))
    return Occupancy(year=year, month=month, houses=result)


def house_dict(house: HouseOccupancy, *, months: Iterable[int], detail: bool = True) -> dict:
    """The API's shape of one house: totals, per month × dagdeel, the weekday × dagdeel heat map, rooms."""
    out = {"house": house.house, "house_name": house.house_name, "district": house.district,
           "house_type": house.house_type, **house.total().as_dict()}
    if not detail:
        return out
    months = list(months)
    out["months"] = [{"month": m, "daypart": DAYPART_CODES[p], **house.total(month=m, part=p).as_dict()}
                     for m in months for p in range(len(DAYPARTS))]
    out["heat"] = [{"weekday": wd, "daypart": DAYPART_CODES[p], **house.total(weekday=wd, part=p).as_dict()}
                   for wd in range(7) for p in range(len(DAYPARTS))]
    rooms = []
    for room in house.rooms:
        single = HouseOccupancy(house.house, house.house_name, house.house_slug, house.district, house.house_type,
                                [room])
        rooms.append({"room": room.room, "room_name": room.room_name, **single.total().as_dict(),
                      "months": [{"month": m, "daypart": DAYPART_CODES[p],
                                  **single.total(month=m, part=p).as_dict()}
                                 for m in months for p in range(len(DAYPARTS))]})
    out["rooms"] = rooms
    return out
