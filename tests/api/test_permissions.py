"""Who may call what: every endpoint and method of the API × every role, as one table (pretix `test_permissions`).

A cell is the expected status; 4xx cells may name the error code (`(400, "booker_role")`), else the code follows from
the status (401 `not_authenticated`, 403 `permission_denied`, 404 `not_found`). Booking placeholders in a URL name the
state the row needs, and each row gets its own database, so rows never depend on each other:
`{requested}` · `{approved}` (awaiting payment) · `{confirmed}` (paid, event ahead) · `{finished}` (paid, event over).
"""

from __future__ import annotations

import string

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from boeking.models import AuditEntry, Booking, Closure, Melding, Role
from tests.factories import BookingFactory, HouseFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "booker", "other_resident", "association", "volunteer", "other_volunteer", "municipality", "admin")

BOOKER_ROLE = (400, "booker_role")
INVALID_INPUT = (400, "invalid_input")
INVALID_TRANSITION = (409, "invalid_transition")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}

AVAILABILITY = "/api/v1/rooms/{room}/availability/?start=2027-04-01&end=2027-04-30"

# fmt: off
TABLE = [
    # Columns follow ROLES: anonymous, booker, other resident, association, volunteer of the house, volunteer of
    # another house, municipality, admin.
    # method  url                                               body           anon bkr  res  asc  vol  ovol muni adm
    ("GET",    "/api/v1/houses/",                               None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/houses/{house}/",                       None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/rooms/",                                None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/rooms/{room}/",                         None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    AVAILABILITY,                                    None,          200, 200, 200, 200, 200, 200, 200, 200),
    # A quote answers every role that may book, also when a rule fails (`ok: false`); it writes nothing.
    ("POST",   "/api/v1/bookings/quote/",                       "party",       401, 200, 200, 200, 200, 200, 403, 200),
    # Private kinds are for residents (and the house's own board); associations book association activities.
    ("POST",   "/api/v1/bookings/",                             "party",       401, 201, 201, BOOKER_ROLE, 201, BOOKER_ROLE, 403, 201),
    ("POST",   "/api/v1/bookings/",                             "association", 401, BOOKER_ROLE, BOOKER_ROLE, 201, 201, BOOKER_ROLE, 403,
     201),
    ("GET",    "/api/v1/bookings/",                             None,          401, 200, 200, 200, 200, 200, 403, 200),
    ("GET",    "/api/v1/bookings/{requested}/",                 None,          401, 200, 404, 404, 200, 404, 403, 200),
    # Transitions: the booker sees the booking but may not decide on it; callers who cannot see it get 404.
    ("POST",   "/api/v1/bookings/{requested}/approve/",         None,          401, 403, 404, 404, 200, 404, 403, 200),
    ("POST",   "/api/v1/bookings/{requested}/reject/",          "reason",      401, 403, 404, 404, 200, 404, 403, 200),
    # Who may act is decided before the body is read: a missing reason is 400 only for those who may reject.
    ("POST",   "/api/v1/bookings/{requested}/reject/",          None,          401, 403, 404, 404, INVALID_INPUT, 404, 403,
     INVALID_INPUT),
    ("POST",   "/api/v1/bookings/{requested}/cancel/",          "reason",      401, 200, 404, 404, 200, 404, 403, 200),
    ("POST",   "/api/v1/bookings/{approved}/mark-paid/",        None,          401, 403, 404, 404, 200, 404, 403, 200),
    ("POST",   "/api/v1/bookings/{finished}/refund-deposit/",   "refund",      401, 403, 404, 404, 200, 404, 403, 200),
    # Before the event the deposit cannot be returned yet: a domain refusal, after the permission check.
    ("POST",   "/api/v1/bookings/{confirmed}/refund-deposit/",  "refund",      401, 403, 404, 404, INVALID_TRANSITION, 404, 403,
     INVALID_TRANSITION),
    ("GET",    "/api/v1/closures/",                             None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/closures/{closure}/",                   None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/closures/",                             "closure",     401, 403, 403, 403, 201, 403, 403, 201),
    ("DELETE", "/api/v1/closures/{closure}/",                   None,          401, 403, 403, 403, 204, 403, 403, 204),
    ("GET",    "/api/v1/closures/{closure}/bookings/",          None,          401, 403, 403, 403, 200, 403, 403, 200),
    ("POST",   "/api/v1/closures/{closure}/cancel-bookings/",   None,          401, 403, 403, 403, 200, 403, 403, 200),
    ("GET",    "/api/v1/me/",                                   None,          401, 200, 200, 200, 200, 200, 200, 200),
    # API tokens (issue 17): each lists and revokes only their own; someone else's token is not found.
    ("GET",    "/api/v1/me/tokens/",                            None,          401, 200, 200, 200, 200, 200, 200, 200),
    ("DELETE", "/api/v1/me/tokens/{booker_token}/",             None,          401, 204, 404, 404, 404, 404, 404, 404),
    ("DELETE", "/api/v1/me/tokens/",                            None,          401, 204, 204, 204, 204, 204, 204, 204),
    # Token login is open to anyone who has the credentials (here: the booker's).
    ("POST",   "/api/v1/auth/token/",                           "credentials", 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/schema/",                               None,          200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/docs/",                                 None,          200, 200, 200, 200, 200, 200, 200, 200),
]
# fmt: on

ROWS = [
    pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}" + (f"-{body}" if body else ""))
    for method, url, body, *cells in TABLE
    for role, expected in zip(ROLES, cells, strict=True)
]

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
QUOTE = "/api/v1/bookings/quote/"  # a POST that writes nothing
TOKEN = "/api/v1/auth/token/"  # stores a token: a login, not an audited state change


@pytest.fixture(autouse=True)
def march(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))
    return frozen_now


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; clear them so no row is throttled by an earlier one."""
    cache.clear()
    yield
    cache.clear()


class Scene:
    """One house with a room and its board, people around it, and bookings built on demand in the state a row needs."""

    def __init__(self, room, frozen_now):
        self.room = room
        self.house = room.house
        self.frozen_now = frozen_now
        self.other_house = HouseFactory()
        self.booker = UserFactory.resident()
        self.users = {
            "anonymous": None,
            "booker": self.booker,
            "other_resident": UserFactory.resident(),
            "association": UserFactory.association(),
            "volunteer": UserFactory.volunteer(self.house),
            "other_volunteer": UserFactory.volunteer(self.other_house),
            "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }
        self.closure = Closure.objects.create(house=self.house, start=local_dt(2027, 7, 20), end=local_dt(2027, 8, 10),
                                              reason="Zomersluiting")

    def _booking(self, factory, day, **kwargs):
        return factory(room=self.room, booker=self.booker, start=local_dt(2027, 4, day, 19),
                       end=local_dt(2027, 4, day, 23), **kwargs)

    def value(self, name: str) -> int:
        if name == "room":
            return self.room.pk
        if name == "house":
            return self.house.pk
        if name == "closure":
            return self.closure.pk
        if name == "booker_token":
            from boeking.accounts.models import ApiToken

            return ApiToken.issue(self.booker, name="Script")[0].pk
        if name == "requested":
            return self._booking(BookingFactory.requested, 3).pk
        if name == "approved":
            booking = self._booking(BookingFactory.approved, day=10, approver=self.users["volunteer"])
            assert booking.status == "approved"
            return booking.pk
        if name == "confirmed":
            booking = self._booking(BookingFactory.confirmed, day=17, approver=self.users["volunteer"])
            assert booking.status == "confirmed"
            return booking.pk
        if name == "finished":
            booking = self._booking(BookingFactory.confirmed, day=24, approver=self.users["volunteer"])
            self.frozen_now(local_dt(2027, 4, 30, 10))  # the event is over
            return booking.pk
        raise KeyError(name)

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{name: self.value(name) for name in names})

    def body(self, name: str | None) -> dict | None:
        slot = {"room": self.room.pk, "start": "2027-04-05T19:00:00+02:00", "end": "2027-04-05T23:00:00+02:00",
                "guests": 40}
        return {
            None: None,
            "party": {**slot, "kind": "party", "alcohol": True, "title": "40 jaar Jo"},
            "association": {**slot, "kind": "association", "title": "Repetitie zangkoor"},
            "reason": {"reason": "Zaal is die avond nodig voor de buurtvergadering"},
            "refund": {"retain_cents": 0},
            "closure": {"house": self.house.pk, "start": "2027-05-01T00:00:00+02:00", "end": "2027-05-02T00:00:00+02:00",
                        "reason": "Onderhoud verwarming"},
            "credentials": {"username": self.booker.username, "password": "demo"},
        }[name]


def written():
    """Everything a request could change: bookings and closures row by row, audit entries, meldingen, tokens."""
    return {
        "bookings": list(Booking.objects.order_by("pk").values()),
        "closures": list(Closure.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "meldingen": Melding.objects.count(),
        "tokens": Token.objects.count(),
    }


def assert_error_body(response, code: str) -> None:
    body = response.json()
    assert {"code", "detail", "rules"} <= set(body), body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["rules"], list), body


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_permission_table(as_user, room, march, role, method, url, body, expected):
    scene = Scene(room, march)
    client = as_user(scene.users[role])
    path, payload = scene.url(url), scene.body(body)
    status, code = expected if isinstance(expected, tuple) else (expected, DEFAULT_CODES.get(expected))
    before = written()

    response = getattr(client, method.lower())(path, payload, format="json")

    assert response.status_code == status, response.content[:500]
    if status >= 400:
        assert_error_body(response, code)
        if status == 401:
            assert response["WWW-Authenticate"] == "Token"
        if method in WRITES:
            assert written() == before, "a refused write changed something"
    elif url == QUOTE:
        assert written() == before, "a quote wrote something"
    elif method in WRITES and url != TOKEN:
        assert AuditEntry.objects.count() > before["audit"], "a state change without an audit entry"


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [("booker", True), ("other_resident", False), ("association", False), ("volunteer", True),
     ("other_volunteer", False), ("admin", True)],
)
def test_booking_list__shows_exactly_what_the_detail_endpoint_would(as_user, room, march, role, sees_it):
    scene = Scene(room, march)
    booking_id = scene.value("requested")
    response = as_user(scene.users[role]).get("/api/v1/bookings/")
    assert response.status_code == 200
    assert [b["id"] for b in response.json()["results"]] == ([booking_id] if sees_it else [])


def test_bad_token__401_authentication_failed_and_nothing_written(api, room):
    before = written()
    response = api.post("/api/v1/bookings/", {"room": room.pk}, format="json", HTTP_AUTHORIZATION="Token nietgeldig")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert_error_body(response, "authentication_failed")
    assert written() == before


# Areas with roles of their own keep their own table (same layout: method, url, body, one cell per role) in the
# module named here, as `TABLE`. The check below holds every endpoint of the API to a row in one of them.
AREA_TABLES = (
    "tests.api.test_series_api",
    "tests.api.test_feeds_api",
    "tests.api.test_payments_api",
    "tests.api.test_gemeente_api",
    "tests.invoicing.test_api",  # invoices for associations (issue 22): the association the invoice is for as booker
)


def all_tables() -> list[tuple]:
    import importlib

    tables = list(TABLE)
    for module in AREA_TABLES:
        try:
            tables += importlib.import_module(module).TABLE
        except ModuleNotFoundError:
            continue  # an area not built yet; its endpoints, if any, then have no rows and the check fails
    return tables


def api_routes() -> set[tuple[str, str]]:
    """Every (url name, method) an API view serves, read from the API's URLconf (includes followed)."""
    from django.urls import URLResolver

    from api import urls

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    routes = set()
    for pattern in walk(urls.urlpatterns):
        callback = pattern.callback
        if hasattr(callback, "actions"):
            methods = set(callback.actions) - {"head", "options"}
        elif getattr(callback, "view_class", None) is not None:
            methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(callback.view_class, m)}
        else:
            continue  # plain functions, e.g. a JSON 404 for unknown paths
        routes |= {(pattern.name, m.upper()) for m in methods}
    return routes


def test_table__has_a_row_for_every_endpoint_and_method_of_the_api():
    from django.urls import resolve

    covered = set()
    for method, url, *_ in all_tables():
        names = {name for _, name, _, _ in string.Formatter().parse(url) if name}
        path = url.format(**dict.fromkeys(names, 1)).split("?")[0]
        covered.add((resolve(path).url_name, method))
    assert api_routes() - covered == set(), "endpoints without rows in the permission table"
    assert len(ROWS) == len(TABLE) * len(ROLES)
