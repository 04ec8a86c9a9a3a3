"""`BookingQuerySet.holding_during` (issue 19): the same bookings as `active().in_period()`, and on PostgreSQL the
range overlap the GiST index `booking_holding_period` serves (find a room for a date at national scale)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from boeking import clock
from boeking.models import Booking
from tests.factories import BookingFactory, RoomFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def bookings(caps, frozen_now):
    frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    room, other = RoomFactory(buffer_minutes=30), RoomFactory(buffer_minutes=0)
    made = [
        BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 10), end=local_dt(2027, 1, 23, 12)),
        BookingFactory.approved(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 16)),
        BookingFactory.confirmed(room=other, start=local_dt(2027, 1, 23, 22), end=local_dt(2027, 1, 24, 0, 30)),
        BookingFactory.requested(room=other, start=local_dt(2027, 1, 24, 9), end=local_dt(2027, 1, 24, 11)),
    ]
    cancelled = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 21))
    Booking.objects.filter(pk=cancelled.pk).update(status="cancelled")
    return made


@pytest.mark.parametrize(("start", "end"), [
    ((2027, 1, 23, 0), (2027, 1, 24, 0)),
    ((2027, 1, 23, 12), (2027, 1, 23, 14)),  # between two bookings: the first's buffer reaches 12:30
    ((2027, 1, 23, 12, 30), (2027, 1, 23, 14)),  # touching both ends: half-open, nothing
    ((2027, 1, 24, 0), (2027, 1, 24, 0, 15)),  # the night after midnight
    ((2027, 1, 20, 0), (2027, 1, 30, 0)),
    ((2027, 2, 1, 0), (2027, 2, 2, 0)),
])
def test_holding_during__the_same_bookings_as_active_in_period(bookings, start, end):
    lo, hi = local_dt(*start), local_dt(*end)
    expected = set(Booking.objects.active().in_period(lo, hi).values_list("pk", flat=True))
    assert set(Booking.objects.holding_during(lo, hi).values_list("pk", flat=True)) == expected


def test_holding_during__never_a_cancelled_booking(bookings):
    found = Booking.objects.holding_during(local_dt(2027, 1, 23, 0), local_dt(2027, 1, 24, 0))
    assert not found.exclude(status__in=["requested", "approved", "confirmed"]).exists()
    assert found.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index exists on PostgreSQL only")
def test_holding_during__postgresql_can_use_the_gist_index(bookings):
    """The query's expression must match the index's (a changed bound or cast would quietly fall back to scanning
    every booking): with sequential scans off, the plan names the index."""
    query = Booking.objects.holding_during(local_dt(2027, 1, 23, 0), local_dt(2027, 1, 24, 0)).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "booking_holding_period" in plan
