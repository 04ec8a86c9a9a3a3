"""Schemathesis against the live OpenAPI schema (`/api/v1/schema/`), as every role.

Bounded and reproducible: every operation × every role (anonymous, resident, association, volunteer, municipality,
admin) runs `MAX_EXAMPLES` generated cases (positive and negative) plus the schema's own examples, with a fixed seed,
derandomised Hypothesis, no example database, and no coverage or stateful phase. Each response must:

- not be a server error (no 5xx);
- have a status code the schema documents for that operation;
- have a content type the schema documents;
- match the documented response schema.

The data are seeded once for the module (inside a transaction that is rolled back at the end) and each
(operation, role) runs in its own savepoint, so every run starts from the same state. Path ids, bodies (rooms,
dates, times, credentials) and query parameters come three times in four from the seeded data instead of the
fuzzer, so requests get past "not found" / "invalid input" into the deeper code and 2xx bodies get checked too:
every operation answers 2xx at least once per run.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from boeking import clock, services
from boeking.models import Closure
from tests.factories import (
    BookingFactory,
    FacilityFactory,
    HouseFactory,
    LocationFactory,
    RoomFactory,
    UserFactory,
    default_caps,
    local_dt,
)

MAX_EXAMPLES = 10
SEED = 20270301
ROLES = ("anonymous", "resident", "association", "volunteer", "municipality", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NOW = local_dt(2027, 3, 1, 10)

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "cache": {"enabled": False},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        # Authentication is ours to choose per role, not the fuzzer's.
        "with-security-parameters": False,
        # No stray `?x=…` / body keys beyond the schema: they only make the same request twice.
        "allow-extra-parameters": False,
    },
    "phases": {
        "examples": {"enabled": True},
        "fuzzing": {"enabled": True, "extra-data-sources": {"responses": False}, "error-feedback": {"enabled": False}},
        "coverage": {"enabled": False},
        "stateful": {"enabled": False},
    },
})

application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)

# Seeded ids per resource and the seeded users' usernames (filled by the `seeded` fixture; the hooks read them lazily).
POOLS: dict[str, list] = {}
PASSWORD = "demo"  # tests.factories.UserFactory
RRULES = ["FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=+1MO",
          "FREQ=WEEKLY;BYDAY=WE;COUNT=5"]
CANCELLED_OCCURRENCE = "2027-04-01"  # a Thursday of the board's series, cancelled: one to restore
KINDS = ["party", "koffietafel", "gathering", "association", "community"]


def _mostly(fuzzed, plausible):
    """The fuzzer's value one time in four, a plausible one (seeded ids, near-future dates) three times in four."""
    return st.integers(0, 3).flatmap(lambda n: st.just(fuzzed) if n == 0 else plausible)


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    pool = POOLS.get(context.operation.path) or POOLS.get(_resource(context.operation.path))
    if not pool or not isinstance(path_parameters, dict) or "id" not in path_parameters:
        return st.just(path_parameters)
    return _mostly(path_parameters, st.sampled_from(pool).map(lambda pk: {**path_parameters, "id": pk}))


def _day(first=dt.date(2027, 2, 22), last=dt.date(2027, 7, 31)):
    return st.dates(first, last).map(dt.date.isoformat)


def _period():
    """A start and end between 09:00 and 23:00 on a day from 8 March to July 2027; with an offset or as wall-clock
    time (read as Europe/Amsterdam)."""

    def build(day, hour, hours, naive):
        start = clock.make_local(day, dt.time(hour))
        end = start + dt.timedelta(hours=hours)
        text = (lambda d: clock.local(d).replace(tzinfo=None).isoformat()) if naive else (lambda d: clock.local(d).isoformat())
        return text(start), text(end)

    return st.builds(build, st.dates(dt.date(2027, 3, 8), dt.date(2027, 7, 31)), st.integers(9, 19), st.integers(1, 4),
                     st.booleans())


def _series_dates() -> list[str]:
    """The Tuesdays and Thursdays of the seeded series (dates to restore or split from)."""
    days = (dt.date(2027, 3, 9) + dt.timedelta(days=n) for n in range(120))
    return [day.isoformat() for day in days if day.weekday() in (1, 3)]


def _plausible_fields(body: dict, operation: str) -> dict:
    """Plausible strategies for the keys of `body` the API reads; other keys keep the fuzzer's values."""
    series = operation.startswith("POST /api/v1/series/")
    times = st.sampled_from(["09:00", "13:30", "19:00", "21:00", "22:30:00", "00:30"])
    fields = {
        "room": st.sampled_from(POOLS["rooms"]),
        "house": st.sampled_from(POOLS["houses"]),
        "kind": st.sampled_from(["association", "community"] if series else KINDS),
        "guests": st.integers(1, 20 if series else 90),
        "rrule": st.sampled_from(RRULES),
        "start_time": times,
        "end_time": times,
        "first_date": _day(dt.date(2027, 3, 8)),
        "from_date": st.one_of(_day(), st.sampled_from(_series_dates())) if series else _day(),
        "date": st.one_of(st.just(CANCELLED_OCCURRENCE), st.sampled_from(_series_dates()), _day()) if series else _day(),
        "until": _mostly(None, _day(dt.date(2027, 4, 1), dt.date(2028, 6, 30))),
        "retain_cents": st.integers(0, 6000),
        "title": st.sampled_from(["", "Koorrepetitie", "50 jaar Truus"]),
        "reason": st.sampled_from(["Ziek", "Dubbel geboekt", "Onderhoud"]),
        "username": st.sampled_from(POOLS["usernames"]),
        "password": st.sampled_from([PASSWORD, "wrong"]),
    }
    return {key: strategy for key, strategy in fields.items() if key in body}


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict) or not POOLS:
        return st.just(body)
    fields = _plausible_fields(body, context.operation.label)
    if "start" in body and "end" in body:
        fields["period"] = _period()
    if not fields:
        return st.just(body)

    def merge(values):
        merged = {**body, **values}
        if "period" in merged:
            merged["start"], merged["end"] = merged.pop("period")
        if context.operation.path == "/api/v1/closures/" and "room" in merged:
            merged["room"] = merged["room"] if merged["room"] != POOLS["rooms"][-1] else None  # also a whole house
        return merged

    return _mostly(body, st.fixed_dictionaries(fields).map(merge))


def _plausible_query(query: dict, operation: str) -> dict:
    moments = st.datetimes(dt.datetime(2027, 1, 1), dt.datetime(2027, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=clock.TZ).isoformat())
    fields = {
        "page": st.integers(1, 2),
        "page_size": st.integers(1, 60),
        "house": st.sampled_from(POOLS["houses"]),
        "room": st.sampled_from(POOLS["rooms"]),
        "min_capacity": st.integers(1, 100),
        "facility": st.sampled_from(["keuken", "keuken,beamer", ""]),
        "accessible": st.sampled_from(["true", "false", "lift", "step_free_entrance,hearing_loop", "wheelchair"]),
        "from": moments,
        "to": moments,
    }
    if operation == "GET /api/v1/rooms/{id}/availability/":
        fields["period"] = st.builds(lambda first, days: (first.isoformat(), (first + dt.timedelta(days=days)).isoformat()),
                                     st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31)), st.integers(-1, 95))
    return {key: strategy for key, strategy in fields.items() if key in query or key == "period"}


@schema.hook
def flatmap_query(context, query):
    if not isinstance(query, dict) or not POOLS:
        return st.just(query)
    fields = _plausible_query(query, context.operation.label)
    if not fields:
        return st.just(query)

    def merge(values):
        merged = {**query, **values}
        if "period" in merged:
            merged["start"], merged["end"] = merged.pop("period")
        return merged

    return _mostly(query, st.fixed_dictionaries(fields).map(merge))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One house with two rooms, a second house, a user per role with an API token, bookings in several states, two
    series and a closure.

    Created once, in an outer transaction rolled back after the module; each test runs in a savepoint inside it.
    """
    with pytest.MonkeyPatch.context() as mp:
        now = {"now": local_dt(2027, 1, 4, 9)}
        mp.setattr(clock, "_now", lambda: now["now"])
        # Fuzzing must not trip the throttles; keep them in the loop with rates it cannot reach.
        mp.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                   {scope: "1000000/min" for scope in ("auth", "booking_create", "anon", "user")})
        cache.clear()
        # Requests go through the real WSGI handler, whose request_started/finished signals close "old" connections;
        # inside the test transaction that would close PostgreSQL's connection. Django's test client does the same.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                data = _seed(now)
                POOLS.update(data.pools)
                yield data
            finally:
                POOLS.clear()
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                cache.clear()
                signals.request_started.connect(close_old_connections)
                signals.request_finished.connect(close_old_connections)


def _seed(now) -> SimpleNamespace:
    default_caps()
    house = HouseFactory()
    main = RoomFactory(location=LocationFactory(house=house, step_free_entrance=True, door_width_cm=90,
                                                accessible_toilet=True))
    main.facilities.add(FacilityFactory())
    small = RoomFactory(location=main.location, capacity=20)
    other_room = RoomFactory()  # another house, with its own board
    other_house = other_room.house

    resident = UserFactory.resident()
    association = UserFactory.association()
    volunteer = UserFactory.volunteer(house)
    municipality = UserFactory.municipality()
    admin = UserFactory(is_superuser=True, is_staff=True)
    stranger = UserFactory.resident()
    UserFactory.volunteer(other_house)  # the other house has its own board

    # In the past (seen from 1 March): a confirmed booking whose deposit can be refunded.
    past = BookingFactory.confirmed(room=main, booker=resident, approver=volunteer, start=local_dt(2027, 2, 6, 19),
                                    end=local_dt(2027, 2, 6, 23))
    now["now"] = NOW
    requested = BookingFactory.requested(room=main, booker=resident, start=local_dt(2027, 4, 3, 19),
                                         end=local_dt(2027, 4, 3, 23))
    approved = BookingFactory.approved(room=main, booker=resident, approver=volunteer,
                                       start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    confirmed = BookingFactory.confirmed(room=small, booker=association, approver=volunteer, kind="association",
                                         alcohol=False, guests=15, title="Repetitie",
                                         start=local_dt(2027, 4, 7, 19), end=local_dt(2027, 4, 7, 22))
    approved_too = BookingFactory.approved(room=small, booker=resident, approver=volunteer, kind="koffietafel",
                                           alcohol=False, guests=12, start=local_dt(2027, 4, 15, 13),
                                           end=local_dt(2027, 4, 15, 16))
    rejected = BookingFactory.requested(room=main, booker=resident, start=local_dt(2027, 4, 17, 19),
                                        end=local_dt(2027, 4, 17, 23))
    services.booking_reject(booking=rejected, actor=volunteer, reason="Dubbel geboekt")
    cancelled = BookingFactory.requested(room=small, booker=resident, kind="koffietafel", alcohol=False, guests=12,
                                         start=local_dt(2027, 4, 8, 13), end=local_dt(2027, 4, 8, 16))
    services.booking_cancel(booking=cancelled, actor=resident, reason="Gaat niet door")
    elsewhere = BookingFactory.requested(room=other_room, booker=stranger,
                                         start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    # Series: one an association asked for (requested), one the board runs itself (approved), in another room.
    asked = services.series_create(booker=association, room=main, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                   start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 3, 9),
                                   until=dt.date(2027, 6, 29), guests=25, title="Koorrepetitie")
    own = services.series_create(booker=volunteer, room=small, kind="community", rrule="FREQ=WEEKLY;BYDAY=TH",
                                 start_time=dt.time(19), end_time=dt.time(21, 30), first_date=dt.date(2027, 3, 11),
                                 until=dt.date(2027, 5, 27), guests=15, title="Buurtcafé")
    services.booking_cancel(booking=own.occurrences.get(start__date=dt.date.fromisoformat(CANCELLED_OCCURRENCE)),
                            actor=volunteer, reason="Feestdag")
    closure = Closure.objects.create(house=house, start=local_dt(2027, 5, 1, 0), end=local_dt(2027, 5, 3, 0),
                                     reason="Schilderwerk")
    users = {"resident": resident, "association": association, "volunteer": volunteer,
             "municipality": municipality, "admin": admin}
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    bookings = [past, requested, approved, confirmed, approved_too, rejected, cancelled, elsewhere]
    return SimpleNamespace(
        tokens=tokens,
        pools={"houses": [house.pk, other_house.pk], "rooms": [main.pk, small.pk, other_room.pk],
               "bookings": [b.pk for b in bookings], "closures": [closure.pk], "series": [asked.pk, own.pk],
               "usernames": [user.username for user in users.values()],
               # Transitions: mostly the bookings in a state they apply to (the others give 409 invalid_transition).
               "/api/v1/bookings/{id}/mark-paid/": [approved.pk, approved_too.pk, requested.pk],
               "/api/v1/bookings/{id}/payment/": [approved.pk, approved_too.pk, requested.pk],
               "/api/v1/bookings/{id}/refund-deposit/": [past.pk, confirmed.pk, approved.pk],
               "/api/v1/bookings/{id}/approve/": [requested.pk, elsewhere.pk, approved.pk],
               "/api/v1/bookings/{id}/reject/": [requested.pk, elsewhere.pk, approved.pk],
               "/api/v1/series/{id}/restore/": [own.pk]},
    )


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large], deadline=None)
def test_api_matches_schema(case, role, seeded, db):
    headers = {"Authorization": f"Token {seeded.tokens[role]}"} if role != "anonymous" else None
    case.call_and_validate(headers=headers, checks=CHECKS)
