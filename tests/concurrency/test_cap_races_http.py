"""Real threads against PostgreSQL through the API: concurrent cap changes never fail or duplicate a rule, and a
cap lowered while approvals run is never exceeded by approvals that start after it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from rest_framework.test import APIClient

from boeking.models import AuditEntry, Booking, BookingStatus, CapRule
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt
from tests.threads import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers"),
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_concurrent_first_overrides_of_one_house__one_rule_every_change_audited(frozen_now):
    default_caps()
    room = RoomFactory()
    officers = [UserFactory.municipality() for _ in range(8)]
    calls = [lambda o=o, n=n: client_for(o).put("/api/v1/cap-rules/", {
        "kind": "party", "house": room.house_id, "cap": n, "reason": f"horeca in de buurt ({n})"}, format="json")
        for n, o in enumerate(officers, start=1)]

    results, errors = run_concurrently(calls)

    assert errors == [None] * 8
    assert [r.status_code for r in results] == [200] * 8
    rule = CapRule.objects.get(house=room.house, kind="party")
    assert rule.reason == f"horeca in de buurt ({rule.cap})"
    assert AuditEntry.objects.filter(action="cap_rule.set", object_id=str(rule.pk)).count() == 8


def test_cap_lowered_while_volunteers_approve__never_more_approved_than_a_cap_in_force(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    default_caps()
    room = RoomFactory()
    volunteer = UserFactory.volunteer(room.house)
    first = dt.date(2027, 2, 6)
    requests = [BookingFactory.requested(room=room, start=local_dt(d.year, d.month, d.day, 19),
                                         end=local_dt(d.year, d.month, d.day, 23))
                for d in (first + dt.timedelta(weeks=k) for k in range(10))]
    officer = UserFactory.municipality()
    calls = [lambda b=b: client_for(volunteer).post(f"/api/v1/bookings/{b.pk}/approve/", format="json")
             for b in requests]
    calls.insert(5, lambda: client_for(officer).put("/api/v1/cap-rules/", {
        "kind": "party", "house": room.house_id, "cap": 3, "reason": "horeca in de buurt"}, format="json"))

    results, errors = run_concurrently(calls)

    assert errors == [None] * 11
    assert {r.status_code for r in results} <= {200, 409}
    # The audit entries are written under the house lock, so their order is the order the house was held in.
    cap_change = AuditEntry.objects.get(action="cap_rule.set").pk
    approvals = AuditEntry.objects.filter(action="booking.approved").values_list("pk", flat=True)
    before = sum(1 for pk in approvals if pk < cap_change)
    after = sum(1 for pk in approvals if pk > cap_change)
    assert before + after == Booking.objects.filter(status__in=BookingStatus.COUNTING).count()
    assert after <= max(0, 3 - before), "an approval after the cap was lowered exceeded the new cap"
    assert [r.status_code for r in results].count(409) == 10 - before - after
