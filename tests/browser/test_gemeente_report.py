"""The municipality's new pages in Chromium (issue 21): the yearly report printed to PDF with Chromium's own PDF
printing (`page.pdf()`) and read back with pypdf; axe 0 violations on every new page in Dutch and English; at 375 px
no element sticks out of the window (wide tables scroll inside their own region, with a cue); a screenshot of the
report for the README."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from boeking import clock
from boeking.models import House
from boeking.pricing import euro
from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import settle, sign_in
from tests.browser.test_accessibility import _axe
from tests.browser.test_phones import STICKING_OUT
from tests.factories import UserFactory, default_caps
from tests.gemeente.test_report import a_house

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.TZ)


@pytest.fixture
def gemeente(transactional_db, monkeypatch, settings):
    settings.ZAALBOEK_STAFF_MFA_REQUIRED = False  # two-factor has its own tests
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    houses = [a_house(n) for n in range(1, 5)]
    House.objects.filter(pk=houses[0].pk).update(name="Buurthuis De Kastanje in Wittevrouwenveld")
    officer = UserFactory.municipality(username="gemeente@example.org")
    first = houses[0].pk
    pages = ["/gemeente/rapport/2026/", "/gemeente/bezetting/", f"/gemeente/huizen/{first}/bezetting/",
             "/gemeente/inkomsten/", "/gemeente/toegankelijkheid/", "/gemeente/automatisch-goedkeuren/",
             "/gemeente/", f"/gemeente/huizen/{first}/", "/gemeente/maxima/", "/gemeente/regels/",
             "/gemeente/meldingen/", "/gemeente/export/"]
    return {"officer": officer, "houses": houses, "pages": pages}


def test_report__printed_to_pdf_by_chromium_holds_the_figures(live_server, browser: Browser, gemeente):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 1280, "height": 900})
    sign_in(context, live_server.url, gemeente["officer"])
    page = context.new_page()
    page.goto(f"{live_server.url}/gemeente/rapport/2026/")
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "gemeente-report.png"), full_page=False)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    context.close()

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert 1 < len(reader.pages) < 12
    assert "Jaarverslag gemeenschapshuizen 2026" in flat and "Niets over wie" in flat
    for heading in ("Gebruik tegen de maxima", "Bezetting", "Meldingen per maand", "Eigen inkomsten",
                    "Toegankelijkheid", "Automatisch goedkeuren"):
        assert heading in flat, heading
    # The figures: each house's net income and the city's occupancy, as the page (and the API) give them.
    from boeking import income, occupancy

    money = income.income(2026, houses=gemeente["houses"])
    for house in money.houses:
        assert euro(house.total().net_cents).replace("\xa0", " ") in flat.replace("\xa0", " ")
    city = occupancy.occupancy(2026, houses=gemeente["houses"]).city()
    assert f"{city.percent} %" in flat
    # The site's chrome is not printed: no menu, no language switch, no log-out button.
    for chrome in ("Uitloggen", "Naar de inhoud", "Zaal zoeken", "English"):
        assert chrome not in flat, chrome


@pytest.mark.parametrize("language", ["nl", "en"])
def test_axe__new_municipality_pages_have_no_violations(live_server, browser: Browser, gemeente, language):
    context = browser.new_context(bypass_csp=True, locale="nl-NL", viewport={"width": 1280, "height": 900})
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(context, live_server.url, gemeente["officer"])
    page = context.new_page()
    violations = {}
    for path in gemeente["pages"]:
        page.goto(f"{live_server.url}{path}")
        settle(page)
        assert page.locator("html").get_attribute("lang") == language, path
        found = _axe(page)
        if found:
            violations[path] = found
    context.close()
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)


def test_phone__every_municipality_page_fits_375px(live_server, browser: Browser, gemeente):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 375, "height": 800})
    sign_in(context, live_server.url, gemeente["officer"])
    page = context.new_page()
    problems = {}
    for path in gemeente["pages"]:
        page.goto(f"{live_server.url}{path}")
        settle(page)
        found = page.evaluate(STICKING_OUT, 375)
        if found["overflow"] or found["scrollWidth"] > 375:
            problems[path] = found
        if path == "/gemeente/rapport/2026/":
            page.screenshot(path=str(SCREENSHOTS / "gemeente-report-375.png"), full_page=False)
            # Wide tables scroll inside their own region, and say so.
            assert page.locator(".gemeente-scroll-cue").first.is_visible()
    context.close()
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
