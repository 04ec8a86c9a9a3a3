"""Maastricht's clock whatever the device's zone: the calendar (FullCalendar) on a device set to UTC or to New York
shows the same times as the server-rendered table next to it, which is Europe/Amsterdam's wall clock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, expect

from boeking import clock
from tests.browser import pages as world
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)


@pytest.fixture
def booked(transactional_db, monkeypatch):
    """A room with a 14:00–17:00 party on Saturday 30 January 2027 (busy until 17:30 with the cleaning buffer), and
    the board member of its house."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__slug="de-kastanje", buffer_minutes=30)
    volunteer = UserFactory.volunteer(room.house, username="bestuur@example.org")
    booking = BookingFactory.approved(room=room, start=local_dt(2027, 1, 30, 14), end=local_dt(2027, 1, 30, 17),
                                      approver=volunteer, title="Verjaardag")
    return {"room": room, "booking": booking, "volunteer": volunteer}


def _times(text: str) -> list[str]:
    """'14:00 - 17:30' / '14:00–17:30' / '14:00 – 17:30' → ['14:00', '17:30']."""
    return re.findall(r"\d\d:\d\d", text)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_room_calendar__device_in_another_zone_shows_maastricht_times_like_the_table(
        live_server, browser: Browser, booked, zone):
    context = browser.new_context(locale="nl-NL", timezone_id=zone, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/zalen/{booked['room'].pk}/?datum=2027-01-30&week=2027-01-25")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
    row = page.locator("table.zb-freelist tr", has_text="30-01-2027")
    table = _times(row.locator("td").nth(1).inner_text())
    assert table == ["14:00", "17:30"]  # the busy block, buffer included, on Maastricht's clock
    event = page.locator("[data-calendar] .fc-timegrid-event .fc-event-time").first
    expect(event).to_be_visible()
    assert _times(event.inner_text()) == table
    # The event sits in Saturday's column, from the 14:00 row down.
    column = page.locator("[data-calendar] td.fc-timegrid-col[data-date='2027-01-30'] .fc-timegrid-event")
    expect(column).to_have_count(1)
    # The list view says the same.
    page.get_by_role("button", name="Lijst").click()
    listed = page.locator("[data-calendar] .fc-list-event-time").first
    expect(listed).to_be_visible()
    assert _times(listed.inner_text()) == table
    context.close()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_board_calendar__device_in_another_zone_shows_the_bookings_table_times(live_server, browser: Browser, booked,
                                                                               zone):
    context = browser.new_context(locale="nl-NL", timezone_id=zone, viewport={"width": 1280, "height": 900})
    world.sign_in(context, live_server.url, booked["volunteer"])
    page = context.new_page()
    page.goto(f"{live_server.url}/bestuur/huizen/de-kastanje/agenda/")
    cell = page.locator("table.utrecht-table a", has_text="30-01-2027")
    table = _times(cell.inner_text())
    assert table == ["14:00", "17:00"]
    # The board's calendar opens on today (the device's real date); go to the booking's week by its date.
    for _ in range(200):
        if page.locator("[data-calendar] td.fc-timegrid-col[data-date='2027-01-30']").count():
            break
        page.get_by_role("button", name="Volgende ›").click()
    event = page.locator("[data-calendar] td.fc-timegrid-col[data-date='2027-01-30'] .fc-timegrid-event .fc-event-time")
    expect(event).to_be_visible()
    assert _times(event.inner_text()) == table
    context.close()
