"""Real threads against PostgreSQL: the database and the per-house lock hold the invariants.

SQLite serialises all writers (IMMEDIATE transactions) and its test database cannot be shared by threads the way
a server can, so these run on PostgreSQL only (`DATABASE_URL=postgres://… make test`, as CI does).
"""

import datetime as dt

import pytest
from django.db import connection

from boeking import services
from boeking.errors import CapReached, DomainError, SlotTaken
from boeking.models import Booking, BookingStatus, CapRule
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt
from tests.threads import overlapping_pairs, run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers"),
]


def test_twenty_simultaneous_requests_for_one_slot__exactly_one_booking(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    residents = [UserFactory.resident() for _ in range(20)]
    start, end = local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23)
    calls = [
        # Staggered by up to 40 minutes: every pair overlaps once the buffer is counted.
        (lambda r=r, i=i: services.booking_request(
            booker=r, room=room, kind="party", start=start + dt.timedelta(minutes=2 * i),
            end=end + dt.timedelta(minutes=2 * i), guests=30))
        for i, r in enumerate(residents)
    ]
    results, errors = run_concurrently(calls)
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert all(isinstance(e, SlotTaken) for e in errors if e is not None), errors
    assert Booking.objects.filter(room=room).count() == 1
    assert overlapping_pairs() == 0


def test_twenty_simultaneous_approvals_with_three_left_under_the_cap__exactly_three(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    first_room = RoomFactory()
    house = first_room.house
    rooms = [first_room] + [RoomFactory(location=first_room.location) for _ in range(3)]
    CapRule.objects.create(kind="party", house=house, cap=3, reason="horeca in de buurt")
    requests = []
    for i in range(20):
        day = local_dt(2027, 4, 3, 19) + dt.timedelta(days=7 * (i // 4))
        requests.append(services.booking_request(
            booker=UserFactory.resident(), room=rooms[i % 4], kind="party", start=day,
            end=day + dt.timedelta(hours=4), guests=30))
    volunteers = [UserFactory.volunteer(house) for _ in range(2)]
    calls = [(lambda b=b, i=i: services.booking_approve(booking=b, actor=volunteers[i % 2]))
             for i, b in enumerate(requests)]
    results, errors = run_concurrently(calls)
    assert sum(1 for r in results if r is not None) == 3
    assert all(isinstance(e, CapReached) for e in errors if e is not None), errors
    assert Booking.objects.filter(house=house, status=BookingStatus.APPROVED).count() == 3
    assert Booking.objects.filter(house=house, status=BookingStatus.REQUESTED).count() == 17


def test_simultaneous_approve_and_cancel_of_one_booking__one_wins_cleanly(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    booking = services.booking_request(booker=UserFactory.resident(), room=room, kind="party",
                                       start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23), guests=30)
    volunteer = UserFactory.volunteer(room.house)
    results, errors = run_concurrently([
        lambda: services.booking_approve(booking=booking, actor=volunteer),
        lambda: services.booking_cancel(booking=booking, actor=booking.booker),
    ])
    assert all(e is None or isinstance(e, DomainError) for e in errors), errors
    booking.refresh_from_db()
    # Either cancel came first (approve then finds no request), or approve first and cancel after it.
    assert booking.status == BookingStatus.CANCELLED or (booking.status == BookingStatus.APPROVED and errors[1])
    assert booking.audit_entries.count() == 1 + sum(1 for e in errors if e is None)


def test_database_refuses_overlap_even_when_the_check_is_bypassed(frozen_now):
    """The exclusion constraint is the last line: a raw insert that skips the services still cannot overlap."""
    from django.db import IntegrityError, transaction

    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    booking = services.booking_request(booker=UserFactory.resident(), room=room, kind="party",
                                       start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23), guests=30)
    clone = Booking.objects.get(pk=booking.pk)
    clone.pk = None
    clone.start = booking.end  # starts inside the first booking's 30-minute buffer
    clone.end = booking.end + dt.timedelta(hours=1)
    clone.blocked_until = clone.end
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        clone.save()
