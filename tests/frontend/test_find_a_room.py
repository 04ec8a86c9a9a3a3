"""Find a room as residents use it (issue 20): a dagdeel or an evening, a past date refused, guests carried to the
room, night continuations shown as such, results in pages in a stated order, a map of the listed houses."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import clock
from frontend.views import HOUSES_PER_PAGE, MAP_TILE_HOST, RESULTS_PER_PAGE
from tests.factories import BookingFactory, HouseFactory, LocationFactory, RoomFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_search__dagdeel_avond_finds_only_rooms_free_the_whole_evening(client, caps, now):
    free = RoomFactory(name="Vrije zaal")
    taken = RoomFactory(name="Bezette zaal")
    BookingFactory.requested(room=taken, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 21))
    text = body(client.get("/", {"date": "2027-01-23", "daypart": "avond"}))
    assert "1 zaal gevonden" in text and "Avond (18:00–22:00)" in text
    assert free.name in text and taken.name not in text
    # The same day without a dagdeel: both have free time.
    assert "2 zalen gevonden" in body(client.get("/", {"date": "2027-01-23"}))


def test_search__dagdeel_labels_are_english_on_english_pages(client, caps, now):
    client.cookies["django_language"] = "en"
    text = body(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Evening (18:00–22:00)" in text and "Avond" not in text


def test_search__a_past_date_is_refused_with_a_clear_message_not_a_list(client, caps, now):
    RoomFactory()
    text = body(client.get("/", {"date": "2027-01-03"}))
    assert "Deze datum is al voorbij" in text
    assert "gevonden" not in text


def test_search__a_dagdeel_without_a_date_asks_for_the_date(client, caps, now):
    text = body(client.get("/", {"daypart": "middag"}))
    assert "Kies een datum om op dagdeel te zoeken." in text


def test_search__guests_date_and_dagdeel_are_carried_to_the_room_page(client, caps, now):
    room = RoomFactory()
    text = body(client.get("/", {"date": "2027-01-23", "daypart": "avond", "guests": 35}))
    link = f"/zalen/{room.pk}/?datum=2027-01-23&amp;week=2027-01-23&amp;dagdeel=avond&amp;gasten=35"
    assert link in text
    page = body(client.get(f"/zalen/{room.pk}/", {"datum": "2027-01-23", "dagdeel": "avond", "gasten": "35"}))
    assert 'name="guests" value="35"' in page
    assert '<option value="avond" selected>' in page


def test_search__the_tail_of_last_night_is_a_continuation_not_a_free_night_slot(client, caps, now):
    room = RoomFactory()  # the factory house is open 08:00–01:00 every day
    text = body(client.get("/", {"date": "2027-01-23"}))
    assert "tot 01:00, vervolg van de avond ervoor" in text
    assert "00:00–01:00" not in text
    assert "08:00–01:00" in text  # the evening runs on past midnight
    week = body(client.get(f"/zalen/{room.pk}/", {"week": "2027-01-18"}))
    assert "tot 01:00, vervolg van de avond ervoor" in week and "00:00–01:00" not in week


def test_search__results_are_paged_in_the_stated_order(client, caps, now):
    house = HouseFactory(name="Aa-huis")
    location = LocationFactory(house=house)
    for i in range(RESULTS_PER_PAGE + 3):
        RoomFactory(location=location, name=f"Zaal {i:02d}")
    first = body(client.get("/", {"date": "2027-01-23"}))
    assert f"{RESULTS_PER_PAGE + 3} zalen gevonden" in first
    assert "Gesorteerd op de naam van het huis, dan van de zaal." in first
    assert first.count('<li class="zb-card">') == RESULTS_PER_PAGE
    assert first.index("Zaal 00") < first.index("Zaal 01") < first.index(f"Zaal {RESULTS_PER_PAGE - 1:02d}")
    assert "page=2" in first
    second = body(client.get("/", {"date": "2027-01-23", "page": 2}))
    assert second.count('<li class="zb-card">') == 3 and f"Zaal {RESULTS_PER_PAGE + 2:02d}" in second


def test_search__a_page_past_the_last_or_out_of_range_is_the_last_page(client, caps, now):
    location = LocationFactory(house=HouseFactory(name="Aa-huis"))
    for i in range(RESULTS_PER_PAGE + 3):
        RoomFactory(location=location, name=f"Zaal {i:02d}")
    for page in (3, 99, 10**30):  # past the last page, also far past a bigint
        text = body(client.get("/", {"date": "2027-01-23", "page": page}))
        assert f"{RESULTS_PER_PAGE + 3} zalen gevonden" in text and "Pagina 2 van 2." in text
        assert text.count('<li class="zb-card">') == 3
    for page in (0, -4, "twee"):
        text = body(client.get("/", {"date": "2027-01-23", "page": page}))
        assert "Pagina 1 van 2." in text and text.count('<li class="zb-card">') == RESULTS_PER_PAGE


def test_search__a_page_after_a_booking_shows_the_change(client, caps, now):
    """The kept verdicts (boeking.search) follow a booking made between two searches: page, count and order."""
    location = LocationFactory(house=HouseFactory(name="Aa-huis"))
    rooms = [RoomFactory(location=location, name=f"Zaal {i:02d}") for i in range(RESULTS_PER_PAGE + 3)]
    search = {"date": "2027-01-23", "daypart": "avond"}
    assert f"{RESULTS_PER_PAGE + 3} zalen gevonden" in body(client.get("/", search))
    BookingFactory.requested(room=rooms[0], start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 22))
    text = body(client.get("/", search))
    assert f"{RESULTS_PER_PAGE + 2} zalen gevonden" in text and "Zaal 00" not in text and "Zaal 20" in text
    assert body(client.get("/", {**search, "page": 2})).count('<li class="zb-card">') == 2


def test_home__lists_houses_a_page_at_a_time_not_every_house(client, caps, now):
    for i in range(HOUSES_PER_PAGE + 2):
        LocationFactory(house=HouseFactory(name=f"Huis {i:02d}"))
    text = body(client.get("/"))
    assert f"{HOUSES_PER_PAGE + 2} huizen" in text
    assert "Huis 00" in text and f"Huis {HOUSES_PER_PAGE:02d}" not in text
    assert f"Huis {HOUSES_PER_PAGE + 1:02d}" in body(client.get("/", {"page": 2}))


def test_map__markers_for_listed_locations_and_tiles_allowed_only_on_map_pages(client, caps, now):
    room = RoomFactory(location=LocationFactory(latitude="50.857400", longitude="5.705300", street="Kastanjeplein 4"))
    LocationFactory(house=room.house, name="Zonder coördinaten")
    home = client.get("/")
    text = body(home)
    assert 'id="zb-map-markers"' in text and '"lat": 50.8574' in text and '"lon": 5.7053' in text
    assert "Kastanjeplein 4" in text  # the text alternative: the list holds the address
    assert MAP_TILE_HOST in home["Content-Security-Policy"]
    house = client.get(f"/huizen/{room.house.slug}/")
    assert '"lat": 50.8574' in body(house) and MAP_TILE_HOST in house["Content-Security-Policy"]
    room_page = client.get(f"/zalen/{room.pk}/")
    assert MAP_TILE_HOST not in room_page["Content-Security-Policy"]


def test_map__no_coordinates_no_map_but_the_list_works(client, caps, now):
    room = RoomFactory()
    text = body(client.get("/"))
    assert room.house.name in text
    assert "zb-map-markers" not in text and "leaflet.js" not in text


def test_search__today_offers_only_what_is_left_of_the_day(client, caps, frozen_now):
    frozen_now(dt.datetime(2027, 1, 4, 14, 7, tzinfo=clock.TZ))
    RoomFactory()
    text = body(client.get("/", {"date": "2027-01-04"}))
    assert "1 zaal gevonden" in text
    assert "14:15–01:00" in text and "08:00–" not in text  # from the next quarter of an hour
    assert "0 zalen gevonden" in body(client.get("/", {"date": "2027-01-04", "daypart": "middag"}))


def test_room_page__other_weeks_keep_the_guests_and_dagdeel_from_the_search(client, caps, now):
    room = RoomFactory()
    text = body(client.get(f"/zalen/{room.pk}/", {"week": "2027-01-18", "gasten": "35", "dagdeel": "avond"}))
    assert "?week=2027-01-25&amp;gasten=35&amp;dagdeel=avond#vrij" in text


def test_house_page_map__a_named_region_with_a_text_alternative(client, caps, now):
    """The markup a screen reader meets without JavaScript (axe runs on the live map in tests/browser/test_map.py)."""
    room = RoomFactory(location=LocationFactory(latitude="50.849700", longitude="5.695600"))
    text = body(client.get(f"/huizen/{room.house.slug}/"))
    assert 'role="region" aria-label="Kaart met de huizen"' in text
    assert "1 locatie op de kaart; het adres staat ook als tekst op deze pagina." in text
    assert "De kaart heeft JavaScript nodig" in text
