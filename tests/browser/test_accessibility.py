"""WCAG 2.1 AA: axe-core (vendored, pinned in package.json) on every page, in Dutch and in English; and the
screenshots of the main pages for the README (docs/screenshots/), at 1280 px and at 375 px (a phone)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from boeking import clock, services
from boeking.models import Booking, House, Room
from tests.browser.conftest import AXE, SCREENSHOTS
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def pages(transactional_db, monkeypatch):
    """One of each state a page can show: a request, an approved booking, a closure, a series."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje", location__step_free_entrance=True)
    volunteer = UserFactory.volunteer(room.house, username="bestuur@example.org")
    resident = UserFactory.resident(username="bewoner@example.org", first_name="Anouk", last_name="Janssen")
    requested = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 1, 23, 19),
                                         end=local_dt(2027, 1, 23, 23))
    approved = BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 1, 30, 14),
                                       end=local_dt(2027, 1, 30, 17), approver=volunteer)
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 2, 15), end=local_dt(2027, 2, 20),
                            reason="Krokusvakantie")
    services.series_create(booker=volunteer, room=room, kind="community", rrule="RRULE:FREQ=WEEKLY;BYDAY=WE",
                           start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 1, 13),
                           until=dt.date(2027, 3, 31), guests=20, title="Buurtsoos")
    slug = room.house.slug
    public = ["/", "/?guests=40&access=step_free&date=2027-01-20", f"/huizen/{slug}/", f"/zalen/{room.pk}/",
              "/inloggen/", "/aanmelden/", "/bestaat-niet/"]
    resident_pages = ["/mijn/", f"/mijn/boekingen/{requested.pk}/", f"/mijn/boekingen/{approved.pk}/",
                      f"/mijn/boekingen/{approved.pk}/annuleren/", f"/mijn/boekingen/{approved.pk}/betalen/"]
    volunteer_pages = ["/bestuur/", f"/bestuur/boekingen/{requested.pk}/", f"/bestuur/boekingen/{approved.pk}/",
                       f"/bestuur/huizen/{slug}/agenda/", f"/bestuur/huizen/{slug}/sluitingen/",
                       f"/bestuur/huizen/{slug}/reeksen/"]
    return {None: public, "bewoner@example.org": resident_pages, "bestuur@example.org": volunteer_pages}


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.fill("#id_login", email)
    page.fill("#id_password", "demo")
    page.click("button[type=submit].utrecht-button")
    expect(page.locator("form[action='/uitloggen/']")).to_be_visible()


def _settle(page) -> None:
    """Wait for what scripts add: FullCalendar's grid and the live price."""
    page.wait_for_load_state("networkidle")
    if page.locator("[data-calendar]").count():
        expect(page.locator("[data-calendar] .fc-view-harness")).to_be_visible()
        page.wait_for_load_state("networkidle")


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_axe__every_page_has_no_wcag21aa_violations(live_server, browser: Browser, pages, language):
    violations = {}
    checked = 0
    for email, paths in pages.items():
        # axe is injected as a script the page's CSP would refuse; only this context bypasses CSP.
        context = browser.new_context(bypass_csp=True, locale="nl-NL", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        if email:
            _login(page, live_server.url, email)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            _settle(page)
            assert page.locator("html").get_attribute("lang") == language, path
            found = _axe(page)
            checked += 1
            if found:
                violations[path] = found
        context.close()
    assert checked == sum(len(p) for p in pages.values())
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)


def test_screenshots__main_pages_for_the_readme(live_server, browser: Browser, transactional_db):
    """The Maastricht demo (seed_demo) as a newcomer sees it; PNGs go to docs/screenshots/."""
    call_command("seed_demo", stdout=io.StringIO())
    house = House.objects.order_by("name").first()
    room = Room.objects.filter(house=house).order_by("-capacity").first()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    shots = []

    def shoot(page, path: str, name: str, *, full_page: bool = True) -> None:
        page.goto(f"{base}{path}")
        _settle(page)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        shots.append(target)

    desktop = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    shoot(page, "/", "home")
    shoot(page, f"/huizen/{house.slug}/", "house")
    _login(page, base, "bewoner@example.org")
    page.goto(f"{base}/zalen/{room.pk}/")
    resident = get_user_model().objects.get(username="bewoner@example.org")
    day = clock.today() + dt.timedelta(days=(5 - clock.today().weekday()) % 7 + 21)  # a Saturday 3+ weeks ahead
    for _ in range(20):  # the first such Saturday evening the demo leaves free
        start = clock.make_local(day, dt.time(19))
        if services.booking_quote(booker=resident, room=room, kind="party", start=start,
                                  end=start + dt.timedelta(hours=4, minutes=30), guests=60).ok:
            break
        day += dt.timedelta(days=7)
    page.fill("#id_date", day.isoformat())
    page.fill("#id_start_time", "19:00")
    page.fill("#id_end_time", "23:30")
    page.fill("#id_guests", "60")
    page.select_option("#id_kind", "party")
    expect(page.locator("#quote [data-total]")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "room.png"), full_page=True)
    shots.append(SCREENSHOTS / "room.png")
    shoot(page, "/mijn/", "mijn")
    page.click("form[action='/uitloggen/'] button")
    _login(page, base, "bestuur@example.org")
    shoot(page, "/bestuur/", "bestuur")
    desktop.close()

    phone = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 375, "height": 812},
                                device_scale_factor=2, is_mobile=True, has_touch=True)
    page = phone.new_page()
    shoot(page, f"/zalen/{room.pk}/", "room-375")
    # Nothing sticks out sideways on a 375 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
    assert all(p.stat().st_size > 10_000 for p in shots)
    assert Booking.objects.exists()
