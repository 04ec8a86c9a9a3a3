"""Find a room at scale picks the free rooms in the database (issue 19): rooms without bookings share their house's
answer, and `Answers.rooms_where` names only the exceptions. These tests hold that to the plain definition — each
room's own availability (`room_availability`, the one-room statement) judged by the search's own rule — over houses
with different opening hours (past midnight, closed on the day, none at all), closures of a house and of a room,
bookings with buffers, a booking in the night's tail, and every dagdeel."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import availability, clock, search
from boeking.models import Closure, OpeningHours, Room
from boeking.search import free_on as _free_on
from frontend.forms import DAYPART_TIMES
from tests.factories import BookingFactory, HouseFactory, LocationFactory, RoomFactory, local_dt

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2027, 1, 23)


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


def _house(name: str, hours: list[tuple[int, dt.time, dt.time]]):
    house = HouseFactory(name=name, hours=False)
    for weekday, opens, closes in hours:
        OpeningHours.objects.create(house=house, weekday=weekday, opens=opens, closes=closes)
    return LocationFactory(house=house)


@pytest.fixture
def town(caps, now):
    """Five houses, fifteen rooms, and what happens in them on Saturday 23 January 2027."""
    day = [(wd, dt.time(9), dt.time(23)) for wd in range(7)]
    late = [(wd, dt.time(18), dt.time(1)) for wd in range(7)]  # evenings until 01:00
    weekdays_only = [(wd, dt.time(9), dt.time(17)) for wd in range(5)]  # closed on Saturday and Sunday
    saturday_night = [(5, dt.time(18), dt.time(1))]  # only on Saturday, until 01:00 on Sunday
    houses = {"dag": _house("DagHuis", day), "laat": _house("LaatHuis", late), "zat": _house("ZatHuis", saturday_night),
              "week": _house("WeekHuis", weekdays_only), "nooit": _house("NooitHuis", [])}
    rooms = {}
    for key, location in houses.items():
        for n, buffer in enumerate((0, 30, 120)):
            rooms[f"{key}{n}"] = RoomFactory(location=location, name=f"{key} {n}", buffer_minutes=buffer)
    on = SATURDAY
    BookingFactory.requested(room=rooms["dag0"], start=local_dt(on.year, on.month, on.day, 18),
                             end=local_dt(on.year, on.month, on.day, 22))  # the whole evening
    BookingFactory.requested(room=rooms["dag1"], start=local_dt(on.year, on.month, on.day, 11),
                             end=local_dt(on.year, on.month, on.day, 22, 30))  # most of the day, buffer to 23:00
    BookingFactory.approved(room=rooms["dag2"], start=local_dt(on.year, on.month, on.day, 13),
                            end=local_dt(on.year, on.month, on.day, 15))  # an afternoon, with a 2-hour buffer
    BookingFactory.requested(room=rooms["laat0"], start=local_dt(on.year, on.month, on.day, 18),
                             end=local_dt(on.year, on.month, on.day, 23, 59))
    # Into the night's tail: on Sunday this room keeps 00:30–01:00, which starts after midnight (its own answer
    # passes where its house's fails: the condition names it).
    BookingFactory.requested(room=rooms["zat0"], start=local_dt(on.year, on.month, on.day, 23, 30),
                             end=local_dt(2027, 1, 24, 0, 30))
    Closure.objects.create(house=rooms["laat2"].house, room=rooms["laat2"], start=local_dt(on.year, on.month, on.day, 17),
                           end=local_dt(on.year, on.month, on.day, 21), reason="Vloer")
    Closure.objects.create(house=houses["week"].house, start=local_dt(2027, 1, 22), end=local_dt(2027, 1, 26),
                           reason="Verbouwing")
    return rooms


def _rule(day: dt.date, part: str):
    window = (clock.make_local(day, DAYPART_TIMES[part][0]), clock.make_local(day, DAYPART_TIMES[part][1])) \
        if part else None
    midnight, next_midnight = clock.local_midnight(day), clock.local_midnight(day + dt.timedelta(days=1))
    return lambda answer: _free_on(answer.open, midnight, next_midnight, window, None) is not None


@pytest.mark.parametrize("day", [SATURDAY, SATURDAY + dt.timedelta(days=1), dt.date(2027, 3, 28)])
@pytest.mark.parametrize("part", ["", "ochtend", "middag", "avond"])
def test_rooms_where__the_same_rooms_as_judging_every_room_on_its_own(town, day, part):
    rooms = Room.objects.filter(pk__in=[room.pk for room in town.values()])
    passes = _rule(day, part)
    answers = availability.load_answers(rooms, day, day + dt.timedelta(days=1))
    expected = {room.pk for room in rooms
                if passes(availability.room_availability(room, day, day + dt.timedelta(days=1)))}
    assert set(rooms.filter(answers.rooms_where(passes)).values_list("pk", flat=True)) == expected
    for room in rooms:  # and every room's shared answer is its own
        assert answers.of(room) == availability.room_availability(room, day,
                                                                                    day + dt.timedelta(days=1))


@pytest.mark.parametrize("day", [SATURDAY, SATURDAY + dt.timedelta(days=1), dt.date(2027, 3, 28)])
@pytest.mark.parametrize("part", ["", "ochtend", "middag", "avond"])
def test_kept_verdicts__the_same_rooms_as_judging_every_room_on_its_own(town, day, part):
    """The search's kept verdicts (boeking.search.RoomDay): computed for every room at once, read back by the
    database — the same rooms as the plain definition, also when asked a second time (from what was kept)."""
    rooms = Room.objects.filter(pk__in=[room.pk for room in town.values()])
    passes = _rule(day, part)
    expected = {room.pk for room in rooms
                if passes(availability.room_availability(room, day, day + dt.timedelta(days=1)))}
    for _time in range(2):
        assert set(search.free_rooms(rooms, day, part).values_list("pk", flat=True)) == expected


def test_rooms_where__saturday_evening_in_words(town):
    """What the parametrised test compares, spelled out once for the evening."""
    rooms = Room.objects.filter(pk__in=[room.pk for room in town.values()])
    answers = availability.load_answers(rooms, SATURDAY, SATURDAY + dt.timedelta(days=1))
    free = set(rooms.filter(answers.rooms_where(_rule(SATURDAY, "avond"))).values_list("name", flat=True))
    # dag0 booked all evening, dag1 until 23:00; laat0 booked, laat2 closed 17–21; WeekHuis closed; NooitHuis never.
    assert free == {"dag 2", "laat 1", "zat 0", "zat 1", "zat 2"}


def test_rooms_where__names_the_houses_that_fail_when_fewer_than_those_that_pass(town, django_assert_num_queries):
    """Most weekly hours open: the condition lists the few texts that fail (any other house passes) — still right."""
    for n in range(4):  # four more open houses without bookings
        RoomFactory(location=_house(f"Extra {n}", [(wd, dt.time(9), dt.time(23)) for wd in range(7)]))
    rooms = Room.objects.all()
    passes = _rule(SATURDAY, "")
    answers = availability.load_answers(rooms, SATURDAY, SATURDAY + dt.timedelta(days=1))
    expected = {room.pk for room in rooms
                if passes(availability.room_availability(room, SATURDAY, SATURDAY + dt.timedelta(days=1)))}
    assert set(rooms.filter(answers.rooms_where(passes)).values_list("pk", flat=True)) == expected
    sql = str(rooms.filter(answers.rooms_where(passes)).query)
    assert "NOT" in sql and "weekly_hours" in sql and "EXISTS" not in sql.upper()


def test_load_answers__three_queries_for_any_number_of_rooms(town, django_assert_num_queries):
    rooms = Room.objects.all()
    with django_assert_num_queries(3):
        availability.load_answers(rooms, SATURDAY, SATURDAY + dt.timedelta(days=1))
    for n in range(5):
        RoomFactory(location=_house(f"Nog {n}", [(wd, dt.time(8 + n), dt.time(22)) for wd in range(7)]))
    with django_assert_num_queries(3):  # more houses, more distinct weekly hours: the same three
        availability.load_answers(Room.objects.all(), SATURDAY, SATURDAY + dt.timedelta(days=1), longest_buffer=120)


def test_search_page__counts_what_the_definition_counts(client, town):
    for part, expected in (("", 9), ("avond", 5)):
        passes = _rule(SATURDAY, part)
        assert expected == sum(passes(availability.room_availability(room, SATURDAY, SATURDAY + dt.timedelta(days=1)))
                               for room in town.values())
        text = client.get("/", {"date": SATURDAY.isoformat(), "daypart": part}).content.decode()
        assert f"{expected} zalen gevonden" in text
