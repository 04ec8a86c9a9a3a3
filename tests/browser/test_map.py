"""The map on the search and house pages (issue 20) in Chromium, offline: tile requests are answered with an error,
so the test asserts markers and popups (never tiles); axe finds nothing in Dutch or English; at 375 px nothing
sticks out; the page's own CSP lets the map run."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, expect

from boeking import clock
from tests.browser.test_accessibility import _axe
from tests.factories import HouseFactory, LocationFactory, RoomFactory, default_caps

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)


@pytest.fixture
def houses(transactional_db, monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    kastanje = HouseFactory(name="Buurthuis De Kastanje", slug="de-kastanje")
    RoomFactory(location=LocationFactory(house=kastanje, name="De Kastanje", street="Kastanjeplein 4",
                                         latitude="50.857400", longitude="5.705300"))
    brug = HouseFactory(name="Ontmoetingscentrum De Kleine Brug", slug="de-kleine-brug")
    RoomFactory(location=LocationFactory(house=brug, name="De Kleine Brug", street="Maaskade 17",
                                         latitude="50.849700", longitude="5.695600"))
    return kastanje, brug


def _offline(page) -> list[str]:
    """Answer every request to another host with an error (tests run offline); returns the hosts that were asked."""
    asked: list[str] = []

    def refuse(route):
        asked.append(route.request.url.split("/")[2])
        route.abort()

    page.route(lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), refuse)
    return asked


@pytest.mark.parametrize("language", ["nl", "en"])
def test_map__markers_and_popups_on_the_search_page_offline_and_axe_clean(live_server, browser: Browser, houses,
                                                                          language):
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked = _offline(page)
    page.goto(f"{live_server.url}/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-map-ready='2']")).to_be_visible()
    markers = page.locator(".zb-map .leaflet-marker-icon")
    expect(markers).to_have_count(2)
    marker = page.locator(".leaflet-marker-icon[title='Buurthuis De Kastanje (De Kastanje)']")
    marker.click()
    popup = page.locator(".leaflet-popup-content a")
    expect(popup).to_have_text("Buurthuis De Kastanje (De Kastanje)")
    assert popup.get_attribute("href") == "/huizen/de-kastanje/"
    # The list stays the primary content: both houses are listed with their address.
    expect(page.locator("#huizen")).to_be_visible()
    expect(page.get_by_text("Kastanjeplein 4").first).to_be_visible()
    assert set(asked) <= {"service.pdok.nl"}  # tiles only, and they failed: the page works without them
    # Leaflet fades the popup in (0.2 s): contrast is judged once it is fully shown (axe caught it half faded once).
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    assert _axe(page) == []
    context.close()


def test_map__house_page_shows_its_location_under_its_own_csp(live_server, page, houses, csp_errors):
    _offline(page)
    page.goto(f"{live_server.url}/huizen/de-kleine-brug/")
    expect(page.locator("[data-map-ready='1']")).to_be_visible()
    expect(page.locator(".zb-map .leaflet-marker-icon")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert [e for e in csp_errors if "service.pdok.nl" not in e] == []


def test_map__house_page_axe_clean(live_server, browser: Browser, houses):
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    _offline(page)
    page.goto(f"{live_server.url}/huizen/de-kastanje/")
    expect(page.locator("[data-map-ready='1']")).to_be_visible()
    expect(page.locator("[data-calendar] .fc-view-harness")).to_be_visible()
    assert _axe(page) == []
    context.close()


def test_map__fits_a_375px_phone(live_server, browser: Browser, houses):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 375, "height": 800})
    page = context.new_page()
    _offline(page)
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-map-ready='2']")).to_be_visible()
    # Leaflet's panes move inside the map, which clips them (overflow: hidden): the map itself must fit.
    right = page.evaluate("() => Math.max(...[...document.querySelectorAll('body *')]"
                          ".filter(e => !e.closest('.zb-map') || e.matches('.zb-map'))"
                          ".map(e => e.getBoundingClientRect().right))")
    assert right <= 375
    assert page.evaluate("() => getComputedStyle(document.querySelector('.zb-map')).overflow") == "hidden"
    context.close()
