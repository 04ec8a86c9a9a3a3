"""A national-scale Zaalboek data set, loaded with PostgreSQL COPY in minutes.

    python bench/generate.py --scale 1    --database-url postgres://postgres@127.0.0.1:5432/zaalboek_bench_full
    python bench/generate.py --scale 0.01 --database-url postgres://postgres@127.0.0.1:5432/zaalboek_bench_small

At scale 1: 2,000 houses (one location each), 6,000 rooms, 3 calendar years (last year, this year, next year) and
about 1 million bookings; 40,000 residents, 4,000 volunteers (two per house), 400 associations. Scale 0.01 is the
same shape at 1 % (20 houses, 60 rooms, about 10,000 bookings).

Bookings never overlap per room, buffers included: each room has three fixed day slots (09–11, 13–16, 19–23 local
time) that lie further apart than any buffer, and a slot is used at most once a day. The exclusion constraint and
the booking indexes are dropped during the COPY and created again afterwards, so PostgreSQL itself checks the
whole table. Caps hold too: approved and confirmed private bookings of a house never exceed the city-wide caps
per kind and year (surplus private requests become association bookings, or stay rejected/cancelled/expired).
Not generated: audit entries, meldingen, payments ledger rows, series, closures.

API for other bench scripts (bench/bench_ical.py, bench/bench_usage.py, …):

    from generate import ensure_dataset, generate, load_info  # in a bench/*.py script (bench/ is on sys.path)
    info = ensure_dataset(url, scale=0.01)  # generate unless `url` already holds this scale; returns load_info(url)
    info = generate(url, scale=1)           # always (re)create the database and load; returns the same dict
    info = load_info(url)                   # None, or {"scale", "seconds", "counts": {...}, "tokens", "generated_at",
                                            #  "first_day", "last_day", "seed"}

`association_tokens(url)` returns (creating them when missing) tokens of all association users.
`tokens` holds API tokens of residents (`Authorization: Token <key>`, 1,000 at scale 1, at least 50); the caps
of most house-years are full, so their private requests mostly get 409 cap_reached. Every password is `bench`.
Houses, rooms and users have ids from 1 in order; house `h` has rooms
`3h-2 .. 3h` and volunteers `bench-vol-<h>-{1,2}@example.org`; residents are `bench-res-<n>@example.org`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
HOUSES_AT_SCALE_1 = 2000
ROOMS_PER_HOUSE = 3
RESIDENTS_AT_SCALE_1 = 40_000
TOKENS_AT_SCALE_1 = 1000
BOOKINGS_PER_ROOM_DAY = 0.152  # 6,000 rooms × 1,096 days × 0.152 ≈ 1.0 million
# (start hour, end hour, weight): evenings are the busiest. Gaps of ≥ 2 h exceed any buffer.
SLOTS = ((9, 11, 0.7), (13, 16, 0.8), (19, 23, 1.5))
PASSWORD = "bench"
META_TABLE = "bench_meta"


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _server_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def load_info(url: str) -> dict | None:
    """What `generate` recorded in the database at `url` (None when it holds no generated data set)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(f"SELECT to_regclass('{META_TABLE}')").fetchone()
            if row[0] is None:
                return None
            row = conn.execute(f"SELECT info FROM {META_TABLE} ORDER BY id DESC LIMIT 1").fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:
        return None


def bench_key(user_id: int) -> str:
    """The API token key of bench user `user_id` (40 hex characters): derived, since Zaalboek stores only a digest."""
    return hashlib.sha256(f"zaalboek-bench-token-{user_id}".encode()).hexdigest()[:40]


def association_tokens(url: str) -> list[str]:
    """API tokens of every association user of the data set (`accounts_apitoken` rows created when missing, and
    marked as used now, so that none has expired after 30 idle days): they book `association` activities, which no
    cap limits and which need 48 hours' notice."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        ids = [uid for (uid,) in conn.execute("SELECT user_id FROM boeking_profile WHERE role = 'association' "
                                             "ORDER BY user_id")]
        keys = [bench_key(uid) for uid in ids]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO accounts_apitoken (digest, prefix, user_id, name, created_at, last_used_at) "
                "VALUES (%s, %s, %s, 'bench', now(), now()) ON CONFLICT (digest) DO UPDATE SET last_used_at = now()",
                [(hashlib.sha256(key.encode()).hexdigest(), key[:8], uid) for uid, key in zip(ids, keys, strict=True)])
        return keys


def ensure_dataset(url: str, *, scale: float, seed: int = 20270101, log=print) -> dict:
    """Generate the data set at `url` unless it already holds one of this `scale`; then migrate. Returns its info."""
    info = load_info(url)
    if info is None or float(info["scale"]) != float(scale) or os.environ.get("BENCH_REGENERATE"):
        return generate(url, scale=scale, seed=seed, log=log)
    _django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # migrations added since the load (new columns have defaults)
    return info


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if not settings.configured or not getattr(_django, "done", False):
        django.setup()
        _django.done = True
    from django.db import connection

    if connection.settings_dict["NAME"] != _db_name(url):
        raise RuntimeError(f"Django is already set up on {connection.settings_dict['NAME']}; use one process per database")


class _Copier:
    """Rows for one model's table as dicts keyed by field attname; missing fields take the model's default."""

    def __init__(self, model):
        from django.db import models

        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.static, self.dynamic = {}, {}
        for f in self.fields:
            if f.has_default() and callable(f.default):
                self.dynamic[f.attname] = f
            else:
                value = f.get_default()
                self.static[f.attname] = json.dumps(value) if isinstance(f, models.JSONField) else value
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.table = model._meta.db_table

    def row(self, values: dict) -> tuple:
        out = []
        for f in self.fields:
            name = f.attname
            if name in values:
                value = values[name]
                out.append(json.dumps(value) if name in self.json and value is not None else value)
            elif name in self.dynamic:
                value = self.dynamic[name].get_default()
                out.append(json.dumps(value) if name in self.json else value)
            else:
                out.append(self.static[name])
        return tuple(out)

    def copy(self, cursor, rows) -> int:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        n = 0
        with cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
            for values in rows:
                copy.write_row(self.row(values))
                n += 1
        return n


def _weekly_hours(house: int) -> list[tuple[int, dt.time, dt.time]]:
    """A house's weekly opening hours, in 12 patterns over the houses, as houses differ: opening at 8 or 9,
    closing at 23:00, midnight or 01:00, and half of them an hour later on Friday and Saturday. Every pattern is
    open 09:00–23:00 every day, so the fixed booking slots (`SLOTS`) fall inside opening hours everywhere."""
    opens = dt.time(8 + house % 2)
    closes = (23, 0, 1)[house // 2 % 3]
    late = house // 6 % 2
    return [(weekday, opens, dt.time((closes + (late if weekday in (4, 5) else 0)) % 24)) for weekday in range(7)]


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


def generate(url: str, *, scale: float, seed: int = 20270101, log=print) -> dict:
    """(Re)create the database at `url`, migrate it and load the data set of `scale`. Returns its info (see top)."""
    import psycopg

    t_total = time.perf_counter()
    name = _db_name(url)
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                     [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    _django(url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from boeking.accounts.models import ApiToken
    from boeking.clock import now
    from boeking.models import (
        Booking,
        BookingStatus,
        CapRule,
        District,
        House,
        Location,
        Membership,
        Neighbourhood,
        OpeningHours,
        PostcodeArea,
        Profile,
        Room,
        RuleSettings,
        Tariff,
        weekly_hours_text,
    )

    call_command("migrate", verbosity=0)
    t_migrated = time.perf_counter()
    rng = random.Random(seed)
    n_houses = max(1, round(HOUSES_AT_SCALE_1 * scale))
    n_rooms = n_houses * ROOMS_PER_HOUSE
    n_residents = max(200, round(RESIDENTS_AT_SCALE_1 * scale))
    n_assoc = max(10, n_houses // 5)
    n_tokens = min(n_residents, max(50, round(TOKENS_AT_SCALE_1 * scale)))
    moment = now()
    this_year = moment.astimezone(TZ).year
    first_day, last_day = dt.date(this_year - 1, 1, 1), dt.date(this_year + 1, 12, 31)
    n_days = (last_day - first_day).days + 1
    RuleSettings.current()
    caps = {"party": 12, "koffietafel": 24, "gathering": 12}
    for kind, cap in caps.items():
        CapRule.objects.update_or_create(kind=kind, house=None, defaults={"cap": cap})

    counts: dict[str, int] = {}
    raw = connection.connection  # psycopg connection under Django
    with connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # the psycopg cursor: .copy()

        def load(model, rows):
            counts[model._meta.db_table] = _Copier(model).copy(cur, rows)

        n_districts = max(1, n_houses // 50)
        n_neigh = max(1, n_houses // 5)
        load(District, ({"id": i, "name": f"Wijk {i}", "slug": f"wijk-{i}"} for i in range(1, n_districts + 1)))
        load(Neighbourhood, ({"id": i, "district_id": (i - 1) % n_districts + 1, "name": f"Buurt {i}",
                              "slug": f"buurt-{i}"} for i in range(1, n_neigh + 1)))
        load(PostcodeArea, ({"id": i, "pc4": str(6211 + (i - 1) % 19), "neighbourhood_id": i}
                            for i in range(1, n_neigh + 1)))
        house_types = ["gemeenschapshuis", "ontmoetingscentrum", "huis_van_de_wijk", "kleinschalig"]
        hours = {h: _weekly_hours(h) for h in range(1, n_houses + 1)}
        load(House, ({"id": h, "name": f"Gemeenschapshuis {h}", "slug": f"huis-{h}",
                      "house_type": house_types[h % 4], "operator_type": "volunteer_board" if h % 3 else "professional",
                      "neighbourhood_id": (h - 1) % n_neigh + 1, "discount_percent": 0,
                      "neighbourhood_residents_only": False, "active": True, "payment_mode": "",
                      "weekly_hours": weekly_hours_text(hours[h])}
                     for h in range(1, n_houses + 1)))
        load(OpeningHours, ({"id": (h - 1) * 7 + n + 1, "house_id": h, "weekday": wd, "opens": opens, "closes": closes}
                            for h in range(1, n_houses + 1) for n, (wd, opens, closes) in enumerate(hours[h])))
        load(Location, ({"id": h, "house_id": h, "name": "Hoofdgebouw", "street": f"Dorpstraat {h}",
                         "postcode": "6221 AB", "city": "Maastricht", "step_free_entrance": h % 2 == 0,
                         "door_width_cm": 90, "accessible_toilet": h % 3 != 0, "lift": False,
                         "threshold_max_2cm": False, "hearing_loop": False} for h in range(1, n_houses + 1)))
        buffers = {}
        room_rows = []
        for r in range(1, n_rooms + 1):
            h = (r - 1) // ROOMS_PER_HOUSE + 1
            buffers[r] = (30, 30, 60)[r % 3]
            room_rows.append({"id": r, "location_id": h, "house_id": h, "name": f"Zaal {(r - 1) % ROOMS_PER_HOUSE + 1}",
                              "capacity": (30, 80, 150)[r % 3], "deposit_cents": 5000, "cleaning_fee_cents": 0,
                              "buffer_minutes": buffers[r], "private_events_allowed": True, "active": True})
        load(Room, room_rows)
        tariffs = (("private", "hour", 2500), ("private", "daypart", 6000), ("association", "hour", 1500),
                   ("other", "hour", 4000))
        load(Tariff, ({"id": (r - 1) * 4 + i + 1, "room_id": r, "tier": t, "unit": u, "amount_cents": c}
                      for r in range(1, n_rooms + 1) for i, (t, u, c) in enumerate(tariffs)))

        # Users: residents, then two volunteers per house, then associations.
        password = make_password(PASSWORD)
        joined = moment - dt.timedelta(days=800)
        users = []  # (id, username, role, house or None)
        for n in range(1, n_residents + 1):
            users.append((n, f"bench-res-{n}@example.org", "resident", None))
        for h in range(1, n_houses + 1):
            for k in (1, 2):
                users.append((len(users) + 1, f"bench-vol-{h}-{k}@example.org", "volunteer", h))
        for a in range(1, n_assoc + 1):
            users.append((len(users) + 1, f"bench-assoc-{a}@example.org", "association", None))
        load(get_user_model(), ({"id": uid, "username": name, "email": name, "password": password, "first_name": "Bench",
                                 "last_name": f"Gebruiker {uid}", "is_superuser": False, "is_staff": False,
                                 "is_active": True, "date_joined": joined, "last_login": None}
                                for uid, name, _role, _h in users))
        load(Profile, ({"id": uid, "user_id": uid, "role": role, "postcode": "6221 AB", "phone": "06-12345678",
                        "organisation": f"Vereniging {uid}" if role == "association" else "", "adult_declared": True,
                        "language": "nl"} for uid, _n, role, _h in users))
        load(Membership, ({"id": i, "user_id": uid, "house_id": h, "role": "board"}
                          for i, (uid, _n, _r, h) in enumerate((u for u in users if u[3]), start=1)))
        tokens = [bench_key(i + 1) for i in range(n_tokens)]  # Zaalboek keeps only digests: the keys go in bench_meta
        load(ApiToken, ({"id": i + 1, "digest": hashlib.sha256(key.encode()).hexdigest(), "prefix": key[:8],
                         "user_id": i + 1, "name": "bench", "created_at": moment, "last_used_at": moment}
                        for i, key in enumerate(tokens)))
        t_reference = time.perf_counter()

        # Bookings.
        idx = {"booking_room_start", "booking_cap_count", "booking_status_deadline"}
        dropped_indexes = [i for i in Booking._meta.indexes if i.name in idx]
        overlap = next(c for c in Booking._meta.constraints if c.name == "booking_no_overlap")
        with connection.schema_editor() as editor:
            editor.remove_constraint(Booking, overlap)
            for index in dropped_indexes:
                editor.remove_index(Booking, index)
        residents = [u for u in users if u[2] == "resident"]
        assocs = [u for u in users if u[2] == "association"]
        volunteers_of = {h: [u for u in users if u[3] == h] for h in range(1, n_houses + 1)}
        days = [first_day + dt.timedelta(days=i) for i in range(n_days)]
        counting = {}  # (house, kind, year) -> approved/confirmed private bookings
        kinds = (("party", 0.2), ("koffietafel", 0.12), ("gathering", 0.13), ("association", 0.4), ("community", 0.15))
        kind_names = [k for k, _w in kinds]
        kind_weights = [w for _k, w in kinds]
        total_weight = sum(w for _s, _e, w in SLOTS)

        def booking_rows():
            next_id = 1
            for r in range(1, n_rooms + 1):
                h = (r - 1) // ROOMS_PER_HOUSE + 1
                popularity = rng.uniform(0.4, 1.6)
                buffer = dt.timedelta(minutes=buffers[r])
                per_room = []
                for start_hour, end_hour, weight in SLOTS:
                    p = min(0.95, BOOKINGS_PER_ROOM_DAY * popularity * weight / total_weight)
                    log_q = math.log(1 - p)
                    d = int(math.log(1 - rng.random()) / log_q)  # geometric gap: days without a booking in this slot
                    while d < n_days:
                        per_room.append((d, start_hour, end_hour))
                        d += 1 + int(math.log(1 - rng.random()) / log_q)
                per_room.sort()
                for d, start_hour, end_hour in per_room:
                    day = days[d]
                    start, end = _local(day, start_hour), _local(day, end_hour)
                    created = start - dt.timedelta(days=rng.randint(15, 120))
                    future = start > moment
                    roll = rng.random()
                    if future:
                        status = ("confirmed" if roll < .5 else "approved" if roll < .65 else
                                  "requested" if roll < .9 else "cancelled")
                    else:
                        status = ("confirmed" if roll < .8 else "cancelled" if roll < .9 else
                                  "rejected" if roll < .95 else "expired")
                    kind = rng.choices(kind_names, kind_weights)[0]
                    if kind in caps and status in BookingStatus.COUNTING:
                        key = (h, kind, day.year)
                        if counting.get(key, 0) >= caps[kind]:
                            kind = "association"
                        else:
                            counting[key] = counting.get(key, 0) + 1
                    if kind == "association":
                        uid, uname, _role, _h = assocs[rng.randrange(len(assocs))]
                        organisation = f"Vereniging {uid}"
                    elif kind == "community":
                        uid, uname, _role, _h = volunteers_of[h][rng.randrange(2)]
                        organisation = ""
                    else:
                        uid, uname, _role, _h = residents[rng.randrange(len(residents))]
                        organisation = ""
                    hours = end_hour - start_hour
                    rate = 1500 if kind == "association" else 0 if kind == "community" else 2500
                    rental = hours * rate
                    deposit = 5000 if kind in caps else 0
                    decided = created + dt.timedelta(days=2) if status in ("approved", "confirmed", "rejected") else None
                    row = {
                        "id": next_id, "room_id": r, "house_id": h, "kind": kind, "status": status,
                        "start": start, "end": end, "blocked_until": end + buffer, "local_year": day.year,
                        "guests": rng.randint(10, 30), "alcohol": kind == "party", "title": "",
                        "booker_id": uid, "booker_name": f"Bench Gebruiker {uid}", "booker_email": uname,
                        "booker_phone": "06-12345678", "booker_postcode": "6221 AB", "organisation": organisation,
                        "price_lines": [{"code": "rental", "label": "Huur", "label_en": "Rental", "quantity": hours,
                                         "unit_cents": rate, "amount_cents": rental}],
                        "rental_cents": rental, "deposit_cents": deposit, "total_cents": rental + deposit,
                        "payment_mode": "offline", "paid_cents": rental + deposit if status == "confirmed" else 0,
                        "rule_results": [], "created_at": created, "updated_at": decided or created,
                        "decision_deadline": min(created + dt.timedelta(days=7), start),
                        "payment_deadline": (decided + dt.timedelta(days=7)) if decided and status != "rejected" else None,
                        "decided_at": decided, "decided_by_id": volunteers_of[h][0][0] if decided else None,
                        "confirmed_at": decided if status == "confirmed" else None,
                        "cancelled_at": created + dt.timedelta(days=3) if status == "cancelled" else None,
                    }
                    next_id += 1
                    yield row

        t_bookings = time.perf_counter()
        # The triggers that bump a room's RoomVersion at each booking (migration 0014) would cost a million upserts
        # here; the search's kept verdicts start empty, so the versions need no bump for the load.
        cur.execute("ALTER TABLE boeking_booking DISABLE TRIGGER USER")
        load(Booking, booking_rows())
        cur.execute("ALTER TABLE boeking_booking ENABLE TRIGGER USER")
        t_copied = time.perf_counter()
        with connection.schema_editor() as editor:
            for index in dropped_indexes:
                editor.add_index(Booking, index)
            editor.add_constraint(Booking, overlap)  # PostgreSQL checks every row: no overlap per room, buffers incl.
        t_indexed = time.perf_counter()
        for table in counts:
            cur.execute(f"SELECT pg_get_serial_sequence('\"{table}\"', 'id')")
            seq = cur.fetchone()[0]
            if seq:
                cur.execute(f"SELECT setval('{seq}', GREATEST((SELECT max(id) FROM \"{table}\"), 1))")
        raw.commit() if not connection.get_autocommit() else None
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    t_done = time.perf_counter()
    info = {
        "scale": scale, "seed": seed, "generated_at": moment.isoformat(), "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(), "counts": counts, "tokens": tokens,
        "seconds": {"total": round(t_done - t_total, 1), "migrate": round(t_migrated - t_total, 1),
                    "reference": round(t_reference - t_migrated, 1), "bookings_copy": round(t_copied - t_bookings, 1),
                    "indexes_and_constraint": round(t_indexed - t_copied, 1),
                    "vacuum_analyze": round(t_done - t_indexed, 1)},
    }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (id serial PRIMARY KEY, info jsonb NOT NULL)")
        conn.execute(f"INSERT INTO {META_TABLE} (info) VALUES (%s)", [json.dumps(info)])
    log(f"{name}: scale {scale}: {counts.get('boeking_booking', 0):,} bookings, {n_rooms:,} rooms, "
        f"{len(users):,} users in {info['seconds']['total']} s ({info['seconds']})")
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, required=True, help="1 = national (2,000 houses); 0.01 = 1 %%")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="postgres://… (the database is dropped and created again)")
    parser.add_argument("--seed", type=int, default=20270101)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or BENCH_DATABASE_URL) is required")
    info = generate(args.database_url, scale=args.scale, seed=args.seed)
    print(json.dumps({k: v for k, v in info.items() if k != "tokens"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
