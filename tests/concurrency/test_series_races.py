"""A series and one-off bookings racing for the same dates, in real threads against PostgreSQL: whatever the
interleaving, no two slot-holding bookings of a room overlap, and every raced date is held by exactly one of them.

SQLite serialises all writers (IMMEDIATE transactions) and its test database cannot be shared by threads the way
a server can, so these run on PostgreSQL only (`DATABASE_URL=postgres://… make test`, as CI does).
"""

import datetime as dt
import time

import pytest
from django.db import connection

from boeking import services
from boeking.errors import DomainError, SlotTaken
from boeking.models import Booking, BookingStatus, Series, SeriesSkip
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt
from tests.threads import overlapping_pairs, run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers"),
]

RACED_TUESDAYS = [dt.date(2027, 3, 9) + dt.timedelta(weeks=i) for i in range(8)]


def holders_per_local_day(room) -> dict[dt.date, int]:
    """Slot-holding bookings of `room` per Amsterdam calendar day, counted by SQL over boeking_booking."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (start AT TIME ZONE 'Europe/Amsterdam')::date AS day, count(*)
              FROM boeking_booking
             WHERE room_id = %s AND status IN ('requested', 'approved', 'confirmed')
             GROUP BY day
            """,
            [room.pk],
        )
        return dict(cursor.fetchall())


def series_call(booker, room, start_time=dt.time(19), end_time=dt.time(21)):
    return lambda: services.series_create(
        booker=booker, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU", start_time=start_time,
        end_time=end_time, first_date=RACED_TUESDAYS[0], until=RACED_TUESDAYS[-1], guests=20, title="Koor")


def one_off_call(booker, room, day: dt.date, minute: int, delay: float = 0.0):
    start = local_dt(day.year, day.month, day.day, 19) + dt.timedelta(minutes=minute)

    def call():
        time.sleep(delay)
        return services.booking_request(booker=booker, room=room, kind="association", start=start,
                                        end=start + dt.timedelta(hours=2), guests=10, title="Losse avond")

    return call


# The rivals start together (0) or one after another, so they land before, during and after the series' transaction:
# each interleaving ends differently (series wins some dates, all, or none), the invariants hold in every one.
@pytest.mark.parametrize("step", [0, 0.01, 0.02, 0.04], ids=lambda s: f"rivals_{int(s * 1000)}ms_apart")
def test_series_and_one_off_bookings_racing_for_the_same_dates__each_date_held_by_exactly_one(frozen_now, step):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    calls = [series_call(UserFactory.association(), room)]
    # One rival per Tuesday, overlapping the series' evening that day (19:00, 19:15 or 19:30 for two hours).
    calls += [one_off_call(UserFactory.association(), room, day, 15 * (i % 3), delay=step * i)
              for i, day in enumerate(RACED_TUESDAYS)]

    results, errors = run_concurrently(calls)

    assert all(e is None or isinstance(e, DomainError) for e in errors), errors
    assert overlapping_pairs() == 0
    per_day = holders_per_local_day(room)
    assert per_day == {day: 1 for day in RACED_TUESDAYS}, per_day
    series = Series.objects.filter(room=room).first()
    one_offs = Booking.objects.filter(room=room, series__isnull=True, status__in=BookingStatus.HOLDING)
    # A rival fails only because the series holds its date; it then says so.
    assert all(isinstance(e, SlotTaken) or getattr(e, "code", "") == "slot" for e in errors[1:] if e is not None)
    assert one_offs.count() == sum(1 for r in results[1:] if r is not None)
    if series is None:
        # Lost every date: a clean refusal (nothing left, or still taken after its retries), nothing half-written.
        assert isinstance(errors[0], SlotTaken) or errors[0].code == "no_dates", errors[0]
        assert one_offs.count() == len(RACED_TUESDAYS)
        assert not Booking.objects.filter(room=room, series__isnull=False).exists()
    else:
        # Every date of the series is either its own occurrence or recorded as a conflict: never silently dropped.
        own = series.occurrences.filter(status__in=BookingStatus.HOLDING).count()
        skipped = dict(SeriesSkip.objects.filter(series=series).values_list("date", "reason"))
        assert set(skipped.values()) <= {"conflict"}
        assert own + len(skipped) == len(RACED_TUESDAYS)
        assert own + one_offs.count() == len(RACED_TUESDAYS)


def test_two_series_racing_for_the_same_evenings__never_both_on_a_date(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    calls = [series_call(UserFactory.association(), room),
             series_call(UserFactory.association(), room, dt.time(20), dt.time(22)),
             # The house's board books the same evenings directly (approved at once).
             series_call(UserFactory.volunteer(room.house), room, dt.time(18, 30), dt.time(20, 30))]

    results, errors = run_concurrently(calls)

    assert all(e is None or isinstance(e, DomainError) for e in errors), errors
    assert overlapping_pairs() == 0
    assert holders_per_local_day(room) == {day: 1 for day in RACED_TUESDAYS}
    # Nothing bookable left for the losers: a clean refusal with the reasons, never a half-written series.
    for result, error in zip(results, errors, strict=True):
        assert (result is None) != (error is None)
        if error is not None:
            assert error.code in ("no_dates", "slot_taken"), error
    assert Series.objects.filter(room=room).count() == sum(1 for r in results if r is not None)
