"""iCal feeds: rendering a house feed of 1,000 and 5,000 events (boeking.ical) against django-ical rendering the same
events, and the conditional GET (304, nothing rendered) against the full response. Prints "## iCal feeds".

Data: two bench houses with five rooms each, 1,000 and 5,000 confirmed bookings in the feed window (bulk-inserted in
a transaction that is rolled back at the end, so the bench database is left as it was).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup, timed  # noqa: E402

ROOMS = 5
SLOTS = ((9, 12), (13, 17), (18, 22))


def make_house(size: int, tag: str):
    from boeking.clock import make_local, today
    from boeking.models import Booking, District, House, HouseType, Location, Neighbourhood, OperatorType, Room

    district, _ = District.objects.get_or_create(slug="bench-ical", defaults={"name": "Bench iCal"})
    buurt, _ = Neighbourhood.objects.get_or_create(slug="bench-ical", defaults={"name": "Bench iCal",
                                                                               "district": district})
    house = House.objects.create(name=f"Bench iCal {tag}", slug=f"bench-ical-{tag}", neighbourhood=buurt,
                                 house_type=HouseType.GEMEENSCHAPSHUIS, operator_type=OperatorType.VOLUNTEER_BOARD)
    location = Location.objects.create(house=house, name="Hoofdgebouw", street="Benchstraat 1", postcode="6221 AB")
    rooms = [Room.objects.create(location=location, name=f"Zaal {n}", capacity=80) for n in range(ROOMS)]
    first = today() - dt.timedelta(days=20)
    bookings = []
    for i in range(size):
        room = rooms[i % ROOMS]
        day = first + dt.timedelta(days=(i // ROOMS) // len(SLOTS))
        begin, finish = SLOTS[(i // ROOMS) % len(SLOTS)]
        start, end = make_local(day, dt.time(begin)), make_local(day, dt.time(finish))
        bookings.append(Booking(
            room=room, house=house, kind="association", status="confirmed", start=start, end=end,
            blocked_until=end + dt.timedelta(minutes=30), local_year=start.year, guests=20, title=f"Activiteit {i}",
            booker_name=f"Persoon {i}", booker_email=f"p{i}@example.org", created_at=start - dt.timedelta(days=30),
            updated_at=start - dt.timedelta(days=30), decision_deadline=start, sequence=2))
    Booking.objects.bulk_create(bookings, batch_size=1000)
    return house


def django_ical_feed(house):
    """The same busy blocks through django-ical (its ICalFeed over the same rows)."""
    from django_ical.views import ICalFeed

    from boeking import ical
    from boeking.clock import local
    from boeking.models import Booking

    window = ical.Window.current()

    class BusyFeed(ICalFeed):
        product_id = "-//Zaalboek//bench//NL"
        timezone = "Europe/Amsterdam"
        file_name = "bench.ics"
        title = f"Bezet: {house.name}"

        def items(self):
            return list(Booking.objects.filter(house=house, status__in=("requested", "approved", "confirmed"))
                        .in_period(window.start, window.end).order_by("start", "pk").values(*ical.PUBLIC_FIELDS))

        def item_guid(self, item):
            return ical.busy_uid(item["pk"])

        def item_title(self, item):
            return f"Bezet: {item['room__name']}"

        def item_description(self, item):
            return ""

        def item_link(self, item):
            return f"/ical/houses/{house.pk}.ics"

        def item_start_datetime(self, item):
            return local(item["start"])

        def item_end_datetime(self, item):
            return local(item["blocked_until"])

        def item_updateddate(self, item):
            return item["updated_at"]

        def item_created(self, item):
            return item["created_at"]

        def item_timestamp(self, item):
            return item["updated_at"]

        def item_sequence(self, item):
            return item["sequence"]

        def item_status(self, item):
            return ical.ICAL_STATUS[item["status"]]

        def item_transparency(self, item):
            return "OPAQUE"

    return BusyFeed()


def interleaved(fns, *, rounds: int) -> list[float]:
    """Median CPU time (this process) of each of `fns`, run in turns after one warm-up each."""
    import statistics
    import time

    for fn in fns:
        fn()
    runs = [[] for _ in fns]
    for _ in range(rounds):
        for fn, times in zip(fns, runs, strict=True):
            t0 = time.process_time()
            fn()
            times.append(time.process_time() - t0)
    return [statistics.median(times) for times in runs]


def main() -> None:
    setup()
    from django.db import connection, transaction
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from boeking import ical

    with transaction.atomic():
        small, large = make_house(1000, "1k"), make_house(5000, "5k")
        feed, request = django_ical_feed(large), RequestFactory().get(f"/ical/houses/{large.pk}.ics",
                                                                       HTTP_HOST="localhost")
        # Interleaved, in CPU time of this process (the machine is shared: wall time swings with the others' load).
        ours_small, ours_large, theirs_large = interleaved([lambda: ical.house_feed(small).render(),
                                                            lambda: ical.house_feed(large).render(),
                                                            lambda: feed(request).content], rounds=5)
        events = ical.house_feed(large).render().count(b"BEGIN:VEVENT")
        size_ours = len(ical.house_feed(large).render())
        size_theirs = len(feed(request).content)

        client, url = Client(HTTP_HOST="localhost"), f"/ical/houses/{large.pk}.ics"
        full = client.get(url)
        assert full.status_code == 200, full.status_code
        etag = full["ETag"]
        full_get = timed(lambda: client.get(url).content, repeat=5)
        not_modified = timed(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag), repeat=20)
        with CaptureQueriesContext(connection) as q304:
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        with CaptureQueriesContext(connection) as q200:
            client.get(url)
        transaction.set_rollback(True)

    ms = 1000
    print("## iCal feeds\n")
    print("House feed of busy blocks (public), rendered with `icalendar` 7 by `boeking.ical` (query included): median "
          "CPU time of this process over 5 interleaved runs (database time is PostgreSQL's, not counted); the HTTP rows "
          "are wall time.\n")
    print("| measurement | time | ratio |")
    print("|---|---:|---:|")
    print(f"| house feed, 1,000 events | {ours_small * ms:.0f} ms | 1.00 |")
    print(f"| house feed, 5,000 events | {ours_large * ms:.0f} ms | {ours_large / ours_small:.2f} (×5 events: "
          f"linear is 5.0) |")
    print(f"| django-ical, same 5,000 events | {theirs_large * ms:.0f} ms | ours / django-ical = "
          f"{ours_large / theirs_large:.2f} |")
    print(f"| full GET, 5,000 events (HTTP, ETag computed) | {full_get * ms:.0f} ms | 1.00 |")
    print(f"| conditional GET → 304 (If-None-Match) | {not_modified * ms:.1f} ms | {not_modified / full_get:.3f} of "
          f"the full GET |")
    print()
    print(f"Per event: {ours_large / 5000 * 1e6:.0f} µs (5,000) vs {ours_small / 1000 * 1e6:.0f} µs (1,000). "
          f"Queries: {len(q200)} for the full GET, {len(q304)} for the 304, whatever the number of events. "
          f"Output: {size_ours / 1024:.0f} KiB ours (with VTIMEZONE, SEQUENCE, CREATED/LAST-MODIFIED) vs "
          f"{size_theirs / 1024:.0f} KiB django-ical (no VTIMEZONE: it only names the zone in X-WR-TIMEZONE). "
          f"{events} events in the 5,000 feed.")


if __name__ == "__main__":
    main()
