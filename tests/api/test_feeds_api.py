"""The calendar endpoints of the API: my private feed URL, rotating its token, one booking as .ics — and who may call
them, as one table (layout of tests/api/test_permissions.py; `TABLE` is read by its coverage check)."""

from __future__ import annotations

import string

import pytest
from django.core.cache import cache
from icalendar import Calendar

from boeking.models import AuditEntry, Booking, Profile, Role
from tests.factories import BookingFactory, HouseFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "booker", "other_resident", "association", "volunteer", "other_volunteer", "municipality", "admin")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
SITE = "https://zaalboek.example"
HOST = "http://testserver"  # the API's links come from the request's own scheme and host (issue 20)

# fmt: off
TABLE = [
    # method  url                                  body  anon bkr  res  asc  vol  ovol muni adm
    ("GET",  "/api/v1/me/feed/",                   None, 401, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/me/feed/rotate/",            None, 401, 200, 200, 200, 200, 200, 200, 200),
    # Like the booking itself: the booker and the house's board; others 404; the municipality 403.
    ("GET",  "/api/v1/bookings/{requested}/ics/",  None, 401, 200, 404, 404, 200, 404, 403, 200),
    ("GET",  "/api/v1/bookings/{cancelled}/ics/",  None, 401, 200, 404, 404, 200, 404, 403, 200),
]
# fmt: on

ROWS = [
    pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}")
    for method, url, body, *cells in TABLE
    for role, expected in zip(ROLES, cells, strict=True)
]


@pytest.fixture(autouse=True)
def march(frozen_now, settings):
    settings.ZAALBOEK_SITE_URL = SITE
    frozen_now(local_dt(2027, 3, 1, 10))
    return frozen_now


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


class Scene:
    def __init__(self, room):
        self.room = room
        self.booker = UserFactory.resident()
        self.users = {
            "anonymous": None,
            "booker": self.booker,
            "other_resident": UserFactory.resident(),
            "association": UserFactory.association(),
            "volunteer": UserFactory.volunteer(room.house),
            "other_volunteer": UserFactory.volunteer(HouseFactory()),
            "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }

    def value(self, name: str) -> int:
        booking = BookingFactory.requested(room=self.room, booker=self.booker, start=local_dt(2027, 4, 3, 19),
                                           end=local_dt(2027, 4, 3, 23), title="40 jaar Jo")
        if name == "cancelled":
            from boeking import services

            booking = services.booking_cancel(booking=booking, actor=self.booker)
        return booking.pk

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{name: self.value(name) for name in names})


def written():
    return {"bookings": list(Booking.objects.order_by("pk").values()),
            "tokens": list(Profile.objects.order_by("pk").values_list("feed_token", flat=True)),
            "audit": AuditEntry.objects.count()}


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_feeds_permission_table(as_user, room, role, method, url, body, expected):
    scene = Scene(room)
    client = as_user(scene.users[role])
    path = scene.url(url)
    status, code = expected if isinstance(expected, tuple) else (expected, DEFAULT_CODES.get(expected))
    before = written()

    response = getattr(client, method.lower())(path, body, format="json")

    assert response.status_code == status, response.content[:500]
    if status >= 400:
        body_json = response.json()
        assert body_json["code"] == code and body_json["detail"] and body_json["rules"] == []
        if status == 401:
            assert response["WWW-Authenticate"] == "Token"
        assert written() == before
    elif method == "POST":
        assert AuditEntry.objects.count() == before["audit"] + 1, "a state change without an audit entry"
    else:
        assert written() == before


def test_my_feed__https_and_webcal_url_of_my_own_token(as_user, client):
    user = UserFactory.resident()
    token = user.profile.feed_token

    body = as_user(user).get("/api/v1/me/feed/").json()

    assert body["url"] == f"{HOST}/ical/private/{token}.ics"
    assert body["webcal_url"] == f"webcal://testserver/ical/private/{token}.ics"
    assert body["google_url"].startswith("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    assert body["refresh_minutes"] == 60
    assert client.get(body["url"].removeprefix(HOST)).status_code == 200


def test_rotate__new_url_works_old_url_404_and_the_token_is_not_in_the_audit(as_user, client):
    user = UserFactory.resident()
    old = as_user(user).get("/api/v1/me/feed/").json()["url"].removeprefix(HOST)

    response = as_user(user).post("/api/v1/me/feed/rotate/")

    assert response.status_code == 200
    new = response.json()["url"].removeprefix(HOST)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    entry = AuditEntry.objects.get(action="feed.token_rotated")
    user.profile.refresh_from_db()
    assert user.profile.feed_token not in repr(entry.data) and old.split("/")[-1] not in repr(entry.data)


def test_my_feed__account_without_profile__404_no_profile_written(as_user):
    user = UserFactory.resident()
    Profile.objects.filter(user=user).delete()
    user = type(user).objects.get(pk=user.pk)
    assert as_user(user).get("/api/v1/me/feed/").status_code == 404
    assert as_user(user).post("/api/v1/me/feed/rotate/").status_code == 404
    assert not Profile.objects.filter(user=user).exists()
    assert not AuditEntry.objects.filter(action="feed.token_rotated").exists()


@pytest.mark.parametrize(("role", "shows_phone", "link"), [("booker", False, "/mijn/boekingen/"),
                                                           ("volunteer", True, "/bestuur/boekingen/")])
def test_booking_ics__one_event_method_publish_details_by_role(as_user, room, role, shows_phone, link):
    scene = Scene(room)
    pk = scene.value("requested")
    booking = Booking.objects.get(pk=pk)

    response = as_user(scene.users[role]).get(f"/api/v1/bookings/{pk}/ics/", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="boeking-{pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{pk}@zaalboek.example"
    assert event.start == booking.start and event.end == booking.end
    assert str(event["URL"]) == f"{SITE}{link}{pk}/"
    assert (booking.booker_phone in str(event["DESCRIPTION"])) is shows_phone
    assert calendar.get_missing_tzids() == set()


def test_booking_ics__errors_are_json_even_when_asking_for_text_calendar(as_user, room):
    scene = Scene(room)
    pk = scene.value("requested")
    response = as_user(scene.users["other_resident"]).get(f"/api/v1/bookings/{pk}/ics/", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
