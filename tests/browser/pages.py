"""The pages every role sees, with one of each state a page can show, for the browser tests of issue 20 (phones,
focus, axe after interaction). Signing in copies a Django test session into the browser: no login form, no
two-factor step (that has its own tests)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import Client

from boeking import clock, services
from boeking.models import Facility
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)
ANONYMOUS, RESIDENT, BOARD, ASSOCIATION, MUNICIPALITY = "anonymous", "resident", "board", "association", "municipality"


def build(monkeypatch) -> dict:
    """Data for every page; returns {"users": {role: user}, "pages": {role: [path, …]}, "room": room}."""
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    kitchen, _ = Facility.objects.update_or_create(code="keuken", defaults={"name_nl": "Keuken", "name_en": "Kitchen"})
    room = RoomFactory(name="Grote zaal met een heel lange naam voor een smal scherm",
                       location__house__name="Buurthuis De Kastanje in Wittevrouwenveld",
                       location__house__slug="de-kastanje", location__step_free_entrance=True)
    room.facilities.add(kitchen)
    users = {
        BOARD: UserFactory.volunteer(room.house, username="bestuur@example.org"),
        RESIDENT: UserFactory.resident(username="bewoner@example.org", first_name="Anouk", last_name="Janssen"),
        ASSOCIATION: UserFactory.association(username="koor@example.org"),
        MUNICIPALITY: UserFactory.municipality(username="gemeente@example.org"),
    }
    resident, board = users[RESIDENT], users[BOARD]
    requested = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 1, 23, 19),
                                         end=local_dt(2027, 1, 23, 23))
    approved = BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 1, 30, 14),
                                       end=local_dt(2027, 1, 30, 17), approver=board)
    confirmed = BookingFactory.confirmed(room=room, booker=resident, start=local_dt(2027, 2, 6, 14),
                                         end=local_dt(2027, 2, 6, 17), approver=board)
    closure = services.closure_create(actor=board, house=room.house, start=local_dt(2027, 2, 15),
                                      end=local_dt(2027, 2, 20), reason="Krokusvakantie")
    services.series_create(booker=board, room=room, kind="community", rrule="RRULE:FREQ=WEEKLY;BYDAY=WE",
                           start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 1, 13),
                           until=dt.date(2027, 3, 31), guests=20, title="Buurtsoos")
    slug, house = room.house.slug, room.house
    pages = {
        ANONYMOUS: ["/", "/?date=2027-01-20&guests=20&facilities=keuken&access=step_free", f"/huizen/{slug}/",
                    f"/zalen/{room.pk}/", "/inloggen/", "/aanmelden/", "/privacy/", "/bestaat-niet/", "/api/v1/docs/"],
        RESIDENT: ["/mijn/", f"/mijn/boekingen/{requested.pk}/", f"/mijn/boekingen/{approved.pk}/",
                   f"/mijn/boekingen/{approved.pk}/annuleren/", f"/mijn/boekingen/{approved.pk}/betalen/",
                   f"/mijn/boekingen/{confirmed.pk}/", "/mijn/gegevens/", "/mijn/facturen/", "/gemeente/",
                   f"/zalen/{room.pk}/"],
        ASSOCIATION: ["/mijn/", "/mijn/facturen/", f"/zalen/{room.pk}/"],
        BOARD: ["/bestuur/", f"/bestuur/boekingen/{requested.pk}/", f"/bestuur/boekingen/{approved.pk}/",
                f"/bestuur/boekingen/{confirmed.pk}/", f"/bestuur/huizen/{slug}/agenda/",
                f"/bestuur/huizen/{slug}/sluitingen/", f"/bestuur/huizen/{slug}/reeksen/",
                f"/bestuur/huizen/{slug}/instellingen/", f"/bestuur/huizen/{slug}/facturen/"],
        MUNICIPALITY: ["/gemeente/", f"/gemeente/huizen/{house.pk}/", "/gemeente/maxima/", "/gemeente/regels/",
                       "/gemeente/meldingen/", "/gemeente/export/"],
    }
    return {"users": users, "pages": pages, "room": room, "closure": closure, "approved": approved,
            "requested": requested}


def sign_in(context, base: str, user) -> None:
    """Put a Django session for `user` into the browser context's cookies."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}])


def settle(page) -> None:
    """Wait for what scripts add: FullCalendar's grid, the live price, the map."""
    page.wait_for_load_state("networkidle")
    if page.locator("[data-calendar]").count():
        page.locator("[data-calendar] .fc-view-harness").first.wait_for(state="visible")
        page.wait_for_load_state("networkidle")
