"""Usage against caps for every house in a year (boeking.usage.usage) against one hand-written SQL query that returns
the same rows (houses × private kinds with counted, pending and the cap in force). Prints "## Usage".

Data: 300 bench houses (one room each, a tenth with their own party cap) and 36,000 private bookings over two
years in every status, bulk-inserted in a transaction that is rolled back at the end (the bench database is left
as it was).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup, timed  # noqa: E402

HOUSES = 300
BOOKINGS = 36_000
STATUSES = ["confirmed"] * 5 + ["approved"] * 2 + ["requested", "cancelled", "rejected", "expired"]
KINDS = ["party", "gathering", "koffietafel"]

RAW_SQL = """
SELECT h.id, h.name, d.name, k.kind,
       COUNT(b.id) FILTER (WHERE b.status IN ('approved', 'confirmed')) AS counted,
       COUNT(b.id) FILTER (WHERE b.status = 'requested') AS pending,
       COALESCE(o.cap, c.cap) AS cap, COALESCE(o.reason, '') AS reason
FROM boeking_house h
JOIN boeking_neighbourhood n ON n.id = h.neighbourhood_id
JOIN boeking_district d ON d.id = n.district_id
CROSS JOIN (VALUES ('party'), ('gathering'), ('koffietafel')) AS k(kind)
LEFT JOIN boeking_booking b ON b.house_id = h.id AND b.kind = k.kind AND b.local_year = %s
LEFT JOIN boeking_caprule o ON o.house_id = h.id AND o.kind = k.kind
LEFT JOIN boeking_caprule c ON c.house_id IS NULL AND c.kind = k.kind
WHERE h.active OR EXISTS (SELECT 1 FROM boeking_booking x WHERE x.house_id = h.id)
GROUP BY h.id, h.name, d.name, k.kind, o.cap, c.cap, o.reason
ORDER BY h.name, h.id, k.kind
"""


def make_data(year: int) -> None:
    from boeking.clock import make_local
    from boeking.models import Booking, CapRule, District, House, HouseType, Location, Neighbourhood, OperatorType, Room

    rng = random.Random(8)
    for kind, cap in (("party", 12), ("koffietafel", 24), ("gathering", 12)):
        CapRule.objects.update_or_create(kind=kind, house=None, defaults={"cap": cap})
    districts = [District.objects.get_or_create(slug=f"bench-usage-{i}", defaults={"name": f"Bench wijk {i}"})[0]
                 for i in range(7)]
    buurten = [Neighbourhood.objects.get_or_create(slug=f"bench-usage-{i}", defaults={
        "name": f"Bench buurt {i}", "district": districts[i % 7]})[0] for i in range(30)]
    houses = House.objects.bulk_create([
        House(name=f"Bench huis {i:03d}", slug=f"bench-usage-{i}", neighbourhood=buurten[i % 30],
              house_type=HouseType.values[i % 4], operator_type=OperatorType.VOLUNTEER_BOARD) for i in range(HOUSES)])
    locations = Location.objects.bulk_create([Location(house=h, name="Hoofdgebouw", street="Benchstraat 1",
                                                       postcode="6221 AB") for h in houses])
    rooms = Room.objects.bulk_create([Room(location=loc, house=loc.house, name="Zaal", capacity=80)
                                      for loc in locations])
    CapRule.objects.bulk_create([CapRule(kind="party", house=h, cap=6, reason="horeca in de buurt")
                                 for h in houses[::10]])
    bookings = []
    for i in range(BOOKINGS):
        room = rooms[i % HOUSES]
        slot = i // HOUSES  # a different day per booking of the same room: never overlapping
        day = dt.date(year - 1, 1, 1) + dt.timedelta(days=slot * 6 + rng.randrange(3))
        start = make_local(day, dt.time(19))
        end = start + dt.timedelta(hours=3)
        bookings.append(Booking(
            room=room, house_id=room.house_id, kind=rng.choice(KINDS), status=rng.choice(STATUSES), start=start,
            end=end, blocked_until=end + dt.timedelta(minutes=30), local_year=day.year, guests=40,
            created_at=start, updated_at=start, decision_deadline=start))
    Booking.objects.bulk_create(bookings, batch_size=2000)


def national(url: str) -> None:
    """The same comparison on the national data set of bench/generate.py (2,000 houses, ~1 million bookings)."""
    from generate import ensure_dataset

    info = ensure_dataset(url, scale=1)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from boeking import usage

    year = usage.current_year()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            rows = usage.usage(year)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [year])
                return cursor.fetchall()

        theirs = sorted((h, k, c, p, cap) for h, _, _, k, c, p, cap, _ in raw())
        assert sorted((r.house, r.kind, r.count, r.pending, r.cap) for r in rows) == theirs, "disagree"
        t_ours = timed(lambda: usage.usage(year), repeat=5)
        t_raw = timed(raw, repeat=5)
    print(f"\n### Usage at national scale\n\n{len(rows):,} rows (house × kind) for {year} from "
          f"{info['counts']['boeking_booking']:,} bookings: `usage.usage(year)` {t_ours * 1000:.1f} ms in {len(queries)} "
          f"queries, the raw SQL {t_raw * 1000:.1f} ms: ratio **{t_ours / t_raw:.2f}×** (target ≤ 3; same rows, "
          "checked).")


def main() -> None:
    import os

    if "--national" in sys.argv:
        url = sys.argv[sys.argv.index("--national") + 1]
        setup(url)
        national(url)
        return
    setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from boeking import usage

    year = usage.current_year()
    with transaction.atomic():
        make_data(year)
        houses = usage.houses_for().count()
        with CaptureQueriesContext(connection) as queries:
            rows = usage.usage(year)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [year])
                return cursor.fetchall()

        sql_rows = raw()
        ours = [(r.house, r.kind, r.count, r.pending, r.cap) for r in rows]
        theirs = sorted((h, k, c, p, cap) for h, _, _, k, c, p, cap, _ in sql_rows)
        assert sorted(ours) == theirs, "usage() and the raw SQL disagree"
        t_ours = timed(lambda: usage.usage(year), repeat=7)
        t_raw = timed(raw, repeat=7)
        t_month = timed(lambda: usage.monthly(year), repeat=7)
        counted = sum(r.count for r in rows)
        transaction.set_rollback(True)

    print("## Usage\n")
    print(f"{houses} houses (bench and any others in the database), {BOOKINGS:,} bulk-inserted private bookings over "
          f"two years; usage of {year}: {len(rows)} rows (house × kind), {counted:,} counted bookings.\n")
    print("| what | median | queries |")
    print("|---|---|---|")
    print(f"| `usage.usage(year)`: every house × kind with counted, pending, cap | {t_ours * 1000:.1f} ms | "
          f"{len(queries)} |")
    print(f"| one hand-written SQL query with the same rows | {t_raw * 1000:.1f} ms | 1 |")
    print(f"| `usage.monthly(year)`: city-wide per month and kind | {t_month * 1000:.1f} ms | 1 |")
    print(f"\nRatio usage() / raw SQL: **{t_ours / t_raw:.2f}×** (same rows; checked).")
    full = os.environ.get("BENCH_FULL_URL", "postgres://postgres@127.0.0.1:5432/zaalboek_bench_full")
    sys.stdout.flush()
    import subprocess

    subprocess.run([sys.executable, __file__, "--national", full], check=True)


if __name__ == "__main__":
    main()
