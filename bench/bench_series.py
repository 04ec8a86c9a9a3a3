"""Creating a series in a busy room (issue 4): time and queries for 10, 52 and 78 weekly dates.

The room already holds a booking every evening but Tuesday for the whole period, and every fourth Tuesday is taken,
so the conflict check has real work to do. Each run creates the series in a transaction that is rolled back, so
every run sees the same room.
"""

from __future__ import annotations

import datetime as dt

from common import setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from boeking import clock, services  # noqa: E402
from boeking.models import Booking, BookingStatus, OpeningHours  # noqa: E402
from tests.factories import HouseFactory, LocationFactory, RoomFactory, UserFactory  # noqa: E402

WEEKS = (10, 52, 78)


class Rollback(Exception):
    pass


def busy_room():
    house = HouseFactory(name="Bench huis")
    OpeningHours.objects.filter(house=house).delete()
    for weekday in range(7):
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(8), closes=dt.time(23, 30))
    room = RoomFactory(location=LocationFactory(house=house), capacity=80)
    booker = UserFactory.association()
    first = clock.today() + dt.timedelta(days=7)
    first += dt.timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday, a week ahead
    moment = clock.now()
    rows = []
    for offset in range(-7, 80 * 7):
        day = first + dt.timedelta(days=offset)
        if day.weekday() == 1 and offset % 28:
            continue  # Tuesdays free, but every fourth
        start = clock.make_local(day, dt.time(19, 30))
        end = start + dt.timedelta(hours=2)
        rows.append(Booking(room=room, house=house, kind="association", status=BookingStatus.CONFIRMED, start=start,
                            end=end, blocked_until=end + dt.timedelta(minutes=room.buffer_minutes),
                            local_year=day.year, guests=10, booker=booker, created_at=moment, updated_at=moment,
                            decision_deadline=moment))
    Booking.objects.bulk_create(rows)
    return room, booker, first, len(rows)


def create(room, booker, first, weeks):
    def run():
        try:
            with transaction.atomic():
                series = services.series_create(
                    booker=booker, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                    start_time=dt.time(19), end_time=dt.time(21), first_date=first,
                    until=first + dt.timedelta(weeks=weeks - 1), guests=20, title="Bench")
                run.result = (series.occurrences.count(), series.skips.count())
                raise Rollback
        except Rollback:
            pass
    return run


def main() -> None:
    with transaction.atomic():
        room, booker, first, busy = busy_room()
        results = {}
        for weeks in WEEKS:
            run = create(room, booker, first, weeks)
            with CaptureQueriesContext(connection) as queries:
                run()
            seconds = timed(run, repeat=5)
            results[weeks] = (seconds, len(queries), *run.result)
        transaction.set_rollback(True)
    base = results[WEEKS[0]][0]
    print("## Series creation (issue 4)\n")
    print(f"A weekly Tuesday series in a room with {busy:,} other bookings over the period (every fourth Tuesday "
          "taken). Median of 5 runs, each rolled back.\n")
    print("| weeks | booked | skipped (conflict) | queries | median time | vs 10 weeks |")
    print("|---:|---:|---:|---:|---:|---:|")
    for weeks, (seconds, queries, booked, skipped) in results.items():
        print(f"| {weeks} | {booked} | {skipped} | {queries} | {seconds * 1000:.1f} ms | {seconds / base:.2f}× |")
    print()


if __name__ == "__main__":
    main()
