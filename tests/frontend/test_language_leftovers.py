"""No language leftovers (issue 20): every page, for every role, rendered in English holds no Dutch string of
Zaalboek's catalogue, and rendered in Dutch holds none of its English — nor Django's or DRF's untranslated English,
nor raw codes (`booking.requested`, `cap_rule.set`). Forms sent with errors are pages too (password rules, a
rejection without a reason, a closure that ends before it starts, a deposit in euros).

How: the catalogue is locale/en's compiled django.mo (Dutch msgid → English msgstr). A page's visible text (and its
aria-label, title, placeholder and alt attributes) must not contain, on an English page, a Dutch msgid — or the
text around its placeholders — of at least two words and 12 characters that differs from its English; and on a
Dutch page, likewise for the English msgstr. Shorter strings are words both languages share ("Status", "Lift")."""

from __future__ import annotations

import datetime as dt
import gettext
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from boeking import clock, services
from boeking.models import Facility
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# English that Django, DRF or a browser-facing default would show when a translation is missing.
FOREIGN_ENGLISH = ["Select an option", "This password", "This field", "Enter a valid", "Ensure this",
                   "has wrong format", "is not a valid", "Forbidden", "Not Found", "Server Error"]
RAW_CODE = re.compile(r"\b(?:booking|cap_rule|closure|rule_settings|house|series|account|feed)\.[a-z_]+\b")
DUTCH_WEEKDAY_DATE = re.compile(r"\b(?:ma|di|wo|do|vr|za|zo) \d\d-\d\d-\d{4}\b")
ENGLISH_WEEKDAY_DATE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d-\d\d-\d{4}\b")


def _fragments(text: str) -> list[str]:
    return [f.strip(" .,:;·–-()\"'") for f in PLACEHOLDER.split(text)]


def _phrases() -> tuple[set[str], set[str]]:
    """(Dutch phrases, English phrases) of the catalogue that only one language uses."""
    with CATALOGUE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001 - the parsed .mo, msgid → msgstr
    dutch, english = set(), set()
    for key, value in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or msgid == value:
            continue
        for fragment in _fragments(msgid):
            if len(fragment) >= 12 and " " in fragment:
                dutch.add(fragment)
        for fragment in _fragments(value):
            if len(fragment) >= 12 and " " in fragment:
                english.add(fragment)
    shared = dutch & english  # a phrase both catalogues spell alike ("Zaalboek API") is no leftover
    return dutch - shared, english - shared


def visible_text(page: str) -> str:
    """What a person sees or hears: text outside <script>/<style>/<template>, plus accessible-name attributes."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', page)
    body = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(" ".join([body, *attributes])))


@pytest.fixture
def world(monkeypatch):
    """One of each thing a page can show, for every role."""
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2027, 1, 4, 9, 17, tzinfo=clock.TZ))
    default_caps()
    kitchen, _ = Facility.objects.update_or_create(code="keuken", defaults={"name_nl": "Keuken", "name_en": "Kitchen"})
    room = RoomFactory(name="Grote zaal", location__house__slug="de-kastanje", location__house__bank_account="")
    room.facilities.add(kitchen)
    volunteer = UserFactory.volunteer(room.house, username="bestuur@example.org")
    resident = UserFactory.resident(username="bewoner@example.org")
    officer = UserFactory.municipality(username="gemeente@example.org")
    requested = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 1, 23, 19),
                                         end=local_dt(2027, 1, 23, 23))
    approved = BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 1, 30, 14),
                                       end=local_dt(2027, 1, 30, 17), approver=volunteer)
    confirmed = BookingFactory.confirmed(room=room, booker=resident, start=local_dt(2027, 2, 6, 14),
                                         end=local_dt(2027, 2, 6, 17), approver=volunteer)
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 2, 15), end=local_dt(2027, 2, 20),
                            reason="Krokusvakantie")
    services.cap_rule_set(actor=officer, kind="party", cap=10, house=room.house, reason="Horeca dichtbij")
    slug, house = room.house.slug, room.house
    gets = {
        None: ["/", "/?date=2027-01-20&guests=20&facilities=keuken", f"/huizen/{slug}/", f"/zalen/{room.pk}/",
               "/inloggen/", "/aanmelden/", "/privacy/", "/bestaat-niet/", "/gemeente/"],
        resident: ["/mijn/", f"/mijn/boekingen/{requested.pk}/", f"/mijn/boekingen/{approved.pk}/",
                   f"/mijn/boekingen/{approved.pk}/annuleren/", f"/mijn/boekingen/{approved.pk}/betalen/",
                   f"/mijn/boekingen/{confirmed.pk}/", "/mijn/gegevens/", "/gemeente/"],
        volunteer: ["/bestuur/", f"/bestuur/boekingen/{requested.pk}/", f"/bestuur/boekingen/{approved.pk}/",
                    f"/bestuur/boekingen/{confirmed.pk}/", f"/bestuur/huizen/{slug}/agenda/",
                    f"/bestuur/huizen/{slug}/sluitingen/", f"/bestuur/huizen/{slug}/reeksen/",
                    f"/bestuur/huizen/{slug}/instellingen/"],
        officer: ["/gemeente/", f"/gemeente/huizen/{house.pk}/", "/gemeente/maxima/", "/gemeente/regels/",
                  "/gemeente/meldingen/"],
    }
    posts = {
        None: [("/aanmelden/", {"first_name": "Kort", "last_name": "Wachtwoord", "email": "kort@example.org",
                                "postcode": "6222 VT", "password": "abc", "password1": "abc", "adult": "on"})],
        volunteer: [(f"/bestuur/boekingen/{requested.pk}/besluit/", {f"b{requested.pk}-decision": "reject"}),
                    (f"/bestuur/boekingen/{approved.pk}/betaald/", {}),
                    (f"/bestuur/boekingen/{approved.pk}/annuleren/", {"reason": ""}),
                    (f"/bestuur/huizen/{slug}/sluitingen/", {"room": "", "date": "2027-02-15", "start_time": "00:00",
                                                             "end_date": "2027-02-10", "end_time": "23:59",
                                                             "reason": ""})],
    }
    return {"gets": gets, "posts": posts}


def _pages(world, language: str) -> dict[str, str]:
    pages = {}
    for user, paths in world["gets"].items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            if response.status_code in (301, 302):
                continue  # a door closed to this role (login first); the page it leads to is checked on its own
            assert response["Content-Language"] == language, path
            pages[f"GET {path} ({getattr(user, 'username', 'anonymous')})"] = response.content.decode()
        for path, data in world["posts"].get(user, []):
            response = client.post(path, data)
            if response.status_code in (301, 302):
                continue
            pages[f"POST {path} ({getattr(user, 'username', 'anonymous')})"] = response.content.decode()
    return pages


def test_english_pages__hold_no_dutch_catalogue_string(world):
    dutch, _english = _phrases()
    assert len(dutch) > 200  # the catalogue was read
    found = {}
    for name, page in _pages(world, "en").items():
        text = visible_text(page)
        hits = sorted(p for p in dutch if p in text)
        hits += DUTCH_WEEKDAY_DATE.findall(text) + RAW_CODE.findall(text)
        hits += [w for w in ("Keuken", "Ochtend", "Middag", "Avond") if re.search(rf"\b{w}\b", text)]
        if hits:
            found[name] = hits
    assert found == {}


def test_dutch_pages__hold_no_english_catalogue_string_nor_djangos_english(world):
    _dutch, english = _phrases()
    assert len(english) > 200
    found = {}
    for name, page in _pages(world, "nl").items():
        text = visible_text(page)
        hits = sorted(p for p in english if p in text)
        hits += [p for p in FOREIGN_ENGLISH if p in text]
        hits += ENGLISH_WEEKDAY_DATE.findall(text) + RAW_CODE.findall(text)
        if re.search(r"\bKitchen\b", text):
            hits.append("Kitchen")
        if hits:
            found[name] = hits
    assert found == {}


def test_the_checks_can_fail():
    """The detectors find what they look for: a Dutch phrase on an English page, and Django's English."""
    dutch, english = _phrases()
    phrase = sorted(dutch)[0]
    assert phrase in visible_text(f"<p>{html.escape(phrase)}</p>")
    assert any(p in visible_text('<p title="- Select an option -">x</p>') for p in FOREIGN_ENGLISH)
    assert RAW_CODE.findall(visible_text("<li>booking.requested → requested</li>")) == ["booking.requested"]
    assert DUTCH_WEEKDAY_DATE.findall("uiterlijk zo 06-12-2026 08:00") == ["zo 06-12-2026"]


def test_closure_rule__english_message_has_english_weekdays(monkeypatch):
    """A rule's English words carry English weekdays (the closure's period), its Dutch words Dutch ones."""
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    default_caps()
    room = RoomFactory()
    board = UserFactory.volunteer(room.house)
    services.closure_create(actor=board, house=room.house, start=local_dt(2027, 2, 15), end=local_dt(2027, 2, 20),
                            reason="Krokusvakantie")
    quote = services.booking_quote(booker=UserFactory.resident(), room=room, kind="party",
                                   start=local_dt(2027, 2, 16, 19), end=local_dt(2027, 2, 16, 23), guests=20,
                                   alcohol=False)
    (closed,) = [r.as_dict() for r in quote.rules if r.as_dict()["rule"] == "closure"]
    assert "Mon 15-02-2027 00:00" in closed["message_en"] and not DUTCH_WEEKDAY_DATE.search(closed["message_en"])
    assert "ma 15-02-2027 00:00" in closed["message_nl"]


def test_api_errors__dutch_without_english_words_from_drf(client, room):
    """DRF's own Dutch says "Datetime heeft een ongeldig formaat"; Zaalboek's catalogue (locale/nl) says it in Dutch."""
    client.force_login(UserFactory.resident())
    response = client.post("/api/v1/bookings/", {"room": room.pk, "kind": "party", "start": "morgen", "end": "later",
                                                  "guests": 20}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="nl")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Datum en tijd hebben een ongeldig formaat" in text and "Datetime" not in text


def test_api_permission_denied__drfs_default_in_formal_dutch():
    """DRF's own Dutch for its default 403 says "Je hebt geen toestemming…"; Zaalboek addresses people with "u"."""
    from django.utils import translation
    from rest_framework.exceptions import PermissionDenied

    with translation.override("nl"):
        assert str(PermissionDenied().detail) == "U heeft geen toestemming voor deze handeling."
