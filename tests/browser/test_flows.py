"""The flows residents and volunteers rely on, in a real browser (Chromium) against the live server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from boeking import clock
from boeking.models import Booking, CapRule
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)  # a Monday morning


@pytest.fixture
def world(transactional_db, monkeypatch):
    """A house with one room (open daily 08:00–01:00), its volunteer and a resident; the clock stands at NOW."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje")
    volunteer = UserFactory.volunteer(room.house, username="bestuur@example.org", first_name="Marij")
    resident = UserFactory.resident(username="bewoner@example.org", first_name="Anouk", last_name="Janssen")
    return {"room": room, "house": room.house, "volunteer": volunteer, "resident": resident}


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def fill_booking(page: Page, *, kind: str, date: str, start: str, end: str, guests: int) -> None:
    page.get_by_label("Soort bijeenkomst").select_option(kind)
    page.get_by_label("Datum", exact=True).fill(date)
    page.get_by_label("Begintijd").fill(start)
    page.get_by_label("Eindtijd").fill(end)
    page.get_by_label("Aantal gasten").fill(str(guests))


def test_flow__resident_requests_volunteer_approves_and_marks_paid__resident_sees_confirmed(
        live_server, page: Page, world, csp_errors):
    base = live_server.url
    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")
    fill_booking(page, kind="party", date="2027-01-23", start="19:00", end="23:00", guests=40)
    # The live price (htmx → booking_quote): 4 h × € 25 = € 100, deposit € 50.
    expect(page.locator("#quote [data-total]")).to_have_text(re.compile(r"^€\s150,00$"))
    expect(page.locator("#quote")).to_contain_text("Nog 12 van 12 feesten beschikbaar in 2027")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page).to_have_url(re.compile(r"/mijn/boekingen/\d+/$"))
    expect(page.locator("[data-status]")).to_have_text("Aangevraagd")
    booking = Booking.objects.get(booker=world["resident"])
    assert booking.status == "requested"
    assert clock.local(booking.start) == local_dt(2027, 1, 23, 19)
    logout(page)

    login(page, base, "bestuur@example.org")
    expect(page.locator(".zb-count")).to_have_text("1")
    page.goto(f"{base}/bestuur/")
    card = page.locator(f"#aanvraag-{booking.pk}")
    expect(card).to_contain_text("Anouk Janssen")
    expect(card).to_contain_text("Nog 12 van 12 feesten beschikbaar")
    card.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("status")).to_contain_text(f"Aanvraag #{booking.pk} is goedgekeurd")
    page.goto(f"{base}/bestuur/boekingen/{booking.pk}/")
    page.get_by_role("button", name=re.compile(r"Betaling van €\s150,00 ontvangen")).click()
    page.get_by_role("button", name=re.compile(r"Ja, betaling van €\s150,00 ontvangen")).click()  # confirmation step
    expect(page.locator("[data-status]")).to_have_text("Bevestigd")
    logout(page)

    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/mijn/")
    page.get_by_role("link", name=re.compile("Feest · Grote zaal")).click()
    expect(page.locator("[data-status]")).to_have_text("Bevestigd")
    expect(page.get_by_text("Uw boeking is bevestigd.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.paid_cents == 15000
    assert csp_errors == []


def test_koffietafel__can_be_requested_at_24_hours_notice_where_a_party_cannot(live_server, page: Page, world):
    base = live_server.url
    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")
    # Tomorrow 10:00: 25 hours ahead. A party needs 14 days: refused, with the message next to the date.
    fill_booking(page, kind="party", date="2027-01-05", start="10:00", end="13:00", guests=30)
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page.locator("#id_date_error")).to_have_text("Vraag minimaal 14 dagen vooraf aan.")
    assert not Booking.objects.exists()
    page.get_by_label("Soort bijeenkomst").select_option("koffietafel")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page.locator("[data-status]")).to_have_text("Aangevraagd")
    assert Booking.objects.get().kind == "koffietafel"


def test_party__refused_with_the_cap_message_when_the_house_reached_its_cap(live_server, page: Page, world):
    house = world["house"]
    CapRule.objects.create(kind="party", house=house, cap=1, reason="Horeca om de hoek")
    BookingFactory.approved(room=world["room"], start=local_dt(2027, 2, 6, 19), end=local_dt(2027, 2, 6, 23),
                            approver=world["volunteer"])
    base = live_server.url
    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")
    fill_booking(page, kind="party", date="2027-03-06", start="19:00", end="23:00", guests=40)
    expect(page.locator("#quote")).to_contain_text("heeft het maximum van 1 feesten in 2027 bereikt")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page.locator("#id_kind_error")).to_contain_text(
        "Buurthuis De Kastanje heeft het maximum van 1 feesten in 2027 bereikt. In 2028 zijn er nog 1 van 1 beschikbaar.")
    assert Booking.objects.count() == 1


def test_language_switch__english_and_back_to_dutch(live_server, page: Page, world):
    page.goto(f"{live_server.url}/huizen/de-kastanje/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Rooms", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a room")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vind een zaal")


def test_keyboard_only__resident_books_a_room_without_a_mouse(live_server, page: Page, world):
    base = live_server.url
    login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{world['room'].pk}/")

    def tab_to(element_id: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                return
        raise AssertionError(f"#{element_id} cannot be reached with Tab")

    def value(element_id: str) -> str:
        return page.evaluate(f"document.getElementById('{element_id}').value")

    def type_date(day: str, month: str, year: str) -> None:
        # Chromium orders the date segments by its own locale (dd-mm-jjjj or mm/dd/yyyy): type, check, adapt.
        page.keyboard.type(day + month + year)
        if value("id_date") != f"{year}-{month}-{day}":
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Shift+Tab")
            page.keyboard.type(month + day + year)
        assert value("id_date") == f"{year}-{month}-{day}"

    def type_time(element_id: str, hhmm: str) -> None:
        page.keyboard.type(hhmm)
        if value(element_id) != f"{hhmm[:2]}:{hhmm[2:]}":
            page.keyboard.type("A" if int(hhmm[:2]) < 12 else "P")  # a 12-hour clock has an AM/PM segment
        assert value(element_id) == f"{hhmm[:2]}:{hhmm[2:]}"

    tab_to("id_kind")
    page.keyboard.press("ArrowDown")  # Feest → Koffietafel
    assert value("id_kind") == "koffietafel"
    tab_to("id_date")
    type_date("06", "01", "2027")
    tab_to("id_start_time")
    type_time("id_start_time", "1000")
    tab_to("id_end_time")
    type_time("id_end_time", "1300")
    tab_to("id_guests")
    page.keyboard.type("25")
    # Focus is visible: the outline of the focused field is drawn.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    expect(page.locator("#quote [data-total]")).to_be_visible()
    tab_to("id_notes")
    page.keyboard.press("Tab")  # the submit button comes next
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aanvraag versturen"
    page.keyboard.press("Enter")
    expect(page.locator("[data-status]")).to_have_text("Aangevraagd")
    booking = Booking.objects.get()
    assert booking.kind == "koffietafel" and booking.guests == 25
    assert clock.local(booking.start) == local_dt(2027, 1, 6, 10)
