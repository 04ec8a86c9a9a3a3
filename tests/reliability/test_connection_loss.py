"""The database drops every connection while requests run: requests fail cleanly, nothing is half written, and the
app serves again at once without a restart (CONN_HEALTH_CHECKS replaces a dead persistent connection).

The PostgreSQL server is shared (other test runs, CI): only this test database's backends are terminated, with
pg_terminate_backend from a separate connection. PostgreSQL only.
"""

import datetime as dt
import threading
import time

import psycopg
import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from boeking.models import AuditEntry, Booking, RuleSettings
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt
from tests.threads import overlapping_pairs

from .conftest import postgres_only, wsgi

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

def _admin_connection():
    params = connection.get_connection_params()
    keep = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    return psycopg.connect(dbname="postgres", autocommit=True, **keep)


def _terminate_backends(dbname: str, keep: set[int]) -> int:
    """Terminate every backend of `dbname` except `keep`; return once they are gone. Returns how many."""
    with _admin_connection() as admin:
        pids = [pid for (pid,) in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
            [dbname, list(keep)]).fetchall()]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]).fetchone()[0]:
            time.sleep(0.01)
    return len(pids)


THREADS = 6
ROUNDS = 6


def test_backends_killed_during_booking_traffic__clean_failures_no_half_writes_and_recovery(frozen_now):
    default_caps()
    # Each resident sends ROUNDS requests: the limit on open requests (5 by default) must not be what refuses one
    # when no kill happened to fail an earlier one.
    RuleSettings.objects.filter(pk=RuleSettings.current().pk).update(max_open_requests=ROUNDS + 1)
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    tokens = [Token.objects.create(user=UserFactory.resident()).key for _ in range(THREADS)]
    # Persistent connections, as in production: each worker thread keeps its connection between requests.
    db = connections.settings["default"]
    saved = db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]
    db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = 600, True
    own_pid = connection.connection.info.backend_pid
    dbname = connection.settings_dict["NAME"]
    idle = threading.Barrier(THREADS + 1)
    resume = threading.Barrier(THREADS + 1)
    outcomes: list[tuple[int, str, int]] = []  # (thread, phase, status)
    bad: list[str] = []

    def book(n: int, i: int, phase: str):
        day = local_dt(2027, 4, 1, 9) + dt.timedelta(days=n * 3 * ROUNDS + i)
        body = {"room": room.pk, "kind": "party", "start": day.isoformat(),
                "end": (day + dt.timedelta(hours=2)).isoformat(), "guests": 20}
        try:
            response = wsgi("POST", "/api/v1/bookings/", body, token=tokens[n])
        except Exception as exc:  # noqa: BLE001 - a clean failure is an HTTP answer, never an exception
            bad.append(f"thread {n} {phase} {i}: {exc!r}")
            return
        outcomes.append((n, phase, response.status_code))
        if response.status_code >= 500 and not response.content:
            bad.append(f"thread {n}: empty {response.status_code}")

    def worker(n: int):
        try:
            book(n, 0, "warm")  # opens this worker's persistent connection
            idle.wait(30)  # … which the database now kills while the worker is idle
            resume.wait(30)
            book(n, 1, "after_idle_kill")
            for i in range(2, ROUNDS):
                book(n, i, "traffic")
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        idle.wait(30)
        killed_idle = _terminate_backends(dbname, {own_pid})
        resume.wait(30)
        deadline = time.monotonic() + 30  # let each worker's first request after the idle kill finish, then kill again
        while sum(1 for _n, p, _s in outcomes if p == "after_idle_kill") < THREADS and time.monotonic() < deadline:
            time.sleep(0.005)
        killed_busy = _terminate_backends(dbname, {own_pid})  # now in the middle of traffic
        for t in threads:
            t.join(60)
            assert not t.is_alive()
    finally:
        db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"] = saved

    assert killed_idle >= THREADS, "every worker held a persistent connection"
    assert not bad, bad
    statuses = [s for _n, _p, s in outcomes]
    assert set(statuses) <= {201, 500}, outcomes
    # The first request after its idle connection was killed succeeded in every worker: the health check noticed the
    # dead connection and opened a new one. No restart, not one failed request.
    assert [s for _n, p, s in outcomes if p == "after_idle_kill"] == [201] * THREADS, outcomes
    # Killed mid-request: a clean 500 (JSON or Django's page), and the worker's next requests succeed again.
    for n in range(THREADS):
        assert [s for t, _p, s in outcomes if t == n][-1] == 201, outcomes
    # Nothing half written: a booking is there with its audit entry or not at all. (A request killed just after its
    # commit answers 500 although its booking exists, so the count lies between the 201s and the 201s plus 500s.)
    created = Booking.objects.filter(room=room)
    assert statuses.count(201) <= created.count() <= statuses.count(201) + statuses.count(500)
    assert AuditEntry.objects.filter(action="booking.requested", booking__room=room).count() == created.count()
    assert overlapping_pairs() == 0
    assert killed_busy >= 1, "the second kill hit requests in flight"
    assert wsgi("GET", f"/api/v1/rooms/{room.pk}/").status_code == 200
