"""List endpoints cost the same number of queries for 5 rows as for 25 (no N+1), and the rate limits of SPEC §8:
booking creation and token login answer 429 `throttled` once their limit is used up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from boeking import services
from boeking.models import AuditEntry, Booking, Closure
from tests.factories import (
    BookingFactory,
    FacilityFactory,
    HouseFactory,
    LocationFactory,
    RoomFactory,
    UserFactory,
    local_dt,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def march(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; clear them so no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


def get_counting_queries(client, url: str, rows: int) -> int:
    """GET `url`, check it lists `rows` results, and return how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["results"]) == rows
    return len(queries)


def assert_constant_queries(client, url: str, make) -> None:
    """`make(n)` adds n listed objects. The query count at page_size=5 with 5 objects equals that at page_size=25
    with 25 objects."""
    make(5)
    client.get(f"{url}?page_size=1")  # warm up per-process caches (content types, rule settings)
    small = get_counting_queries(client, f"{url}?page_size=5", 5)
    make(20)
    large = get_counting_queries(client, f"{url}?page_size=25", 25)
    assert large == small, f"{url}: {small} queries for 5 rows, {large} for 25"


def new_house_with_rooms(_):
    house = HouseFactory()
    location = LocationFactory(house=house)
    for _ in range(2):
        room = RoomFactory(location=location)
        room.facilities.add(FacilityFactory(code="keuken"), FacilityFactory(code="bar", name_nl="Bar", name_en="Bar"))
    LocationFactory(house=house, name="Bijgebouw")
    return house


def test_houses_list__query_count_does_not_grow_with_page_size(api, caps):
    assert_constant_queries(api, "/api/v1/houses/", lambda n: [new_house_with_rooms(i) for i in range(n)])


def test_rooms_list__query_count_does_not_grow_with_page_size(api, caps):
    def make(n):
        for _ in range(n):
            room = RoomFactory()
            room.facilities.add(FacilityFactory(code="keuken"), FacilityFactory(code="av", name_nl="Beamer", name_en="AV"))

    assert_constant_queries(api, "/api/v1/rooms/", make)


def test_closures_list__query_count_does_not_grow_with_page_size(api, room):
    def make(n):
        start = Closure.objects.count()
        for day in range(start, start + n):
            Closure.objects.create(house=room.house, room=room if day % 2 else None, start=local_dt(2027, 5, 1 + day),
                                   end=local_dt(2027, 5, 2 + day), reason="Onderhoud")

    assert_constant_queries(api, "/api/v1/closures/", make)


def make_bookings(room, booker):
    """`make(n)`: n more bookings in `room` by `booker`, on consecutive April/May evenings, every third approved."""
    volunteer = UserFactory.volunteer(room.house)
    services.rule_settings_update(actor=None, changes={"max_open_requests": 100})  # one booker, many requests

    def make(n):
        start = Booking.objects.count()
        for i in range(start, start + n):
            day = dt.date(2027, 4, 1) + dt.timedelta(days=i)
            factory = BookingFactory.approved if i % 3 == 0 else BookingFactory.requested
            kwargs = {"approver": volunteer} if i % 3 == 0 else {}
            factory(room=room, booker=booker, kind="koffietafel", start=local_dt(day.year, day.month, day.day, 13),
                    end=local_dt(day.year, day.month, day.day, 16), guests=30, alcohol=False, **kwargs)

    return make


@pytest.mark.parametrize("viewer", ["volunteer", "resident"])
def test_bookings_list__query_count_does_not_grow_with_page_size(as_user, room, viewer):
    booker = UserFactory.resident()
    make = make_bookings(room, booker)
    client = as_user(UserFactory.volunteer(room.house) if viewer == "volunteer" else booker)
    assert_constant_queries(client, "/api/v1/bookings/", make)


def party(room, day: int) -> dict:
    return {"room": room.pk, "kind": "party", "start": f"2027-04-{day:02d}T19:00:00+02:00",
            "end": f"2027-04-{day:02d}T23:00:00+02:00", "guests": 40, "alcohol": True, "title": "Feest"}


def test_booking_create__throttled_after_limit__429_and_nothing_written(as_user, room, monkeypatch):
    # DRF reads the rates once, at import, into the class: patch the class, not the settings.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES",
                        {**ScopedRateThrottle.THROTTLE_RATES, "booking_create": "3/hour"})
    resident = UserFactory.resident()
    client = as_user(resident)
    for day in (5, 12, 19):
        assert client.post("/api/v1/bookings/", party(room, day), format="json").status_code == 201

    before = (Booking.objects.count(), AuditEntry.objects.count())
    response = client.post("/api/v1/bookings/", party(room, 26), format="json")

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"] and body["rules"] == []
    assert int(response["Retry-After"]) > 0
    assert (Booking.objects.count(), AuditEntry.objects.count()) == before
    # The limit is per user and per creation: a quote still answers, another resident may still book.
    assert client.post("/api/v1/bookings/quote/", party(room, 26), format="json").status_code == 200
    assert client.get("/api/v1/bookings/").status_code == 200
    assert as_user(UserFactory.resident()).post("/api/v1/bookings/", party(room, 26), format="json").status_code == 201


def test_token__throttled_after_limit__429_even_with_the_right_password(api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "auth": "3/min"})
    user = UserFactory.resident()
    for password in ("fout1", "fout2", "demo"):
        response = api.post("/api/v1/auth/token/", {"username": user.username, "password": password}, format="json")
        assert response.status_code in (200, 400)

    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "demo"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert {"code", "detail", "rules"} <= set(response.json())
    assert int(response["Retry-After"]) > 0


def test_series_create__shares_the_booking_creation_limit__429_and_nothing_written(as_user, room, monkeypatch):
    from boeking.models import Series

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES",
                        {**ScopedRateThrottle.THROTTLE_RATES, "booking_create": "2/hour"})
    association = UserFactory.association()
    client = as_user(association)
    assert client.post("/api/v1/bookings/", {**party(room, 5), "kind": "association"}, format="json").status_code == 201
    series = {"room": room.pk, "kind": "association", "rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00",
              "end_time": "21:00", "first_date": "2027-04-06", "until": "2027-05-25", "guests": 20}
    assert client.post("/api/v1/series/", series, format="json").status_code == 201

    before = (Series.objects.count(), Booking.objects.count())
    response = client.post("/api/v1/series/", {**series, "start_time": "14:00", "end_time": "16:00"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert (Series.objects.count(), Booking.objects.count()) == before
    # Seeing what a series would get is not limited.
    assert client.post("/api/v1/series/quote/", series, format="json").status_code == 200
