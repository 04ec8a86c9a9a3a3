"""README screenshots of the pages issue 20 changed, from the Maastricht demo (seed_demo), in a Dutch browser
(date inputs read dd-mm-jjjj): the board's booking page with its history in words, the confirmation before a
cancellation, the cancel page on a phone with how the refund comes back, the calendar's month view on a laptop set
to UTC (Maastricht's times all the same), and the own 404 page on a phone."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from boeking import clock
from boeking.models import Booking, BookingStatus, House
from tests.browser import pages as world
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_screenshots__pages_changed_for_phones_clocks_and_money(live_server, browser: Browser, transactional_db,
                                                                settings):
    settings.ZAALBOEK_STAFF_MFA_REQUIRED = False
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    board, resident = users.get(username="bestuur@example.org"), users.get(username="bewoner@example.org")
    house = House.objects.filter(memberships__user=board).order_by("name").first()
    moment = clock.now()
    upcoming = Booking.objects.filter(booker=resident, start__gt=moment,
                                      status__in=[BookingStatus.APPROVED, BookingStatus.CONFIRMED])
    # A paid one shows how the refund comes back; else any.
    mine = upcoming.filter(paid_cents__gt=0).order_by("start").first() or upcoming.order_by("start").first()
    boards = (Booking.objects.filter(house=house, start__gt=moment, status=BookingStatus.CONFIRMED)
              .order_by("start").first())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base, shots = live_server.url, []

    def shoot(page, name: str, *, full_page: bool = True) -> None:
        world.settle(page)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        shots.append(target)

    laptop = browser.new_context(locale="nl-NL", timezone_id="UTC", viewport={"width": 1280, "height": 900})
    world.sign_in(laptop, base, board)
    page = laptop.new_page()
    page.goto(f"{base}/bestuur/boekingen/{boards.pk}/")
    shoot(page, "bestuur-booking")
    page.get_by_role("button", name="Boeking annuleren").click()
    expect(page.get_by_role("button", name="Ja, annuleer deze boeking")).to_be_visible()
    shoot(page, "bestuur-cancel-confirm", full_page=False)
    page.goto(f"{base}/bestuur/huizen/{house.slug}/agenda/")
    world.settle(page)
    page.locator("[data-calendar]").get_by_role("button", name="Maand", exact=True).click()
    shoot(page, "calendar-month-utc")
    laptop.close()

    phone = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 375, "height": 812},
                                device_scale_factor=2)
    world.sign_in(phone, base, resident)
    page = phone.new_page()
    if mine is not None:
        page.goto(f"{base}/mijn/boekingen/{mine.pk}/annuleren/")
        shoot(page, "cancel-375")
    page.goto(f"{base}/bestaat-niet/")
    shoot(page, "404-375", full_page=False)
    phone.close()
    assert all(p.stat().st_size > 10_000 for p in shots)
