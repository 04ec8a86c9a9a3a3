"""Paired inputs are equally wide (seen on the series request form: the end time, which has a help text under it, came
out wider than the start time). Measured in Chromium at 1280 px and on a 375 px phone: begin and end time on the
series form, on the series page's "change the time" form and on the room page's booking form; the series form's last
date and number of times. The board's and the municipality's pairs too: a closure's date and time (from, until), the
invoice run's and the export's period, the notices' filter period, the rules' private end times and koffietafel
times (they sat in a flex row sized to each label: "Tot en met (datum)" came out wider than "Tot (tijd)")."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser

from boeking import clock, services
from tests.browser.pages import sign_in
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)  # a Monday morning
PAIRS = [("id_start_time", "id_end_time"), ("id_until", "id_count")]


@pytest.fixture
def world(transactional_db, monkeypatch):
    """A room, a choir's contact with an approved weekly series in it; the clock at NOW."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal")
    volunteer = UserFactory.volunteer(room.house)
    association = UserFactory.association()
    series = services.series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                    start_time=dt.time(19, 30), end_time=dt.time(21, 30),
                                    first_date=dt.date(2027, 1, 12), until=dt.date(2027, 3, 30), guests=30,
                                    title="Koorrepetitie")
    services.series_approve(series=series, actor=volunteer, reason="")
    return {"room": room, "association": association, "series": series}


def measure_pairs(browser: Browser, base: str, user, width: int, pages: list) -> list:
    """Signs `user` in at `width` px and measures every (first, second) input pair on every (path, pairs) page:
    equally wide (within a pixel) and wide enough to read a time or a date in. Returns the measurements."""
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": width, "height": 900})
    sign_in(context, base, user)
    page = context.new_page()
    measured = []
    for path, pairs in pages:
        page.goto(base + path)
        for first, second in pairs:
            a, b = page.locator(f"#{first}").bounding_box(), page.locator(f"#{second}").bounding_box()
            assert a and b, (path, first, second)
            measured.append((path, first, round(a["width"]), second, round(b["width"])))
            assert abs(a["width"] - b["width"]) <= 1, measured[-1]
            assert a["width"] >= 150, measured[-1]  # wide enough to read a time or a date in
    context.close()
    return measured


@pytest.mark.parametrize("width", [1280, 375])
def test_paired_inputs__are_equally_wide(live_server, browser: Browser, world, width):
    room, series = world["room"], world["series"]
    measured = measure_pairs(browser, live_server.url, world["association"], width, [
        (f"/zalen/{room.pk}/reeks/", PAIRS), (f"/mijn/reeksen/{series.pk}/", PAIRS[:1]),
        (f"/zalen/{room.pk}/", PAIRS[:1])])
    assert len(measured) == 4


@pytest.mark.parametrize("width", [1280, 375])
def test_paired_inputs__board_and_municipality_pages__are_equally_wide(live_server, browser: Browser, world,
                                                                     width):
    house = world["room"].house
    board = UserFactory.volunteer(house, username="bestuur@example.org")
    services.closure_create(actor=board, house=house, start=local_dt(2027, 2, 15), end=local_dt(2027, 2, 20),
                            reason="Krokusvakantie")
    measured = measure_pairs(browser, live_server.url, board, width, [
        (f"/bestuur/huizen/{house.slug}/sluitingen/", [("id_date", "id_start_time"), ("id_end_date", "id_end_time")]),
        (f"/bestuur/huizen/{house.slug}/facturen/", [("id_van", "id_tot"), ("id_export-van", "id_export-tot")]),
        (f"/bestuur/huizen/{house.slug}/facturen/?van=2027-01-01&tot=2027-01-31", [("id_van", "id_tot")])])
    municipality = UserFactory.municipality(username="gemeente@example.org")
    measured += measure_pairs(browser, live_server.url, municipality, width, [
        ("/gemeente/meldingen/", [("id_start", "id_end")]),
        ("/gemeente/regels/", [("id_private_end_weeknight", "id_private_end_weekend"),
                               ("id_koffietafel_earliest", "id_koffietafel_latest")])])
    assert len(measured) == 8
