"""When a room is open, busy and free: opening hours minus closures minus bookings with their buffers.

Everything about one room over a range of days comes from ONE SQL statement (`load_window`): the room's buffer and
whether it can be booked, its house's weekly opening hours, the closures and the slot-holding bookings. The weekly
opening hours are turned into intervals once per (hours, range) and remembered (`opening_intervals`), because
calendars ask for the same months over and over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime, parse_time

from . import intervals
from .bounds import MAX_BUFFER_MINUTES
from .clock import TZ, UTC, local_midnight, make_local
from .errors import InvalidLocalTime
from .intervals import Interval
from .models import Booking, BookingStatus, Closure, House, OpeningHours, Room

# (weekday 0 = Monday, opens, closes): one opening interval of a house; `closes <= opens` runs past midnight.
WeeklyHours = tuple[tuple[int, dt.time, dt.time], ...]


def opening_intervals(house: House | int, first_day: dt.date, last_day: dt.date, *, hours=None) -> list[Interval]:
    """Opening intervals of `house` from the start of `first_day` to the end of `last_day` (local dates, inclusive).

    An interval whose closing time is at or before its opening time runs past midnight into the next day;
    the previous evening's interval is therefore included. Adjacent intervals are merged. `hours`: the house's
    `OpeningHours` rows (or `(weekday, opens, closes)` tuples) when the caller has them; else one query.
    """
    if hours is None:
        house_id = house.pk if isinstance(house, House) else house
        hours = OpeningHours.objects.filter(house_id=house_id).order_by().values_list("weekday", "opens", "closes")
    weekly = tuple(sorted((row.weekday, row.opens, row.closes) if isinstance(row, OpeningHours) else tuple(row)
                          for row in hours))
    return list(_opening_intervals(weekly, first_day, last_day))


@lru_cache(maxsize=4096)
def _opening_intervals(weekly: WeeklyHours, first_day: dt.date, last_day: dt.date) -> tuple[Interval, ...]:
    """The computation behind `opening_intervals`, remembered: a pure function of the weekly hours and the range."""
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in weekly:
        by_weekday.setdefault(weekday, []).append((opens, closes))
    result: list[Interval] = []
    day = first_day - dt.timedelta(days=1)
    while day <= last_day:
        for opens, closes in by_weekday.get(day.weekday(), ()):
            close_day = day + dt.timedelta(days=1) if closes <= opens else day
            try:
                result.append((make_local(day, opens), make_local(close_day, closes)))
            except InvalidLocalTime:
                # Opening at 02:30 on the night the clocks change: the interval starts/ends at the next valid hour.
                result.append((_nearest_valid(day, opens), _nearest_valid(close_day, closes)))
        day += dt.timedelta(days=1)
    window_start = local_midnight(first_day)
    window_end = local_midnight(last_day + dt.timedelta(days=1))
    return tuple(intervals.clip(intervals.merge(result), window_start, window_end))


def _nearest_valid(day: dt.date, clock_time: dt.time) -> dt.datetime:
    """The instant an opening or closing time means on `day` when the wall clock shows it twice or not at all. Twice
    (the autumn night, 02:00–03:00): its second showing, in winter time — a house open until 02:00 is open through
    the repeated hour and closes when the clock shows 02:00 for the last time (as PostgreSQL reads such a time).
    Not at all (the spring gap): the first minute after the gap (03:00)."""
    naive = dt.datetime.combine(day, clock_time)
    try:
        return make_local(day, clock_time)
    except InvalidLocalTime as exc:
        if exc.code == "ambiguous_local_time":
            # In UTC: Python compares an aware time in the repeated hour unequal to every time of another zone.
            return naive.replace(tzinfo=TZ, fold=1).astimezone(UTC)
    for minutes in range(1, 121):
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


@dataclass(frozen=True)
class Window:
    """What one statement (`load_window`) returns about a room over local days `first_day`..`last_day`."""

    room_id: int
    bookable: bool  # the room and its house are active
    buffer_minutes: int
    hours: WeeklyHours  # the house's weekly opening hours, sorted
    closures: tuple[Interval, ...]  # of the house or this room, overlapping the range; sorted
    busy: tuple[Interval, ...]  # slot-holding bookings [start, blocked_until) up to a buffer past the range; sorted
    first_day: dt.date
    last_day: dt.date

    def fingerprint(self) -> str:
        """A digest of everything the availability of this window is computed from (hex, 32 characters): equal
        fingerprints give byte-identical answers, and any booking, closure, opening hour or buffer that changes
        the answer changes it. The API's ETag."""
        parts = [f"v1|{self.room_id}|{self.bookable:d}|{self.buffer_minutes}|{self.first_day}|{self.last_day}"]
        parts += [f"h{w},{o.isoformat()},{c.isoformat()}" for w, o, c in self.hours]
        parts += [f"c{s.timestamp()},{e.timestamp()}" for s, e in self.closures]
        parts += [f"b{s.timestamp()},{e.timestamp()}" for s, e in self.busy]
        return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


_HOLDING = tuple(s.value for s in BookingStatus.HOLDING)


@lru_cache(maxsize=4)
def _window_sql(vendor: str) -> str:
    room, house = Room._meta.db_table, House._meta.db_table
    hours, closure, booking = OpeningHours._meta.db_table, Closure._meta.db_table, Booking._meta.db_table
    # A booking starting up to the room's buffer after the range still blocks the buffer before it, inside the range.
    if vendor == "postgresql":
        # Typed: with server-side binding (the prepared statement) a parameter's type is not guessed from text.
        buffered_end = "CAST(%s AS timestamp with time zone) + r.buffer_minutes * interval '1 minute'"
    elif vendor == "sqlite":
        buffered_end = "datetime(%s, '+' || r.buffer_minutes || ' minutes')"
    else:  # pragma: no cover - Zaalboek runs on PostgreSQL and SQLite
        raise NotImplementedError(vendor)
    statuses = ", ".join(f"'{s}'" for s in _HOLDING)
    # The first branch types every column (PostgreSQL resolves a UNION's column types pairwise, left to right).
    return f"""
        SELECT 0, CAST(NULL AS timestamp with time zone), CAST(NULL AS timestamp with time zone),
               r.buffer_minutes, CAST(NULL AS time), CAST(NULL AS time), CASE WHEN r.active AND h.active THEN 1 ELSE 0 END
          FROM {room} r JOIN {house} h ON h.id = r.house_id WHERE r.id = %s
        UNION ALL
        SELECT 1, NULL, NULL, o.weekday, o.opens, o.closes, NULL
          FROM {hours} o JOIN {room} r ON r.house_id = o.house_id WHERE r.id = %s
        UNION ALL
        SELECT 2, c.start, c."end", NULL, NULL, NULL, NULL
          FROM {closure} c JOIN {room} r ON r.id = %s
         WHERE (c.room_id = r.id OR (c.room_id IS NULL AND c.house_id = r.house_id)) AND c.start < %s AND c."end" > %s
        UNION ALL
        SELECT 3, b.start, b.blocked_until, NULL, NULL, NULL, NULL
          FROM {booking} b JOIN {room} r ON r.id = b.room_id
         WHERE b.room_id = %s AND b.status IN ({statuses}) AND b.blocked_until > %s AND b.start < {buffered_end}
    """


def _aware(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite keeps datetimes as text, in UTC
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _clock(value) -> dt.time:
    return parse_time(value) if isinstance(value, str) else value


def load_window(room_id: int, first_day: dt.date, last_day: dt.date) -> Window | None:
    """The room's buffer, its house's weekly opening hours, its closures and its slot-holding bookings over local
    days `first_day`..`last_day` (inclusive), in ONE SQL statement. None when there is no room `room_id`."""
    start, end = local_midnight(first_day), local_midnight(last_day + dt.timedelta(days=1))
    adapt = connection.ops.adapt_datetimefield_value
    s, e = adapt(start), adapt(end)
    # Prepared on PostgreSQL (config.postgresql): parsed and planned once per connection, not at every call.
    prepared = getattr(connection, "prepared_cursor", None)
    with (prepared() if prepared else connection.cursor()) as cursor:
        cursor.execute(_window_sql(connection.vendor), [room_id, room_id, room_id, e, s, room_id, s, e])
        rows = cursor.fetchall()
    room = next((r for r in rows if r[0] == 0), None)
    if room is None:
        return None
    hours, closures, busy = [], [], []
    for kind, a, b, n, opens, closes, _active in rows:
        if kind == 1:
            hours.append((n, _clock(opens), _clock(closes)))
        elif kind == 2:
            closures.append((_aware(a), _aware(b)))
        elif kind == 3:
            busy.append((_aware(a), _aware(b)))
    return Window(room_id=room_id, bookable=bool(room[6]), buffer_minutes=room[3], hours=tuple(sorted(hours)),
                  closures=tuple(sorted(closures)), busy=tuple(sorted(busy)), first_day=first_day, last_day=last_day)


def compute(window: Window) -> Availability:
    """Busy, open and closed intervals from what `load_window` read (no queries). See `room_availability`."""
    window_start = local_midnight(window.first_day)
    window_end = local_midnight(window.last_day + dt.timedelta(days=1))
    buffer = dt.timedelta(minutes=window.buffer_minutes)
    opening = _opening_intervals(window.hours, window.first_day, window.last_day)
    blocked = [(start - buffer, until) for start, until in window.busy]
    free = intervals.subtract(opening, [*window.closures, *blocked])
    return Availability(
        busy=intervals.clip(intervals.merge(window.busy), window_start, window_end),
        open=free,
        closed=intervals.clip(intervals.merge(window.closures), window_start, window_end),
    )


def room_availability(room: Room | int, first_day: dt.date, last_day: dt.date) -> Availability:
    """Busy, free and closed intervals of `room` over local days `first_day`..`last_day` (both inclusive).

    - busy: bookings that hold the slot, each followed by its cleaning buffer; merged. No personal data.
    - open: when a new booking (followed by this room's buffer) can take place: opening hours minus closures
      minus busy, also minus the buffer before each busy block.
    - closed: closures of the house or this room.
    One query, whatever the size of the range. Raises `Room.DoesNotExist` for an unknown room.
    """
    window = load_window(room.pk if isinstance(room, Room) else int(room), first_day, last_day)
    if window is None:
        raise Room.DoesNotExist(f"No room {room}")
    return compute(window)


NEVER_OPEN = Availability(busy=[], open=[], closed=[])


@dataclass(frozen=True)
class Answers:
    """The availability of many rooms over the same local days, without one object per room (`load_answers`):
    a room without bookings or closures of its own has the answer of its house's weekly hours (or of its house,
    when the house has closures in the range), the others their own.

    - `by_hours`: `{House.weekly_hours: Availability}` of a room with no booking and no closure in the range, in a
      house with those weekly hours and no closure in the range — every weekly-hours text among the rooms read.
    - `by_house`: `{house_id: Availability}` of such a room in a house that has closures in the range.
    - `by_room`: `{room_id: Availability}` of the rooms with bookings holding a slot (or closures of their own)
      in the range.
    - `hours_of`: `{house_id: House.weekly_hours}` of the houses in `by_house` and of the rooms in `by_room`.
    - `house_of`: `{room_id: house_id}` of the rooms in `by_room`.
    Equal inputs give the same object: the answers are shared and must not be changed.
    """

    by_hours: dict[str, Availability]
    by_house: dict[int, Availability]
    by_room: dict[int, Availability]
    hours_of: dict[int, str]
    house_of: dict[int, int]

    def of(self, room: Room) -> Availability:
        """The answer of `room` (one of those read; its `house` loaded, else one query for it)."""
        answer = self.by_room.get(room.pk)
        return answer if answer is not None else self.answer(room.pk, room.house_id, room.house.weekly_hours)

    def answer(self, room_id: int, house_id: int, weekly_hours: str) -> Availability:
        """The answer of room `room_id` (one of those read) of house `house_id` with those `weekly_hours`."""
        answer = self.by_room.get(room_id)
        if answer is None:
            answer = self.by_house.get(house_id)
        if answer is None:
            answer = self.by_hours.get(weekly_hours, NEVER_OPEN)
        return answer

    def rooms_where(self, passes: Callable[[Availability], bool]) -> Q:
        """A condition on Room selecting the rooms (of those `load_answers` read) whose answer `passes` — for the
        database to count and page them, without a row per room in Python. `passes` is asked once per distinct
        answer. The condition names weekly-hours texts (the shorter list: those that pass, or those that do not)
        and the exceptions to them: houses with closures and rooms with bookings whose answer differs from their
        house's. Its size follows the bookings and closures of the range, not the number of rooms or houses."""
        verdicts: dict[int, bool] = {}

        def ok(answer: Availability) -> bool:
            if id(answer) not in verdicts:
                verdicts[id(answer)] = bool(passes(answer))
            return verdicts[id(answer)]

        by_hours = {text: ok(answer) for text, answer in self.by_hours.items()}
        hours_in = [text for text, passes_too in by_hours.items() if passes_too]
        hours_out = [text for text, passes_too in by_hours.items() if not passes_too]
        # Every weekly-hours text of the rooms read is in by_hours: naming those that fail selects the others.
        by_text = Q(house__weekly_hours__in=hours_in) if len(hours_in) <= len(hours_out) \
            else ~Q(house__weekly_hours__in=hours_out)
        by_house = {house_id: ok(answer) for house_id, answer in self.by_house.items()}
        closed_in = [house_id for house_id, passes_too in by_house.items()
                     if passes_too and not by_hours.get(self.hours_of[house_id], False)]
        closed_out = [house_id for house_id, passes_too in by_house.items()
                      if not passes_too and by_hours.get(self.hours_of[house_id], False)]
        house_passes = (by_text & ~Q(house_id__in=closed_out)) | Q(house_id__in=closed_in)
        # A room with its own answer is in when its answer passes, whatever its house's: named only where the two
        # differ (mostly rooms booked for the hours asked for).
        own_in, own_out = [], []
        for room_id, answer in self.by_room.items():
            house_id = self.house_of[room_id]
            house_ok = by_house[house_id] if house_id in by_house else by_hours.get(self.hours_of[house_id], False)
            room_ok = ok(answer)
            if room_ok != house_ok:
                (own_in if room_ok else own_out).append(room_id)
        return (house_passes & ~Q(pk__in=own_out)) | Q(pk__in=own_in)


@lru_cache(maxsize=1024)
def parse_weekly_hours(text: str) -> WeeklyHours:
    """`House.weekly_hours` (see `models.weekly_hours_text`) as sorted `(weekday, opens, closes)` tuples."""
    rows = []
    for part in filter(None, text.split(";")):
        weekday, opens, closes = part.split(",")
        rows.append((int(weekday), dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)))
    return tuple(sorted(rows))


def load_answers(rooms, first_day: dt.date, last_day: dt.date, *, longest_buffer: int = MAX_BUFFER_MINUTES) -> Answers:
    """`room_availability` for every room of the Room queryset `rooms` (used as a subquery: the rooms themselves
    are never loaded) over local days `first_day`..`last_day`, as `Answers`.

    Three queries whatever the number of rooms — the distinct weekly hours of their houses (`House.weekly_hours`,
    kept by every opening-hours write), the slot-holding bookings (with their room's house and buffer) and the
    closures — and one `compute` per distinct window: most rooms of a day have no booking, and houses share
    opening hours. Bookings are read up to `longest_buffer` minutes past the range (the bound on every room's
    buffer unless the caller knows a shorter one). All rooms are taken as bookable.
    """
    window_start = local_midnight(first_day)
    window_end = local_midnight(last_day + dt.timedelta(days=1))
    room_ids = rooms.order_by().values("pk")
    texts = set(rooms.order_by().values_list("house__weekly_hours", flat=True).distinct())
    busy: dict[int, list[Interval]] = {}
    facts: dict[int, tuple[int, str, int]] = {}  # room id -> (house id, weekly hours, buffer minutes)
    reach: dict[int, dt.datetime] = {}  # buffer minutes -> how late a booking may start and still count
    for room_id, house_id, text, buffer, start, until in (
            Booking.objects.filter(room_id__in=room_ids)
            .holding_during(window_start, window_end + dt.timedelta(minutes=longest_buffer))
            .values_list("room_id", "room__house_id", "room__house__weekly_hours", "room__buffer_minutes", "start",
                         "blocked_until")):
        # Loaded up to the longest buffer past the range; this room's own buffer decides which of them count.
        last_start = reach.get(buffer)
        if last_start is None:
            last_start = reach[buffer] = window_end + dt.timedelta(minutes=buffer)
        if start < last_start:
            busy.setdefault(room_id, []).append((start, until))
            facts[room_id] = (house_id, text, buffer)
    house_closed: dict[int, list[Interval]] = {}
    room_closed: dict[int, list[Interval]] = {}
    hours_of: dict[int, str] = {}
    for house_id, room_id, text, start, end in (
            Closure.objects.filter(Q(room__isnull=True, house_id__in=rooms.order_by().values("house_id"))
                                   | Q(room_id__in=room_ids), start__lt=window_end, end__gt=window_start)
            .values_list("house_id", "room_id", "house__weekly_hours", "start", "end")):
        hours_of[house_id] = text
        if room_id is None:
            house_closed.setdefault(house_id, []).append((start, end))
        else:
            room_closed.setdefault(room_id, []).append((start, end))
            facts.setdefault(room_id, (house_id, text, 0))
    shut = {house_id: tuple(sorted(rows)) for house_id, rows in house_closed.items()}
    computed: dict[tuple, Availability] = {}

    def answer(text: str, closures: tuple, taken: tuple, buffer: int) -> Availability:
        key = (text, closures, taken, buffer if taken else 0)  # without bookings the buffer changes nothing
        found = computed.get(key)
        if found is None:
            found = computed[key] = compute(Window(
                room_id=0, bookable=True, buffer_minutes=buffer, hours=parse_weekly_hours(text), closures=closures,
                busy=taken, first_day=first_day, last_day=last_day))
        return found

    by_hours = {text: answer(text, (), (), 0) for text in texts}
    by_house = {house_id: answer(hours_of[house_id], closures, (), 0) for house_id, closures in shut.items()}
    by_room, house_of = {}, {}
    for room_id, (house_id, text, buffer) in facts.items():
        closures = shut.get(house_id, ())
        if room_id in room_closed:
            closures = tuple(sorted([*closures, *room_closed[room_id]]))
        by_room[room_id] = answer(text, closures, tuple(sorted(busy.get(room_id, ()))), buffer)
        house_of[room_id] = house_id
        hours_of[house_id] = text
    return Answers(by_hours=by_hours, by_house=by_house, by_room=by_room, hours_of=hours_of, house_of=house_of)


def rooms_availability(rooms, first_day: dt.date, last_day: dt.date) -> dict[int, Availability]:
    """`room_availability` for a few rooms at once (a house's agenda): `{room.pk: Availability}` over local days
    `first_day`..`last_day`. `rooms`: Room objects (with `pk`, `house_id`, `buffer_minutes` and, to spare a query
    each, `house` loaded); all are taken as bookable. Three queries whatever the number of rooms
    (`load_answers`); an empty iterable costs nothing. The answers may be shared between rooms and must not be
    changed."""
    rooms = list(rooms)
    if not rooms:
        return {}
    answers = load_answers(Room.objects.filter(pk__in=[room.pk for room in rooms]), first_day, last_day,
                           longest_buffer=max(room.buffer_minutes for room in rooms))
    return {room.pk: answers.of(room) for room in rooms}


@dataclass(frozen=True)
class RuleRows:
    """What `load_rule_rows` read about one room in one statement, for the bookability rules (`rules.RoomData`)."""

    hours: WeeklyHours  # the house's weekly opening hours, sorted
    closures: list[tuple[dt.datetime, dt.datetime, str]]  # (start, end, reason) of the house or this room
    taken: list[tuple[dt.datetime, dt.datetime, int]]  # (start, blocked_until, pk) of slot-holding bookings
    open_requests: int | None  # the booker's undecided requests (None: no booker asked)
    tariffs: list  # the room's `Tariff` rows
    cap_rules: list  # every `CapRule` version of the city and of this house


@lru_cache(maxsize=8)
def _rule_rows_sql(vendor: str, with_booker: bool, without_series: bool) -> str:
    from .models import CapRule, Tariff

    hours, closure, booking = OpeningHours._meta.db_table, Closure._meta.db_table, Booking._meta.db_table
    tariff, cap = Tariff._meta.db_table, CapRule._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in _HOLDING)
    null = "CAST(NULL AS {})".format
    series = " AND (b.series_id IS NULL OR b.series_id <> %s)" if without_series else ""
    # Columns: tag, a, b (timestamps), n1, n2, n3 (integers), o, c (times), s1, s2 (text), d (date); the first branch
    # types them all (PostgreSQL resolves a UNION's column types pairwise, left to right).
    parts = [
        f"""SELECT 0, {null('timestamp with time zone')}, {null('timestamp with time zone')}, o.weekday,
                   {null('bigint')}, {null('bigint')}, o.opens, o.closes, {null('text')}, {null('text')}, {null('date')}
              FROM {hours} o WHERE o.house_id = %s""",
        f"""SELECT 1, c.start, c."end", NULL, NULL, NULL, NULL, NULL, c.reason, NULL, NULL FROM {closure} c
             WHERE (c.room_id = %s OR (c.room_id IS NULL AND c.house_id = %s)) AND c.start < %s AND c."end" > %s""",
        f"""SELECT 2, b.start, b.blocked_until, b.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM {booking} b
             WHERE b.room_id = %s AND b.status IN ({statuses}) AND b.start < %s AND b.blocked_until > %s{series}""",
        f"""SELECT 4, NULL, NULL, t.id, t.amount_cents, NULL, NULL, NULL, t.tier, t.unit, NULL FROM {tariff} t
             WHERE t.room_id = %s""",
        f"""SELECT 5, NULL, NULL, r.id, r.cap, r.house_id, NULL, NULL, r.kind, r.reason, r.effective_from FROM {cap} r
             WHERE r.house_id IS NULL OR r.house_id = %s""",
    ]
    if with_booker:
        parts.append(f"""SELECT 3, NULL, NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM {booking} b
                          WHERE b.booker_id = %s AND b.status = '{BookingStatus.REQUESTED.value}'""")
    return "\nUNION ALL\n".join(parts)


def load_rule_rows(room: Room, window_start: dt.datetime, window_end: dt.datetime, *,
                   exclude_series_id: int | None = None, booker_id: int | None = None) -> RuleRows:
    """In ONE SQL statement, what the rules and the price read about `room` for a request in
    `[window_start, window_end)`: the house's weekly opening hours, the closures and slot-holding bookings in the
    window (without those of series `exclude_series_id`), the room's tariffs, the cap rules of the city and the
    house, and — with `booker_id` — how many undecided requests that account holds."""
    from django.utils.dateparse import parse_date

    from .models import CapRule, Tariff

    adapt = connection.ops.adapt_datetimefield_value
    s, e = adapt(window_start), adapt(window_end)
    params = [room.house_id, room.pk, room.house_id, e, s, room.pk, e, s]
    if exclude_series_id:
        params.append(exclude_series_id)
    params += [room.pk, room.house_id]
    if booker_id is not None:
        params.append(booker_id)
    sql = _rule_rows_sql(connection.vendor, booker_id is not None, bool(exclude_series_id))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    hours, closures, taken, tariffs, caps, open_requests = [], [], [], [], [], None
    for tag, a, b, n1, n2, n3, opens, closes, s1, s2, day in rows:
        if tag == 0:
            hours.append((n1, _clock(opens), _clock(closes)))
        elif tag == 1:
            closures.append((_aware(a), _aware(b), s1))
        elif tag == 2:
            taken.append((_aware(a), _aware(b), n1))
        elif tag == 3:
            open_requests = n1
        elif tag == 4:
            tariffs.append(Tariff(id=n1, room_id=room.pk, tier=s1, unit=s2, amount_cents=n2))
        else:
            caps.append(CapRule(id=n1, cap=n2, house_id=n3, kind=s1, reason=s2,
                                effective_from=parse_date(day) if isinstance(day, str) else day))
    closures.sort(key=lambda c: (c[0], c[1]))
    taken.sort()
    tariffs.sort(key=lambda t: t.pk)
    return RuleRows(hours=tuple(sorted(hours)), closures=closures, taken=taken, open_requests=open_requests,
                    tariffs=tariffs, cap_rules=caps)
