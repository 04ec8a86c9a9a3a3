"""Series and faster answers in a real browser (issue 18): an association requests a weekly series from a room's page
(the preview shows the closure's date), the board approves it as one card, the association follows it as one entry
and cancels "this and all following"; a house that approves koffietafels at once answers without the board. axe on
the new pages in Dutch and English, and nothing wider than a 375 px phone."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from boeking import clock, services
from boeking.models import AuditEntry, Booking, BookingStatus, Series, SeriesStatus
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accessibility import _axe
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)  # a Monday morning


@pytest.fixture
def world(transactional_db, monkeypatch):
    """A house with one room (open daily 08:00–01:00) closed for the Krokusvakantie, its volunteer, a choir's contact
    and a resident; the clock stands at NOW."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje")
    volunteer = UserFactory.volunteer(room.house, username="bestuur@example.org", first_name="Marij")
    association = UserFactory.association(username="koor@example.org", first_name="Els", last_name="Dirix")
    resident = UserFactory.resident(username="bewoner@example.org", first_name="Anouk", last_name="Janssen")
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 2, 15), end=local_dt(2027, 2, 20),
                            reason="Krokusvakantie")
    return {"room": room, "house": room.house, "volunteer": volunteer, "association": association,
            "resident": resident}


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def fill_series(page: Page) -> None:
    page.get_by_label("Naam van de activiteit").fill("Koorrepetitie")
    page.get_by_label("Elke week of om de zoveel weken").check()
    page.get_by_label("dinsdag").check()
    page.get_by_label("Begintijd").fill("19:00")
    page.get_by_label("Eindtijd").fill("21:00")
    page.get_by_label("Eerste datum").fill("2027-01-12")
    page.get_by_label("Laatste datum (tot en met)").fill("2027-03-30")
    page.get_by_label("Aantal deelnemers").fill("24")


def widest_right_edge(page: Page) -> float:
    return page.evaluate("Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))")


def test_flow__association_requests_a_series__board_approves_one_card__association_cancels_the_rest(
        live_server, page: Page, world, csp_errors):
    base = live_server.url
    login(page, base, "koor@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")
    page.get_by_role("link", name=re.compile("Een reeks aanvragen")).click()
    expect(page).to_have_url(re.compile(rf"/zalen/{world['room'].pk}/reeks/$"))
    fill_series(page)
    # The live preview (htmx → series_quote, the API's planner): every date, the closure's by name.
    preview = page.locator("#series-preview")
    expect(preview.locator("[data-summary]")).to_contain_text("11 datums te boeken · 1 datum kan niet")
    expect(preview.locator('[data-skip="2027-02-16"]')).to_contain_text("dinsdag 16-02-2027: Gesloten: Krokusvakantie")
    expect(preview.locator("[data-words]")).to_have_text(
        "Elke dinsdag van 19:00 tot 21:00, van 12 januari 2027 tot en met 30 maart 2027")
    expect(preview).not_to_contain_text("FREQ")
    page.get_by_role("button", name="Reeks aanvragen").click()
    expect(page).to_have_url(re.compile(r"/mijn/reeksen/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Uw aanvraag voor de reeks is verstuurd")
    series = Series.objects.get()
    assert series.status == SeriesStatus.REQUESTED and series.occurrences.count() == 11
    logout(page)

    login(page, base, "bestuur@example.org")
    expect(page.locator(".zb-count")).to_have_text("1")  # the series counts once, not 11 times
    page.goto(f"{base}/bestuur/")
    card = page.locator(f"#reeks-{series.pk}")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("elke dinsdag van 19:00 tot 21:00")
    expect(page.locator("[id^=aanvraag-]")).to_have_count(0)  # no card per date
    card.get_by_role("button", name="Reeks goedkeuren").click()
    expect(page.get_by_role("status")).to_be_visible()
    series.refresh_from_db()
    assert series.status == SeriesStatus.APPROVED
    logout(page)

    login(page, base, "koor@example.org")
    page.goto(f"{base}/mijn/")
    entry = page.locator("[data-series]")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("11 datums geboekt")
    expect(entry).to_contain_text("volgende: di 12-01-2027 19:00")
    entry.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/mijn/reeksen/{series.pk}/$"))
    page.get_by_role("button", name="Deze en alle volgende annuleren (02-03-2027)").click()
    expect(page.locator("#confirm-question")).to_contain_text("Weet u zeker dat u deze 5 datums wilt annuleren?")
    page.get_by_role("button", name="Ja, annuleer deze datums").click()
    expect(page.get_by_role("status")).to_contain_text("5 datums vanaf 02-03-2027 zijn geannuleerd")
    series.refresh_from_db()
    assert series.until == dt.date(2027, 3, 1)
    assert series.occurrences.filter(status=BookingStatus.CONFIRMED).count() == 6
    expect(page.locator("[data-count]")).to_contain_text("6 datums")
    assert csp_errors == []


def test_flow__automatic_approval_answers_a_koffietafel_without_the_board(live_server, page: Page, world):
    base = live_server.url
    login(page, base, "bestuur@example.org")
    page.goto(f"{base}/bestuur/huizen/de-kastanje/instellingen/")
    page.get_by_label("Koffietafel").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_label("Koffietafel")).to_be_checked()
    logout(page)

    mail.outbox.clear()
    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")
    page.get_by_label("Soort bijeenkomst").select_option("koffietafel")
    page.get_by_label("Datum", exact=True).fill("2027-01-05")
    page.get_by_label("Begintijd").fill("13:00")
    page.get_by_label("Eindtijd").fill("15:00")
    page.get_by_label("Aantal gasten").fill("30")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page).to_have_url(re.compile(r"/mijn/boekingen/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("meteen goedgekeurd")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "approved")  # awaiting payment; no board
    booking = Booking.objects.get(booker=world["resident"])
    entry = AuditEntry.objects.get(booking=booking, action="booking.approved")
    assert entry.actor is None and entry.data["automatic"] is True
    board = [m for m in mail.outbox if "bestuur@example.org" in m.to]
    assert any(m.subject.startswith("Automatisch goedgekeurd:") and "U hoeft niets te beslissen" in m.body
               for m in board), [m.subject for m in board]


@pytest.fixture
def series_pages(world):
    """A requested series with a skipped date, and an approved one with a cancelled date (restorable)."""
    room, association, volunteer = world["room"], world["association"], world["volunteer"]
    requested = services.series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                       start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 1, 12),
                                       until=dt.date(2027, 3, 30), guests=24, title="Koorrepetitie")
    approved = services.series_create(booker=association, room=room, kind="association",
                                      rrule="FREQ=MONTHLY;BYDAY=-1FR", start_time=dt.time(20), end_time=dt.time(23),
                                      first_date=dt.date(2027, 1, 1), until=dt.date(2027, 6, 30), guests=40,
                                      title="Kaartavond")
    services.series_approve(series=approved, actor=volunteer)
    services.booking_cancel(booking=approved.occurrences.order_by("start")[1], actor=association)
    return {"requested": requested, "approved": approved}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_axe_and_375px__the_series_pages(live_server, browser: Browser, world, series_pages, language):
    base = live_server.url
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, "koor@example.org")
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    room = world["room"]
    # The request page after "Bekijk de datums" (the preview without JavaScript), the series pages and /mijn/.
    page.goto(f"{base}/zalen/{room.pk}/reeks/")
    if language == "nl":
        fill_series(page)
    else:
        page.get_by_label("Name of the activity").fill("Choir")
        page.get_by_label("Tuesday").check()
        page.get_by_label("Start time").fill("19:00")
        page.get_by_label("End time").fill("21:00")
        page.get_by_label("First date").fill("2027-01-12")
        page.get_by_label("Last date (inclusive)").fill("2027-03-30")
        page.get_by_label("Number of participants").fill("24")
    page.get_by_role("button", name="Bekijk de datums" if language == "nl" else "Show the dates").click()
    expect(page.locator('[data-skip="2027-02-16"]')).to_contain_text(
        "Gesloten: Krokusvakantie" if language == "nl" else "Closed: Krokusvakantie")
    violations, too_wide = {}, {}
    paths = [None, f"/mijn/reeksen/{series_pages['requested'].pk}/", f"/mijn/reeksen/{series_pages['approved'].pk}/",
             "/mijn/"]
    for path in paths:
        if path:
            page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        found = _axe(page)
        if found:
            violations[path or "reeks"] = found
        page.set_viewport_size({"width": 375, "height": 800})
        edge = widest_right_edge(page)
        if edge > 375:
            too_wide[path or "reeks"] = edge
        page.set_viewport_size({"width": 1280, "height": 900})
    # The confirmation before cancelling dates (reached by a button, not a link).
    page.goto(f"{base}/mijn/reeksen/{series_pages['approved'].pk}/")
    page.locator("form[action$='/annuleren/'] button.zb-danger").click()
    expect(page.locator("#confirm-question")).to_be_visible()
    if found := _axe(page):
        violations["confirm"] = found
    page.set_viewport_size({"width": 375, "height": 800})
    if (edge := widest_right_edge(page)) > 375:
        too_wide["confirm"] = edge
    context.close()
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)
    assert too_wide == {}


def test_screenshots__the_association_and_the_board_for_the_readme(live_server, browser: Browser, world):
    """docs/screenshots/series-request.png (the association's preview) and series-board.png (the board's card)."""
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, base, "koor@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/reeks/")
    fill_series(page)
    page.get_by_label("Eerste datum").fill("2027-01-19")
    page.get_by_role("button", name="Bekijk de datums").click()
    expect(page.locator('[data-skip="2027-02-16"]')).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "series-request.png"), full_page=True)
    page.get_by_role("button", name="Reeks aanvragen").click()
    expect(page).to_have_url(re.compile(r"/mijn/reeksen/\d+/$"))
    logout(page)
    login(page, base, "bestuur@example.org")
    page.goto(f"{base}/bestuur/")
    card = page.locator(f"#reeks-{Series.objects.get().pk}")
    expect(card).to_be_visible()
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SCREENSHOTS / "series-board.png"))
    context.close()
