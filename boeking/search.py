"""Find a room for a date: which rooms have free time on a local day, or a whole dagdeel free.

The rule is `free_on`, applied to a room's availability (`boeking.availability`). A search of a coming day does not
apply it to every room at every request: what it found is kept per room and day (`RoomDay`), stamped with the
room's `RoomVersion` — which the database bumps at every change to the room's bookings, closures, buffer or its
house's weekly hours (migration 0014's triggers). A search computes only the rooms whose stamp is behind
(`refresh_days`: none, when nothing changed since the last search of that day), then lets the database count and
page the free rooms (`free_rooms`). A search of today cuts off what has passed (`earliest`), so it is judged live.

The stamp is read before what the verdict is computed from: a change committed in between leaves a stamp behind
the room's version, and the next search computes that room again. A stale verdict is never kept as current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from . import availability, intervals
from .availability import Availability
from .clock import local_midnight, make_local
from .models import Room, RoomDay
from .pricing import DAYPARTS

# A free time over midnight that ends within this long after it is the tail of the evening before, not the day's.
NIGHT_TAIL = dt.timedelta(hours=6)
# The RoomDay field holding each dagdeel's verdict (pricing.DAYPARTS' Dutch names). Changing DAYPARTS or NIGHT_TAIL
# changes what every kept verdict means: a migration must then empty RoomDay (tests/boeking/test_search.py pins them).
DAYPART_FIELDS = {"ochtend": "free_morning", "middag": "free_afternoon", "avond": "free_evening"}
# The database's triggers that bump RoomVersion (migration 0014); on PostgreSQL deferred to the commit.
VERSION_TRIGGERS = tuple(f"{table}_{name}bumps_rooms" for table in ("booking", "closure", "house", "room")
                         for name in ("", "change_"))
# Rooms judged per load (`refresh_days`): a bound on one statement's parameters, not on the work.
REFRESH_BATCH = 2000


def continued(start: dt.datetime, end: dt.datetime, midnight: dt.datetime) -> bool:
    """A free time over `midnight` that ends in the small hours is the tail of the evening before (the house is open
    past midnight), not a free time of the new day. A window that starts at midnight cuts it there."""
    return start <= midnight and end <= midnight + NIGHT_TAIL


def next_quarter(moment: dt.datetime) -> dt.datetime:
    """`moment` rounded up to the next quarter of an hour (free times today start at a time people use)."""
    moment = moment.replace(second=0, microsecond=0)
    return moment + dt.timedelta(minutes=-moment.minute % 15)


def daypart_window(day: dt.date, part: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The aware start and end of dagdeel `part` (a Dutch name of `pricing.DAYPARTS`) on `day`; None for ""."""
    if not part:
        return None
    start, end = next((s, e) for nl, _en, s, e in DAYPARTS if nl == part)
    return make_local(day, start), make_local(day, end)


def free_on(open_times: list, midnight: dt.datetime, next_midnight: dt.datetime, window: tuple | None,
            earliest: dt.datetime | None) -> list | None:
    """A room's free times on the day from `midnight` to `next_midnight` (None: not free that day, or not for the
    whole `window` of a dagdeel); `open_times` as `availability` gives them, `earliest` cuts off what is past
    (today)."""
    slots = [(s, e) for s, e in open_times if s < next_midnight]
    if earliest:
        slots = [(max(s, earliest), e) for s, e in slots if e > earliest]
    if window and not intervals.covers(slots, *window):
        return None
    if not window and all(continued(s, e, midnight) for s, e in slots):
        return None  # nothing, or only the tail of last night: no free time on this day
    return slots


def judge(day: dt.date, part: str = "", earliest: dt.datetime | None = None) -> Callable[[Availability], list | None]:
    """`free_on` for `day` (and dagdeel `part`, from `earliest` on): availability over `day` and the next day ->
    the day's free times, or None."""
    midnight, next_midnight = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
    window = daypart_window(day, part)
    return lambda answer: free_on(answer.open, midnight, next_midnight, window, earliest)


def load_answers(rooms, day: dt.date) -> availability.Answers:
    """Availability of `rooms` (a Room queryset) over `day` and the next day: an evening free until 01:00 shows its
    real end. Three queries (`availability.load_answers`)."""
    return availability.load_answers(rooms, day, day + dt.timedelta(days=1))


def refresh_days(rooms: QuerySet[Room], day: dt.date) -> int:
    """Compute and keep (`RoomDay`) the verdicts of `day` for the rooms of `rooms` whose kept verdict is missing or
    behind their version. One query when none is (the usual case); else, per `REFRESH_BATCH` rooms, three to
    load their availability and one upsert. Returns how many rooms were judged."""
    stale = dict.fromkeys(
        rooms.order_by()
        .annotate(current=Coalesce("availability_version__version", Value(0)))
        .exclude(Exists(RoomDay.objects.filter(room=OuterRef("pk"), day=day, version=OuterRef("current"))))
        .values_list("pk", "house_id", "house__weekly_hours", "current"))
    stale = list(stale)  # (room id, house id, weekly hours, version) once each, whatever joins `rooms` holds
    whole_day = judge(day)
    parts = {field: judge(day, part) for part, field in DAYPART_FIELDS.items()}
    for first in range(0, len(stale), REFRESH_BATCH):
        batch = stale[first:first + REFRESH_BATCH]
        answers = load_answers(Room.objects.filter(pk__in=[room_id for room_id, *_rest in batch]), day)
        verdicts: dict[int, dict] = {}
        rows = []
        for room_id, house_id, weekly_hours, version in sorted(batch):  # sorted: concurrent upserts lock in one order
            answer = answers.answer(room_id, house_id, weekly_hours)
            found = verdicts.get(id(answer))
            if found is None:
                found = verdicts[id(answer)] = {"free": whole_day(answer) is not None,
                                                **{field: rule(answer) is not None for field, rule in parts.items()}}
            rows.append(RoomDay(room_id=room_id, day=day, version=version, **found))
        RoomDay.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day", "room"],
                                    update_fields=["version", "free", *DAYPART_FIELDS.values()])
    return len(stale)


def free_rooms(rooms: QuerySet[Room], day: dt.date, part: str = "", *, earliest: dt.datetime | None = None
               ) -> QuerySet[Room]:
    """The rooms of `rooms` with free time on `day` — for the whole of dagdeel `part` if given (`free_on`), from
    `earliest` on if given (today). A queryset for the database to count, sort and page. A constant number of
    queries whatever the number of rooms: for a coming day the kept verdicts (`refresh_days`), for today the
    availability of every room judged live (`availability.Answers.rooms_where`, three queries)."""
    if earliest is not None:
        answers = load_answers(rooms, day)
        rule = judge(day, part, earliest)
        return rooms.filter(answers.rooms_where(lambda answer: rule(answer) is not None))
    refresh_days(rooms, day)
    return rooms.filter(days__day=day, **{f"days__{DAYPART_FIELDS[part] if part else 'free'}": True})


def free_page(rooms: QuerySet[Room], day: dt.date, part: str, number: int, per_page: int, *,
              earliest: dt.datetime | None = None) -> tuple[list[int], int, int]:
    """Page `number` (1-based; past the last: the last) of `free_rooms`, in the order of `rooms`: `(room ids, how many
    rooms are free, the page number used)`. For a coming day ONE query when every kept verdict is current: the
    page, the number of free rooms and the number of verdicts missing or behind, together (a windowed query over
    the rooms and their kept verdict); when some are behind, `refresh_days` and that query again. Today: the live
    rule (`free_rooms`), then the same windowed page."""
    if earliest is not None:
        ids, free, _rows, number = _window_page(free_rooms(rooms, day, part, earliest=earliest)
                                                .annotate(is_free=Value(1)), number, per_page)
        return ids, free, number
    field = DAYPART_FIELDS[part] if part else "free"
    current = Q(kept__version=F("current"))
    kept = (rooms.annotate(kept=FilteredRelation("days", condition=Q(days__day=day)),
                           current=Coalesce("availability_version__version", Value(0)))
            # 1: kept, current and free; 0: kept, current, not free; 2: missing, or behind the room's version.
            .annotate(verdict=Case(When(current & Q(**{f"kept__{field}": True}), then=Value(1)),
                                   When(current, then=Value(0)), default=Value(2)))
            .filter(verdict__gt=0)
            .annotate(is_free=Case(When(verdict=1, then=Value(1)), default=Value(0))))
    ids, free, rows, number = _window_page(kept, number, per_page)
    if rows > free:  # verdicts missing or behind: compute them, then ask again
        refresh_days(rooms, day)
        # A change racing this search may leave a room behind again: it is left out of this page (the next search
        # shows it), never shown on a stale verdict.
        ids, free, rows, number = _window_page(kept, number, per_page)
    return ids, free, number


def _window_page(rooms, number: int, per_page: int) -> tuple[list[int], int, int, int]:
    """Of `rooms` (annotated `is_free`, 1 or 0): `(the ids with is_free on page number, how many have is_free, how
    many rooms in all, the page number used)` in one windowed query; a page past the last costs a count and the
    last page."""
    counted = rooms.annotate(free_total=Window(Sum("is_free")), rows_total=Window(Count("pk")))

    def fetch(n: int) -> list:
        return list(counted.values_list("pk", "is_free", "free_total", "rows_total")[(n - 1) * per_page:n * per_page])

    number = max(1, number)
    rows = fetch(number)
    if not rows and number > 1:
        number = max(1, -(-rooms.count() // per_page))
        rows = fetch(number)
    free, total = (rows[0][2], rows[0][3]) if rows else (0, 0)
    return [pk for pk, is_free, _free, _total in rows if is_free], free, total, number


def free_times(rooms: list[Room], day: dt.date, part: str = "", *, earliest: dt.datetime | None = None
               ) -> dict[int, list | None]:
    """The free times on `day` of a page of rooms (their `house` loaded): `{room.pk: [(start, end), …] or None}`,
    by the rule `free_rooms` selects with. Three queries whatever the number of rooms; none for no rooms."""
    if not rooms:
        return {}
    answers = load_answers(Room.objects.filter(pk__in=[room.pk for room in rooms]), day)
    rule = judge(day, part, earliest)
    return {room.pk: rule(answers.of(room)) for room in rooms}
