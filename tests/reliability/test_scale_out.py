"""More than one machine (issue 19): two app servers — two gunicorn instances, each its own processes, on two loopback
ports — sharing one PostgreSQL database and one Redis (one key prefix) behave as one. The web tier keeps no state of
its own: the slot is guarded by PostgreSQL (the exclusion constraint and the per-house lock), throttles and the login
lockout count in Redis, so

- 40 requests for one slot, racing, spread over both servers → exactly one booking;
- a per-user limit (booking creation, here 5 per hour) is counted once across both;
- a login lockout earned on one server is honoured by the other.

Needs PostgreSQL (DATABASE_URL) and Redis (ZAALBOEK_TEST_REDIS_URL); skipped otherwise. The servers run the test
settings (tests/reliability/scale_out_settings.py) against the test database, on the real clock."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from boeking import clock
from boeking.accounts.models import ApiToken
from boeking.models import Booking
from tests.factories import RoomFactory, UserFactory, default_caps
from tests.threads import overlapping_pairs

from .conftest import postgres_only

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ZAALBOEK_TEST_REDIS_URL", "")
BOOKING_LIMIT = 5  # per user per hour on these servers (production: 20)
LOCKOUT_FAILURES = 3


def _redis_reachable() -> bool:
    if not REDIS_URL:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis to test against
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgres_only,
    pytest.mark.skipif(not _redis_reachable(), reason="two app servers share one Redis: set ZAALBOEK_TEST_REDIS_URL "
                                                      "(e.g. redis://127.0.0.1:6379/0) to a running Redis"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """One gunicorn instance (config/gunicorn.py: preloaded, 2 workers × 4 threads) on its own loopback port."""

    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.proc.stderr.read().decode()[-3000:]}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def request(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        return response.status, payload

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@pytest.fixture(scope="module")
def shared_prefix():
    return f"zaalboek-scale-out-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, shared_prefix):
    """Two app servers on the test database and one Redis key prefix."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": database_url,
           "DJANGO_SETTINGS_MODULE": "tests.reliability.scale_out_settings",
           "ZAALBOEK_SCALE_OUT_REDIS_URL": REDIS_URL, "ZAALBOEK_SCALE_OUT_PREFIX": shared_prefix,
           "CONN_MAX_AGE": "0", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4", "GUNICORN_ACCESSLOG": "/dev/null",
           "GUNICORN_LOGLEVEL": "warning", "LOG_LEVEL": "ERROR",
           "THROTTLE_BOOKING_CREATE": f"{BOOKING_LIMIT}/hour", "ZAALBOEK_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES)}
    pair = [AppServer(env), AppServer(env)]
    try:
        for server in pair:
            server.wait_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()
        _drop_keys(shared_prefix)


def _drop_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_shared_cache(shared_prefix):
    """Each test starts with no counters in the servers' shared cache."""
    if _redis_reachable():
        _drop_keys(shared_prefix)


def next_saturday_evening(days_ahead: int = 40) -> tuple[str, str]:
    """A Saturday 19:00–23:00 (local) at least `days_ahead` days from now (the servers run on the real clock)."""
    day = clock.today() + dt.timedelta(days=days_ahead)  # not frozen here: the real date
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return f"{day.isoformat()}T19:00:00", f"{day.isoformat()}T23:00:00"


def race(calls):
    """Run every call at the same moment from its own thread; their results in call order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=60)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a request hung"
    return results


def test_forty_racing_requests_for_one_slot_over_two_servers__exactly_one_booking(servers):
    default_caps()
    room = RoomFactory()
    tokens = [ApiToken.issue(UserFactory.resident(), name="race")[1] for _ in range(40)]
    start, end = next_saturday_evening()
    body = {"room": room.pk, "kind": "party", "start": start, "end": end, "guests": 30}
    results = race([lambda i=i, t=t: (i % 2, *servers[i % 2].request("POST", "/api/v1/bookings/", body, t))
                    for i, t in enumerate(tokens)])
    statuses = sorted(status for _server, status, _payload in results)
    assert statuses == [201] + [409] * 39, [(s, st, p.get("code")) for s, st, p in results if st != 409]
    assert {p["code"] for _s, st, p in results if st == 409} == {"slot_taken"}
    assert {server for server, _st, _p in results} == {0, 1}  # both servers answered
    assert Booking.objects.filter(room=room).count() == 1
    assert overlapping_pairs() == 0


def test_a_per_user_limit_is_counted_once_across_both_servers(servers):
    default_caps()
    rooms = [RoomFactory() for _ in range(2 * BOOKING_LIMIT)]
    token = ApiToken.issue(UserFactory.association(), name="limit")[1]
    start, end = next_saturday_evening()
    statuses, codes = [], []
    for i, room in enumerate(rooms):  # alternating: 1st on A, 2nd on B, 3rd on A …
        status, payload = servers[i % 2].request(
            "POST", "/api/v1/bookings/",
            {"room": room.pk, "kind": "association", "start": start, "end": end, "guests": 20}, token)
        statuses.append(status)
        codes.append(payload.get("code"))
    # Each server alone (and each of its workers) would have allowed 5: together they allow 5.
    assert statuses == [201] * BOOKING_LIMIT + [429] * BOOKING_LIMIT, list(zip(statuses, codes, strict=True))
    assert set(codes[BOOKING_LIMIT:]) == {"throttled"}
    assert Booking.objects.count() == BOOKING_LIMIT


def test_a_login_lockout_on_one_server_is_honoured_by_the_other(servers):
    anna = UserFactory.resident(username="anna@example.org", email="anna@example.org")
    UserFactory.resident(username="bram@example.org", email="bram@example.org")
    first, second = servers
    for _ in range(LOCKOUT_FAILURES):
        status, payload = first.request("POST", "/api/v1/auth/token/", {"username": anna.username,
                                                                         "password": "geraden"})
        assert status == 400 and payload["code"] == "invalid_credentials", payload
    # The right password, on the other server: still locked.
    status, payload = second.request("POST", "/api/v1/auth/token/", {"username": anna.username, "password": "demo"})
    assert status == 429 and payload["code"] == "locked_out", payload
    # And on the first one too; another account is not affected, on either server.
    assert first.request("POST", "/api/v1/auth/token/", {"username": anna.username, "password": "demo"})[0] == 429
    status, payload = second.request("POST", "/api/v1/auth/token/", {"username": "bram@example.org",
                                                                      "password": "demo"})
    assert status == 200 and payload["token"], payload


def test_the_production_cache_backend_reuses_one_client_and_counts_exactly_from_many_threads(shared_prefix):
    """config.cache.RedisCache (production's, and these servers'): one redis client per pool instead of one per
    operation, with Django's behaviour — and INCR stays atomic from many threads on the shared client."""
    from config.cache import RedisCache

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"{shared_prefix}-unit"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache.add("count", 0, 60) and not cache.add("count", 5, 60)
    race([lambda: [cache.incr("count") for _ in range(50)] for _ in range(8)])
    assert cache.get("count") == 400
    cache.set("history", [1.0, 2.0], 60)
    assert cache.get("history") == [1.0, 2.0]
    cache.delete_many(["count", "history"])
    assert cache.get("count") is None
