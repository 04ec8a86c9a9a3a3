"""Occupancy (boeking.occupancy): open hours minus closures, bookings clipped to open hours, cross-midnight nights
and both DST nights, against hours computed by hand; the API's shape and who may ask."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import occupancy
from boeking.clock import TZ, now
from boeking.models import Booking, BookingStatus, Closure, OpeningHours
from tests.factories import HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

AVOND, NACHT = occupancy.DAYPART_CODES.index("avond"), occupancy.DAYPART_CODES.index("nacht")


def make_booking(room, kind, start, end, status=BookingStatus.CONFIRMED) -> Booking:
    """A booking row as the services leave it, written directly: occupancy only reads it."""
    moment = now()
    return Booking.objects.create(room=room, house=room.house, kind=kind, status=status, start=start, end=end,
                                  blocked_until=end, local_year=start.astimezone(TZ).year, guests=10,
                                  created_at=moment, updated_at=moment, decision_deadline=moment)


@pytest.fixture
def saturday_nights(db):
    """A house open only on Saturday nights, 20:00–04:00 (past midnight), with one room and a second room."""
    house = HouseFactory(hours=False)
    OpeningHours.objects.create(house=house, weekday=5, opens=dt.time(20), closes=dt.time(4))
    location = LocationFactory(house=house)
    return RoomFactory(location=location), RoomFactory(location=location)


def test_occupancy__october_with_closures_bookings_and_the_autumn_dst_night(saturday_nights):
    room, other = saturday_nights
    house = room.house
    # Saturdays 3, 10, 17, 24, 31 October 2026; the clocks go back in the night of 24 to 25 October.
    Closure.objects.create(house=house, start=local_dt(2026, 10, 10, 22), end=local_dt(2026, 10, 11, 2),
                           reason="Onderhoud verwarming")
    Closure.objects.create(house=house, room=room, start=local_dt(2026, 10, 17, 12), end=local_dt(2026, 10, 18, 12),
                           reason="Schilderwerk")
    make_booking(room, "party", local_dt(2026, 10, 24, 21), local_dt(2026, 10, 25, 3))  # 7 real hours
    make_booking(room, "association", local_dt(2026, 10, 10, 19), local_dt(2026, 10, 10, 23))  # open 20–22 only
    make_booking(room, "community", local_dt(2026, 10, 3, 18), local_dt(2026, 10, 3, 20, 30))  # open from 20:00
    make_booking(room, "party", local_dt(2026, 10, 17, 20), local_dt(2026, 10, 17, 23))  # room closed: nothing
    make_booking(room, "party", local_dt(2026, 10, 31, 20), local_dt(2026, 10, 31, 23), status=BookingStatus.REQUESTED)
    make_booking(room, "party", local_dt(2026, 10, 3, 22), local_dt(2026, 10, 4, 1), status=BookingStatus.CANCELLED)

    result = occupancy.occupancy(2026, month=10, house_ids=[house.pk])
    (h,) = result.houses
    mine = next(r for r in h.rooms if r.room == room.pk)
    single = occupancy.HouseOccupancy(h.house, h.house_name, h.house_slug, h.district, h.house_type, [mine])
    total = single.total()
    # Open: 4 Saturdays × 8 h + the DST night 9 h = 41 h; minus the house closure 4 h and the room closure 8 h.
    assert total.open_hours == 29
    assert (total.hours("private"), total.hours("association"), total.hours("community")) == (7, 2, 0.5)
    assert total.booked_hours == 9.5 and total.rate == round(9.5 / 29, 4)
    evening, night = single.total(part=AVOND), single.total(part=NACHT)
    assert (evening.open_hours, night.open_hours) == (14, 15)  # the DST night's 00–04 is five hours
    assert (evening.booked_hours, night.booked_hours) == (5.5, 4)
    # Every hour lies on Saturday evenings and the nights after them: the heat map has nothing on Sunday.
    assert single.total(weekday=5).open_hours == 29 and single.total(weekday=6).open_hours == 0
    # The other room only lost the house closure: 41 − 4 hours open, nothing booked.
    other_total = next(r for r in h.rooms if r.room == other.pk)
    assert occupancy.HouseOccupancy(0, "", "", "", "", [other_total]).total().open_hours == 37
    assert h.total().open_hours == 29 + 37


def test_occupancy__the_spring_dst_night_is_an_hour_shorter(saturday_nights):
    room, _ = saturday_nights
    # Saturdays 7, 14, 21, 28 March 2026 (the clocks go forward in the night of 28 to 29 March); the night of
    # 28 February counts for February.
    make_booking(room, "association", local_dt(2026, 3, 28, 22), local_dt(2026, 3, 29, 4))  # 5 real hours
    result = occupancy.occupancy(2026, month=3, house_ids=[room.house_id])
    mine = next(r for r in result.houses[0].rooms if r.room == room.pk)
    single = occupancy.HouseOccupancy(0, "", "", "", "", [mine])
    assert single.total().open_hours == 3 * 8 + 7
    assert single.total(part=NACHT).open_hours == 3 * 4 + 3
    assert single.total().hours("association") == 5


def test_occupancy__a_year_counts_each_night_once_and_ranks_least_used_first(saturday_nights):
    room, other = saturday_nights
    busy = HouseFactory(hours=False)
    OpeningHours.objects.create(house=busy, weekday=5, opens=dt.time(20), closes=dt.time(4))
    busy_room = RoomFactory(location=LocationFactory(house=busy))
    make_booking(busy_room, "party", local_dt(2026, 10, 3, 20), local_dt(2026, 10, 3, 23))
    result = occupancy.occupancy(2026, house_ids=[room.house_id, busy.pk])
    # 52 Saturdays in 2026 (3 Jan .. 26 Dec), 8 h each, ±1 h on the DST nights.
    assert result.houses[0].total().open_hours == 2 * 52 * 8
    ranking = [h.house for h, _ in result.ranking()]
    assert ranking == [room.house_id, busy.pk]


def test_occupancy_api__aggregates_for_the_municipality_own_houses_for_volunteers(client, saturday_nights):
    room, _ = saturday_nights
    make_booking(room, "party", local_dt(2026, 10, 24, 21), local_dt(2026, 10, 25, 3))
    client.force_login(UserFactory.municipality())
    body = client.get("/api/v1/occupancy/", {"year": 2026, "month": 10}).json()
    (house,) = [h for h in body["results"] if h["house"] == room.house_id]
    assert house["private_hours"] == 7 and house["open_hours"] == 2 * 41
    assert {m["month"] for m in house["months"]} == {10}
    assert len(house["heat"]) == 7 * 4 and len(house["rooms"]) == 2
    assert not ({"booker", "title", "booker_name", "notes"} & set(str(body).split("'")))

    stranger = HouseFactory()
    client.force_login(UserFactory.volunteer(stranger))
    body = client.get("/api/v1/occupancy/", {"year": 2026}).json()
    assert [h["house"] for h in body["results"]] == [stranger.pk]
    assert client.get("/api/v1/occupancy/", {"year": 2026, "house": room.house_id}).json()["results"] == []

    client.force_login(UserFactory.resident())
    assert client.get("/api/v1/occupancy/", {"year": 2026}).status_code == 403
    client.force_login(UserFactory.municipality())
    assert client.get("/api/v1/occupancy/", {"year": 2026, "month": 13}).status_code == 400
