"""`boeking.search`: the search's kept verdicts per room and day (`RoomDay`) are current, or computed again.

The database bumps a room's `RoomVersion` at every change its availability is computed from (migration 0014's
triggers): these tests make each kind of change through the doors that make it (services, model saves, queryset
writes, the admin's opening hours) and check which rooms' versions moved — and that the search then shows the
change. Changes that do not touch availability (a title, a room's name) leave the versions alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boeking import search, services
from boeking.models import Booking, OpeningHours, Room, RoomDay, RoomVersion
from boeking.pricing import DAYPARTS
from tests.factories import BookingFactory, HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2027, 1, 23)  # 19 days after the frozen "now" (4 January 2027)


@pytest.fixture
def rooms(caps, frozen_now):
    """Two houses: A with rooms a0 and a1, B with room b0; all open 08:00–01:00 every day."""
    house_a, house_b = HouseFactory(name="A"), HouseFactory(name="B")
    location_a, location_b = LocationFactory(house=house_a), LocationFactory(house=house_b)
    return {"a0": RoomFactory(location=location_a, name="a0"), "a1": RoomFactory(location=location_a, name="a1"),
            "b0": RoomFactory(location=location_b, name="b0")}


def versions(rooms) -> dict[str, int]:
    current = dict(RoomVersion.objects.values_list("room_id", "version"))
    return {name: current.get(room.pk, 0) for name, room in rooms.items()}


def moved(rooms, change) -> set[str]:
    """The rooms whose version `change()` moved."""
    before = versions(rooms)
    change()
    after = versions(rooms)
    return {name for name in rooms if after[name] != before[name]}


def evening_free(day=SATURDAY) -> set[str]:
    return set(search.free_rooms(Room.objects.all(), day, "avond").values_list("name", flat=True))


# --- the triggers: which changes move which rooms' versions ------------------------------------------------------


def test_booking_writes__move_their_room_only(rooms):
    start, end = local_dt(2027, 1, 23, 19), local_dt(2027, 1, 23, 23)
    booking = None

    def request():
        nonlocal booking
        booking = BookingFactory.requested(room=rooms["a0"], start=start, end=end)

    assert moved(rooms, request) == {"a0"}
    volunteer = UserFactory.volunteer(booking.house)
    assert moved(rooms, lambda: services.booking_reject(booking=booking, actor=volunteer, reason="Vol")) == {"a0"}
    assert moved(rooms, lambda: Booking.objects.filter(pk=booking.pk).update(title="Anders")) == set()
    assert moved(rooms, lambda: Booking.objects.filter(pk=booking.pk).update(status="requested")) == {"a0"}
    assert moved(rooms, lambda: Booking.objects.filter(pk=booking.pk).update(room=rooms["a1"])) == {"a0", "a1"}
    assert moved(rooms, lambda: Booking.objects.filter(pk=booking.pk).update(
        start=start - dt.timedelta(hours=1))) == {"a1"}
    assert moved(rooms, lambda: Booking.objects.filter(pk=booking.pk).update(
        blocked_until=end + dt.timedelta(hours=1))) == {"a1"}


def test_closures__a_house_closure_moves_all_its_rooms_a_room_closure_one(rooms):
    admin = UserFactory(is_staff=True, is_superuser=True)
    house_a = rooms["a0"].house
    closure = None

    def close_house():
        nonlocal closure
        closure = services.closure_create(actor=admin, house=house_a, start=local_dt(2027, 1, 23),
                                          end=local_dt(2027, 1, 24), reason="Verbouwing")

    assert moved(rooms, close_house) == {"a0", "a1"}
    assert moved(rooms, lambda: services.closure_delete(actor=admin, closure=closure)) == {"a0", "a1"}
    assert moved(rooms, lambda: services.closure_create(actor=admin, house=house_a, room=rooms["a1"],
                                                        start=local_dt(2027, 1, 23), end=local_dt(2027, 1, 24),
                                                        reason="Vloer")) == {"a1"}


def test_opening_hours_and_room_settings__move_what_they_change(rooms):
    house_b = rooms["b0"].house
    row = OpeningHours.objects.get(house=house_b, weekday=5)
    row.closes = dt.time(17)
    assert moved(rooms, row.save) == {"b0"}
    assert moved(rooms, row.save) == set()  # saved unchanged: the weekly hours did not change
    room = rooms["a1"]
    room.name = "a1 (groot)"
    assert moved(rooms, room.save) == set()
    room.buffer_minutes = 90
    assert moved(rooms, room.save) == {"a1"}


# --- kept verdicts: current, computed once, computed again after a change ----------------------------------------


def test_search__keeps_a_verdict_per_room_and_computes_only_what_changed(rooms):
    assert evening_free() == {"a0", "a1", "b0"}
    kept = RoomDay.objects.filter(day=SATURDAY)
    assert kept.count() == 3 and all(row.free and row.free_evening for row in kept)
    assert search.refresh_days(Room.objects.all(), SATURDAY) == 0  # nothing changed: nothing computed
    BookingFactory.requested(room=rooms["a1"], start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 22))
    assert search.refresh_days(Room.objects.all(), SATURDAY) == 1  # only the booked room
    row = RoomDay.objects.get(day=SATURDAY, room=rooms["a1"])
    assert (row.free, row.free_morning, row.free_evening) == (True, True, False)
    assert evening_free() == {"a0", "b0"}


def test_search__sees_every_kind_of_change_at_once(rooms):
    assert evening_free() == {"a0", "a1", "b0"}
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.closure_create(actor=admin, house=rooms["a0"].house, room=rooms["a0"], start=local_dt(2027, 1, 23, 20),
                            end=local_dt(2027, 1, 23, 21), reason="Vloer")
    assert evening_free() == {"a1", "b0"}
    OpeningHours.objects.filter(house=rooms["b0"].house, weekday=5).update(closes=dt.time(21))
    assert evening_free() == {"a1"}
    Room.objects.filter(pk=rooms["a1"].pk).update(buffer_minutes=240)  # cleaning until after 18:00 ...
    BookingFactory.requested(room=rooms["a1"], start=local_dt(2027, 1, 23, 13), end=local_dt(2027, 1, 23, 14, 30))
    assert evening_free() == {"a1"}  # ... 14:30 + 4 h = 18:30: the evening is not free as a whole
    assert moved(rooms, lambda: Room.objects.filter(pk=rooms["a1"].pk).update(buffer_minutes=240)) == set()


def test_search__a_change_between_reading_the_version_and_the_bookings_is_computed_again(rooms, monkeypatch):
    """The version is read before the availability: a booking committed in between leaves the kept verdict
    behind the room's version, so the next search computes it again — never a stale verdict kept as current."""
    original = search.load_answers
    sneaked = []

    def booking_in_between(found_rooms, day):
        if not sneaked:
            sneaked.append(BookingFactory.requested(room=rooms["b0"], start=local_dt(2027, 1, 23, 18),
                                                    end=local_dt(2027, 1, 23, 22)))
        return original(found_rooms, day)

    monkeypatch.setattr(search, "load_answers", booking_in_between)
    assert evening_free() == {"a0", "a1"}  # the booking was read: b0 is not free this evening
    row = RoomDay.objects.get(day=SATURDAY, room=rooms["b0"])
    assert row.version < RoomVersion.objects.get(room=rooms["b0"]).version  # kept as behind
    monkeypatch.setattr(search, "load_answers", original)
    assert search.refresh_days(Room.objects.all(), SATURDAY) == 1
    assert RoomDay.objects.get(day=SATURDAY, room=rooms["b0"]).version == RoomVersion.objects.get(room=rooms["b0"]).version
    assert evening_free() == {"a0", "a1"}


def test_search__nothing_stale_costs_one_query(rooms, django_assert_num_queries):
    search.refresh_days(Room.objects.all(), SATURDAY)
    with django_assert_num_queries(1):
        assert search.refresh_days(Room.objects.all(), SATURDAY) == 0


def test_search__only_the_rooms_asked_for_are_judged(rooms):
    search.refresh_days(Room.objects.filter(house__name="A"), SATURDAY)
    assert set(RoomDay.objects.values_list("room__name", flat=True)) == {"a0", "a1"}


def test_search__today_is_judged_live_from_what_is_left(rooms, frozen_now):
    frozen_now(local_dt(2027, 1, 23, 19, 10))
    today = SATURDAY
    rooms_today = search.free_rooms(Room.objects.all(), today, "", earliest=search.next_quarter(local_dt(2027, 1, 23,
                                                                                                        19, 10)))
    assert set(rooms_today.values_list("name", flat=True)) == {"a0", "a1", "b0"}
    assert not RoomDay.objects.exists()  # nothing kept for a day whose answer changes by the hour


def test_prune_jobs__removes_the_verdicts_of_past_days(rooms, monkeypatch):
    from boeking.jobs import schedule

    search.refresh_days(Room.objects.all(), SATURDAY)
    search.refresh_days(Room.objects.all(), SATURDAY + dt.timedelta(days=7))
    monkeypatch.setattr(schedule, "wall_now", lambda: local_dt(2027, 1, 27, 3, 30))
    detail = schedule.JOBS["prune_jobs"]()
    assert "3 search verdict(s) of past days" in detail
    assert set(RoomDay.objects.values_list("day", flat=True)) == {SATURDAY + dt.timedelta(days=7)}


def test_dayparts__are_what_the_kept_verdicts_mean():
    """RoomDay's fields hold verdicts for these dagdelen and this night tail: changing them must come with a
    migration that empties RoomDay (boeking/search.py says so). This test fails to remind whoever changes them."""
    assert [(nl, start, end) for nl, _en, start, end in DAYPARTS] == [
        ("ochtend", dt.time(9), dt.time(12)), ("middag", dt.time(13), dt.time(17)), ("avond", dt.time(18), dt.time(22))]
    assert set(search.DAYPART_FIELDS) == {nl for nl, *_rest in DAYPARTS}
    assert search.NIGHT_TAIL == dt.timedelta(hours=6)


def test_refresh_days__batches_bound_each_statement(rooms, monkeypatch):
    monkeypatch.setattr(search, "REFRESH_BATCH", 2)
    with CaptureQueriesContext(connection) as queries:
        assert search.refresh_days(Room.objects.all(), SATURDAY) == 3
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT INTO \"boeking_roomday\"")]
    assert len(inserts) == 2 and RoomDay.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="real parallel searches and bookings are proven on PostgreSQL; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_search__parallel_searches_and_bookings_leave_only_current_or_behind_verdicts(caps, frozen_now):
    """Eight searches of the same Saturday race four bookings (real threads, PostgreSQL): no error, no deadlock, and
    afterwards every kept verdict is current or behind its room's version — and one more search shows the truth."""
    from tests.threads import run_concurrently

    location = LocationFactory()
    rooms = [RoomFactory(location=location, name=f"z{n}") for n in range(8)]
    bookers = [UserFactory.resident() for _ in rooms[:4]]

    def book(n):
        return lambda: BookingFactory.requested(room=rooms[n], booker=bookers[n], start=local_dt(2027, 1, 23, 19),
                                                end=local_dt(2027, 1, 23, 22))

    calls = [lambda: search.refresh_days(Room.objects.all(), SATURDAY) for _ in range(8)] + [book(n) for n in range(4)]
    _results, errors = run_concurrently(calls)
    assert errors == [None] * len(calls)
    current = dict(RoomVersion.objects.values_list("room_id", "version"))
    for row in RoomDay.objects.filter(day=SATURDAY):
        assert row.version <= current.get(row.room_id, 0)
    assert evening_free() == {f"z{n}" for n in range(4, 8)}


def test_prepare_search__computes_the_next_two_weeks_then_only_what_changed(rooms, monkeypatch):
    from boeking.jobs import schedule

    monkeypatch.setattr(schedule, "wall_now", lambda: local_dt(2027, 1, 20, 3, 45))
    assert schedule.JOBS["prepare_search"]() == "judged 42 room-day(s) over 21-01-2027 and the 13 days after"
    assert RoomDay.objects.filter(day=SATURDAY).count() == 3
    BookingFactory.requested(room=rooms["b0"], start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 22))
    assert schedule.JOBS["prepare_search"]().startswith("judged 14 room-day(s)")  # b0's fourteen days, no more
    assert evening_free() == {"a0", "a1"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the version triggers are deferred on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_version_bump__comes_with_the_commit_not_before(caps, frozen_now):
    """PostgreSQL bumps a room's version at COMMIT (deferred triggers): a transaction holds the version row only
    while it commits, so requests for one room do not queue behind each other's whole transaction — and the bump
    becomes visible together with the booking it counts, never before or after it."""
    from django.db import transaction

    room = RoomFactory()
    before = RoomVersion.objects.filter(room=room).values_list("version", flat=True).first() or 0
    with transaction.atomic():
        BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 22))
        inside = RoomVersion.objects.filter(room=room).values_list("version", flat=True).first() or 0
    assert inside == before
    assert RoomVersion.objects.get(room=room).version == before + 1
