"""Booking creation costs at most 11 SQL statements for a 201 (issue 19 asked for 12), whatever the data around it: the token,
the booker's profile and address, the room, the rule settings, the memberships, the house's auto-approval, ONE
statement for what the rules and the price read about the room (opening hours, closures, held slots, cap rules,
tariffs, the booker's open requests), the cap counts, the insert, the audit line and the mail job. No savepoint
around the insert, no query for the new booking's (empty) payment ledger.

Counted as in production: a real transaction (not the test's wrapping one) and the database queue for the mail
job (not the test settings' ImmediateBackend, which would send the mail inside the request). SQLite logs its
`BEGIN IMMEDIATE` and `COMMIT`, PostgreSQL's are implicit: both are left out so the two count alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from boeking.accounts.models import ApiToken
from boeking.models import AuditEntry, Booking, Closure, RuleSettings
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt
from tests.jobs.queue import db_queue  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("db_queue")]

BUDGET = 11  # issue 19 asked for at most 12; the token's user and profile now come in one statement
PARTY = {"kind": "party", "start": "2027-04-03T19:00:00", "end": "2027-04-03T23:00:00", "guests": 30}
REHEARSAL = {"kind": "association", "start": "2027-04-06T19:00:00", "end": "2027-04-06T22:00:00", "guests": 20}


@pytest.fixture(autouse=True)
def world(frozen_now):
    default_caps()
    RuleSettings.current()  # the row exists in any running installation
    frozen_now(local_dt(2027, 3, 1, 10))


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user, name='test')[1]}")
    return client


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]


def create(client, room, body) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/bookings/", {"room": room.pk, **body}, format="json")
    return response, statements(queries)


def crowd(room, n: int) -> None:
    """`n` bookings of others in the room and the house over the spring, and a closure: data around the request."""
    for i in range(n):
        day = local_dt(2027, 4, 7, 19) + dt.timedelta(days=i)
        BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(), start=day,
                                end=day + dt.timedelta(hours=2))
    Closure.objects.create(house=room.house, start=local_dt(2027, 5, 20), end=local_dt(2027, 5, 21), reason="Kermis")


def test_a_residents_party__201_within_the_statement_budget(db):
    room = RoomFactory()
    resident = UserFactory.resident()
    response, sql = create(client_for(resident), room, PARTY)
    assert response.status_code == 201, response.content
    assert len(sql) <= BUDGET, "\n".join(s[:120] for s in sql)
    body = response.json()
    assert body["status"] == "requested" and body["payments"] == []
    assert body["price"]["total_cents"] == Booking.objects.get().total_cents > 0  # priced from the loaded tariffs
    assert {r["rule"] for r in body["rules"]} >= {"opening_hours", "closure", "slot", "cap", "open_requests"}
    # Saved with its audit line and its mail job, in one transaction; no savepoint was needed for it.
    assert AuditEntry.objects.filter(action="booking.requested").count() == 1
    assert DBTaskResult.objects.count() == 1
    assert not any(s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for s in sql)


def test_an_associations_booking__201_within_the_statement_budget(db):
    room = RoomFactory()
    response, sql = create(client_for(UserFactory.association()), room, REHEARSAL)
    assert response.status_code == 201, response.content
    assert len(sql) <= BUDGET, "\n".join(s[:120] for s in sql)


def test_the_count_does_not_grow_with_the_bookings_closures_and_requests_around_it(db):
    small_room, large_room = RoomFactory(), RoomFactory()
    crowd(small_room, 1)
    crowd(large_room, 30)
    resident = UserFactory.resident()
    client = client_for(resident)
    _, small = create(client, small_room, PARTY)
    # The same booker again (one open request now), in the busy room of another house.
    response, large = create(client, large_room, PARTY)
    assert response.status_code == 201, response.content
    assert len(large) == len(small)


def test_the_rules_still_read_the_loaded_data__a_taken_slot_and_a_closure_refuse_and_write_nothing(db):
    room = RoomFactory()
    BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(),
                            start=local_dt(2027, 4, 3, 18), end=local_dt(2027, 4, 3, 20))
    Closure.objects.create(house=room.house, start=local_dt(2027, 4, 10), end=local_dt(2027, 4, 11), reason="Kermis")
    client = client_for(UserFactory.resident())
    before = Booking.objects.count(), DBTaskResult.objects.count()
    taken, _ = create(client, room, PARTY)
    assert taken.status_code == 409 and taken.json()["code"] == "slot_taken"
    closed, _ = create(client, room, {**PARTY, "start": "2027-04-10T19:00:00", "end": "2027-04-10T23:00:00"})
    assert closed.status_code == 400 and closed.json()["code"] == "closure"
    assert (Booking.objects.count(), DBTaskResult.objects.count()) == before


def test_open_requests_are_counted_in_the_same_statement__the_limit_still_holds(db):
    settings = RuleSettings.current()
    settings.max_open_requests = 2
    settings.save()
    resident = UserFactory.resident()
    client = client_for(resident)
    rooms = [RoomFactory() for _ in range(3)]
    statuses = [create(client, room, PARTY)[0] for room in rooms]
    assert [r.status_code for r in statuses] == [201, 201, 400]
    assert statuses[2].json()["code"] == "open_requests"
