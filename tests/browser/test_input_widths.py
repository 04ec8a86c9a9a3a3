"""Paired inputs are equally wide (seen on the series request form: the end time, which has a help text under it, came
out wider than the start time). Measured in Chromium at 1280 px and on a 375 px phone: begin and end time on the
series form, on the series page's "change the time" form and on the room page's booking form; the series form's last
date and number of times."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser

from boeking import clock, services
from tests.browser.pages import sign_in
from tests.factories import RoomFactory, UserFactory, default_caps

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


@pytest.mark.parametrize("width", [1280, 375])
def test_paired_inputs__are_equally_wide(live_server, browser: Browser, world, width):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": width, "height": 900})
    sign_in(context, live_server.url, world["association"])
    page = context.new_page()
    room, series = world["room"], world["series"]
    measured = []
    for path, pairs in [(f"/zalen/{room.pk}/reeks/", PAIRS), (f"/mijn/reeksen/{series.pk}/", PAIRS[:1]),
                        (f"/zalen/{room.pk}/", PAIRS[:1])]:
        page.goto(live_server.url + path)
        for first, second in pairs:
            a, b = page.locator(f"#{first}").bounding_box(), page.locator(f"#{second}").bounding_box()
            assert a and b, (path, first, second)
            measured.append((path, first, round(a["width"]), second, round(b["width"])))
            assert abs(a["width"] - b["width"]) <= 1, measured[-1]
            assert a["width"] >= 150, measured[-1]  # wide enough to read a time or a date in
    context.close()
    assert len(measured) == 4
