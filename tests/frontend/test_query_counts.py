"""Every page costs a constant number of queries in the size of its data (issue 19): each test builds the same page's
data at two sizes and asserts the SAME query count (never a timing). Sizes are small (a few rooms, houses and
requests) because what matters is that nothing runs once per room, house, booking or series date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boeking import clock, services
from boeking.models import RoomDay
from tests.factories import BookingFactory, HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 1, 23)  # a Saturday, 19 days after "now": parties may be requested


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


def queries(client, url: str, data=None) -> int:
    """The number of SQL statements one GET of `url` costs (after a first request has warmed sessions and caches)."""
    client.get(url, data)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def house_with_rooms(n: int, *, bookings: bool = True, **house):
    """A house with `n` rooms (on two locations when n > 1), each with a party request on DAY and a confirmed one the
    day before, and a closure of its last room."""
    house = HouseFactory(**house)
    locations = [LocationFactory(house=house, name="Hoofdgebouw", latitude=50.85, longitude=5.69)]
    if n > 1:
        locations.append(LocationFactory(house=house, name="Dependance", latitude=50.86, longitude=5.70))
    rooms = [RoomFactory(location=locations[i % len(locations)], name=f"Zaal {i}") for i in range(n)]
    if bookings:
        for room in rooms:
            BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 17))
            BookingFactory.confirmed(room=room, start=local_dt(2027, 1, 22, 19), end=local_dt(2027, 1, 22, 23))
        admin = UserFactory(is_staff=True, is_superuser=True)
        services.closure_create(actor=admin, house=house, room=rooms[-1], start=local_dt(2027, 1, 24, 0),
                                end=local_dt(2027, 1, 25, 0), reason="Onderhoud")
    return house, rooms


def same_at_two_sizes(build, measure) -> tuple[int, int]:
    """Build the small data set, measure, add to it (build again), measure: the two counts."""
    build(1)
    small = measure()
    build(4)
    large = measure()
    return small, large


# --- find a room ------------------------------------------------------------------------------------------------


def test_home__without_search__same_queries_for_one_house_or_many(client, caps, now):
    small, large = same_at_two_sizes(lambda n: house_with_rooms(n), lambda: queries(client, "/"))
    assert small == large


def test_home__search_by_date__same_queries_for_one_room_or_many(client, caps, now):
    small, large = same_at_two_sizes(lambda n: house_with_rooms(n),
                                     lambda: queries(client, "/", {"date": DAY.isoformat()}))
    assert small == large


def test_home__search_by_date_and_dagdeel_with_filters__same_queries_for_one_room_or_many(client, caps, now):
    search = {"date": DAY.isoformat(), "daypart": "avond", "guests": 10, "access": ["step_free", "wheelchair"]}
    small, large = same_at_two_sizes(lambda n: house_with_rooms(n, bookings=True),
                                     lambda: queries(client, "/", search))
    assert small == large


def test_home__the_first_search_of_a_day__same_queries_for_one_room_or_many(client, caps, now):
    """The day's first search computes and keeps every room's verdict (boeking.search): still constant."""
    def first_search() -> int:
        RoomDay.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/", {"date": DAY.isoformat(), "daypart": "avond"}).status_code == 200
        return len(ctx.captured_queries)

    client.get("/")  # sessions and caches warmed
    small, large = same_at_two_sizes(lambda n: house_with_rooms(n), first_search)
    assert small == large


def test_home__search_of_today__same_queries_for_one_room_or_many(client, caps, now):
    """Today's search is judged live (what is left of the day), without kept verdicts: constant too."""
    small, large = same_at_two_sizes(lambda n: house_with_rooms(n),
                                     lambda: queries(client, "/", {"date": "2027-01-04"}))
    assert small == large


# --- house, room, agendas ---------------------------------------------------------------------------------------


def test_house_page__same_queries_for_one_room_or_many(client, caps, now):
    house, _rooms = house_with_rooms(1)
    small = queries(client, f"/huizen/{house.slug}/")
    for i in range(3):
        room = RoomFactory(location=house.locations.first(), name=f"Extra {i}")
        BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 17))
    LocationFactory(house=house, name="Tweede locatie", latitude=50.84, longitude=5.68)
    assert queries(client, f"/huizen/{house.slug}/") == small


def test_room_page__same_queries_for_an_empty_or_a_busy_week(client, caps, now):
    _house, (room,) = house_with_rooms(1, bookings=False)
    small = queries(client, f"/zalen/{room.pk}/", {"week": "2027-01-18"})
    for day in (18, 19, 20, 21):
        BookingFactory.requested(room=room, start=local_dt(2027, 1, day, 14), end=local_dt(2027, 1, day, 17),
                                 kind="gathering")
    assert queries(client, f"/zalen/{room.pk}/", {"week": "2027-01-18"}) == small


@pytest.mark.parametrize("as_board", [False, True], ids=["public", "board"])
def test_house_agenda__same_queries_for_one_room_or_many(client, caps, now, as_board):
    house, rooms = house_with_rooms(1)
    if as_board:
        client.force_login(UserFactory.volunteer(house))
    url = f"/huizen/{house.slug}/agenda.json"
    week = {"start": "2027-01-18", "end": "2027-01-25"}
    small = queries(client, url, week)
    location = house.locations.first()
    for i in range(3):
        room = RoomFactory(location=location, name=f"Extra {i}")
        BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 17))
    association = UserFactory.association()
    services.series_create(booker=association, room=rooms[0], kind="association", rrule="FREQ=WEEKLY;BYDAY=SA",
                           start_time=dt.time(13), end_time=dt.time(18), first_date=dt.date(2027, 1, 16),
                           until=dt.date(2027, 2, 27), guests=20, title="Koor")
    assert queries(client, url, week) == small


def test_room_agenda__same_queries_for_a_quiet_or_a_busy_month(client, caps, now):
    _house, (room,) = house_with_rooms(1, bookings=False)
    url = f"/zalen/{room.pk}/agenda.json"
    month = {"start": "2027-01-18", "end": "2027-02-28"}
    small = queries(client, url, month)
    for day in (19, 20, 21, 26, 27):
        BookingFactory.requested(room=room, start=local_dt(2027, 1, day, 14), end=local_dt(2027, 1, day, 17),
                                 kind="gathering")
    assert queries(client, url, month) == small


# --- the board ---------------------------------------------------------------------------------------------------


def test_inbox__same_queries_for_one_request_or_many_in_several_houses(client, caps, now):
    house, (room,) = house_with_rooms(1)
    volunteer = UserFactory.volunteer(house)
    client.force_login(volunteer)
    small = queries(client, "/bestuur/")
    other, rooms = house_with_rooms(3)
    volunteer.memberships.create(house=other)
    for kind, day in (("koffietafel", 12), ("gathering", 30), ("party", 31)):
        BookingFactory.requested(room=rooms[0], kind=kind, start=local_dt(2027, 1, day, 14),
                                 end=local_dt(2027, 1, day, 17))
    large = queries(client, "/bestuur/")
    assert large == small
    assert client.get("/bestuur/").content.decode().count('class="zb-card" id="aanvraag-') == 1 + 3 + 3


def test_inbox__a_40_date_series_request_costs_what_a_one_off_request_costs(client, caps, now):
    """Issue 18: the board's inbox with one 40-date series request runs as many queries as with one one-off."""
    house, (room,) = house_with_rooms(1, bookings=False)
    client.force_login(UserFactory.volunteer(house))
    one_off = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 17))
    with_one_off = queries(client, "/bestuur/")
    services.booking_reject(booking=one_off, actor=UserFactory(is_staff=True, is_superuser=True), reason="Test")
    first = dt.date(2027, 2, 2)  # 40 Tuesdays: 2 February to 2 November 2027
    series = services.series_create(
        booker=UserFactory.association(), room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
        start_time=dt.time(19), end_time=dt.time(21), first_date=first, until=first + dt.timedelta(weeks=39),
        guests=20, title="Zangkoor")
    dates = series.occurrences.filter(status="requested").count()
    with_series = queries(client, "/bestuur/")
    text = client.get("/bestuur/").content.decode()
    assert 'id="reeks-' in text and 'id="aanvraag-' not in text
    assert dates == 40
    assert with_series == with_one_off


def test_board_house_calendar__same_queries_for_few_or_many_bookings(client, caps, now):
    house, (room,) = house_with_rooms(1)
    client.force_login(UserFactory.volunteer(house))
    url = f"/bestuur/huizen/{house.slug}/agenda/"
    small = queries(client, url)
    for day in (19, 20, 21):
        BookingFactory.requested(room=room, start=local_dt(2027, 1, day, 14), end=local_dt(2027, 1, day, 17),
                                 kind="gathering")
    services.series_create(booker=UserFactory.association(), room=room, kind="association",
                           rrule="FREQ=WEEKLY;BYDAY=WE", start_time=dt.time(19), end_time=dt.time(21),
                           first_date=dt.date(2027, 1, 13), until=dt.date(2027, 2, 3), guests=20, title="Koor")
    assert queries(client, url) == small
