"""Security: CSRF on session writes, login lockout (admin, API token), API throttling, production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_session_post_without_csrf_token__403_and_nothing_written(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    user = UserFactory.resident()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    body = {"room": room.pk, "kind": "party", "start": "2027-04-03T19:00:00", "end": "2027-04-03T23:00:00",
            "guests": 30}
    response = client.post("/api/v1/bookings/", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    assert not room.bookings.exists()
    # With the token from the cookie the same session POST goes through.
    client.get("/uitloggen/")  # a page with a form (issue 17: the logout confirmation)
    token = client.cookies["csrftoken"].value
    response = client.post("/api/v1/bookings/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_admin_login_form_without_csrf_token__403():
    UserFactory.resident(username="beheer@example.org", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "beheer@example.org", "password": "demo"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def _token_login(client, username, password, ip="203.0.113.7"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json",
                       REMOTE_ADDR=ip)


def test_api_token_login__locked_after_ten_failures_for_that_username_and_address(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "1000/min")  # lockout, not the rate limit
    user = UserFactory.resident()
    client = APIClient()
    for _ in range(10):
        assert _token_login(client, user.username, "fout").status_code == 400
    # Locked: even the right password is refused from this address, and the caller is told why …
    locked = _token_login(client, user.username, "demo")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert Token.objects.filter(user=user).count() == 0
    # … but not from another address, and other usernames from this address are not affected.
    assert _token_login(client, user.username, "demo", ip="198.51.100.1").status_code == 200
    other = UserFactory.resident()
    assert _token_login(client, other.username, "demo").status_code == 200


def test_lockout_counts_usernames_case_insensitively_and_success_resets_the_count(monkeypatch):
    UserFactory.resident(username="Anna@Example.org")
    client = APIClient()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "1000/min")  # lockout, not the rate limit
    for _ in range(9):
        _token_login(client, "anna@example.org", "fout")
    assert _token_login(client, "Anna@Example.org", "demo").status_code == 200  # 9 failures: not yet locked
    for _ in range(9):
        _token_login(client, "ANNA@EXAMPLE.ORG", "fout")
    assert _token_login(client, "Anna@Example.org", "demo").status_code == 200  # the success reset the count


def test_lockout_ends_after_the_lock_period(settings):
    settings.ZAALBOEK_LOCKOUT_FAILURES = 3
    settings.ZAALBOEK_LOCKOUT_SECONDS = 1
    user = UserFactory.resident()
    client = APIClient()
    for _ in range(3):
        _token_login(client, user.username, "fout")
    assert _token_login(client, user.username, "demo").status_code == 429
    time.sleep(1.2)
    assert _token_login(client, user.username, "demo").status_code == 200


def test_admin_login__locked_after_ten_failures():
    """The admin logs in on the site's login page (issue 17: allauth, then the two-factor code); the lockout holds
    there as it held on the admin's own form."""
    UserFactory.resident(username="beheer@example.org", is_staff=True, is_superuser=True)
    client = Client()
    assert client.get("/admin/login/?next=/admin/").url == "/inloggen/?next=/admin/"
    for _ in range(10):
        response = client.post("/inloggen/?next=/admin/", {"login": "beheer@example.org", "password": "fout"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/inloggen/?next=/admin/", {"login": "beheer@example.org", "password": "demo"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="198.51.100.2").post("/inloggen/?next=/admin/",
                                                    {"login": "beheer@example.org", "password": "demo"})
    assert other.status_code == 302 and other.url == "/account/2fa/authenticate/"  # the password was right


def test_token_login_is_throttled_per_address():
    client = APIClient()
    codes = [_token_login(client, "niemand@example.org", "x", ip="192.0.2.9").status_code for _ in range(11)]
    assert codes[:10] == [400] * 10
    response = _token_login(client, "niemand@example.org", "x", ip="192.0.2.9")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and "Retry-After" in response


def test_booking_creation_is_throttled_per_user(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    client = APIClient()
    client.force_authenticate(UserFactory.resident())
    bad = {"room": room.pk, "kind": "party"}  # invalid, but each attempt counts towards the rate
    assert [client.post("/api/v1/bookings/", bad, format="json").status_code for _ in range(20)] == [400] * 20
    response = client.post("/api/v1/bookings/", bad, format="json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    other = APIClient()
    other.force_authenticate(UserFactory.resident())
    assert other.post("/api/v1/bookings/", bad, format="json").status_code == 400  # per user, not global


# --- production settings, imported in a subprocess ----------------------------------------------------------------

GOOD_ENV = {"SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": "postgres://zaalboek@db.internal:5432/zaalboek",
            "ALLOWED_HOSTS": "zaalboek.example.nl", "EMAIL_HOST": "smtp.example.nl",
            "REDIS_URL": "redis://cache.internal:6379/0"}


def _production(env_changes: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS",
                                                             "EMAIL_HOST", "DJANGO_SETTINGS_MODULE", "REDIS_URL",
                                                             "ZAALBOEK_LOCAL_CACHE")}
    env.update({k: v for k, v in {**GOOD_ENV, **env_changes}.items() if v is not None})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    command = args or ("-c", "import django; django.setup(); print('ok')")
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("changes", "message"), [
    ({"DEBUG": "1"}, "DEBUG must be off"),
    ({"SECRET_KEY": None}, "Set SECRET_KEY"),
    ({"SECRET_KEY": "insecure-local-development-key-do-not-use-in-production"}, "Set SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "Set SECRET_KEY"),
    ({"SECRET_KEY": "a" * 60}, "Set SECRET_KEY"),
    ({"DATABASE_URL": None}, "needs PostgreSQL"),
    ({"DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, "needs PostgreSQL"),
    ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ({"EMAIL_HOST": None}, "EMAIL_HOST"),
    ({"REDIS_URL": None}, "Set REDIS_URL"),
    ({"REDIS_URL": None, "ZAALBOEK_LOCAL_CACHE": "0"}, "Set REDIS_URL"),
], ids=["debug", "no-secret", "default-secret", "short-secret", "repetitive-secret", "no-database", "sqlite",
        "no-hosts", "wildcard-host", "no-mail", "no-redis", "local-cache-off"])
def test_production_settings_refuse_to_start_when_misconfigured(changes, message):
    result = _production(changes)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr, result.stderr[-2000:]


def test_production_settings__check_deploy_is_clean_and_the_csp_is_kept():
    result = _production({}, "manage.py", "check", "--deploy", "--fail-level", "ERROR")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "(security." not in output and "ERRORS" not in output, output
    probe = ("import django; django.setup(); from django.conf import settings as s; from config.settings import base; "
             "assert s.SECURE_CSP == base.SECURE_CSP and s.SECURE_CSP; "
             "assert 'django.middleware.csp.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE; "
             "assert s.X_FRAME_OPTIONS == 'DENY' and s.SECURE_HSTS_SECONDS >= 31536000; "
             "assert s.SECURE_PROXY_SSL_HEADER == ('HTTP_X_FORWARDED_PROTO', 'https'); "
             "assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.SECURE_REFERRER_POLICY; "
             "assert s.DATABASES['default']['CONN_HEALTH_CHECKS'] and s.DATABASES['default']['CONN_MAX_AGE'] > 0; "
             "assert 'LocMem' not in s.CACHES['default']['BACKEND']; print('ok')")
    result = _production({}, "-c", probe)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_production_response_headers(settings, client):
    """The headers the production settings produce, on a page and on the API (via Django's test client)."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.X_FRAME_OPTIONS = "DENY"
    settings.SECURE_REFERRER_POLICY = "same-origin"
    assert client.get("/api/v1/houses/").status_code == 301  # plain HTTP is redirected to HTTPS
    response = client.get("/api/v1/houses/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in client.get("/", HTTP_X_FORWARDED_PROTO="https")["Content-Security-Policy"]


def test_gunicorn_access_log__private_feed_tokens_are_masked():
    """The private feed's token is its only secret; the access log (shipped to log collectors) must not hold it."""
    import datetime as dt
    import importlib.util
    from types import SimpleNamespace

    from gunicorn.config import Config

    spec = importlib.util.spec_from_file_location("zaalboek_gunicorn", Path(__file__).parents[2] / "config" / "gunicorn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    logger = module.logger_class(Config())
    token = secrets.token_urlsafe(32)
    path = f"/ical/private/{token}.ics"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7"}
    resp = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    req = SimpleNamespace(headers=[], method="GET", path=path, query="", uri=path, version=(1, 1))

    atoms = logger.atoms(resp, req, environ, dt.timedelta(seconds=0.1))

    assert not [key for key, value in atoms.items() if token in str(value)]
    assert atoms["r"] == "GET /ical/private/… HTTP/1.1"
    # Other paths are logged as they are.
    environ = {**environ, "RAW_URI": "/ical/rooms/3.ics", "PATH_INFO": "/ical/rooms/3.ics"}
    other = logger.atoms(resp, SimpleNamespace(**{**vars(req), "path": "/ical/rooms/3.ics", "uri": "/ical/rooms/3.ics"}),
                         environ, dt.timedelta(seconds=0.1))
    assert other["U"] == "/ical/rooms/3.ics"


# --- private calendar tokens never reach a log (issue 14) ---------------------------------------------------------


def _logged_text(records) -> str:
    """Everything a handler or an error reporter could write of these records."""
    import logging

    parts = []
    for record in records:
        parts += [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or "", record.stack_info or ""]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        request = getattr(record, "request", None)
        if request is not None:
            parts += [request.path, request.path_info, request.get_full_path(), repr(request.META)]
    return "\n".join(parts)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PROPFIND", "PATCH"])
def test_private_feed__a_write_to_its_url_logs_no_token(caplog, method):
    """Django's CSRF middleware warns (`django.security.csrf`, "Forbidden (…): <path>") before the view runs; the path
    holds the token. Every handler masks it (config/logging.py), so root's handlers see the masked record."""
    import logging

    user = UserFactory.resident()
    token = user.profile.feed_token
    caplog.set_level(logging.DEBUG)  # caplog's handler sits on the root logger
    response = Client(enforce_csrf_checks=True).generic(method, f"/ical/private/{token}.ics", b"x=1",
                                                        content_type="application/x-www-form-urlencoded")
    assert response.status_code in (403, 405)
    assert caplog.records, "the request was logged (a CSRF or method warning)"
    assert token not in caplog.text
    assert token not in _logged_text(caplog.records)
    assert "/ical/private/…" in caplog.text


def test_private_feed__error_reports_mail_no_token(settings, mailoutbox=None):
    """An error report (django.request → AdminEmailHandler) carries the request; its path and META are masked."""
    import logging
    import sys

    from django.core import mail
    from django.test import RequestFactory

    settings.ADMINS = ["beheer@example.org"]
    token = secrets.token_urlsafe(32)
    request = RequestFactory().post(f"/ical/private/{token}.ics?lang=en", HTTP_REFERER=f"https://x/ical/private/{token}.ics")
    try:
        raise RuntimeError(f"feed failed for /ical/private/{token}.ics")
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: %s", request.path, exc_info=sys.exc_info(),
                                                  extra={"status_code": 500, "request": request})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "/ical/private/…" in message.subject + message.body
    assert token not in message.subject + message.body
    assert request.path == f"/ical/private/{token}.ics"  # the request being served is left as it is


def test_log_mask__tokens_in_arguments_split_formats_and_exceptions():
    import logging

    from config.logging import MaskPrivateFeedTokens, mask

    token = secrets.token_urlsafe(32)
    assert mask(f"GET /ical/private/{token}.ics HTTP/1.1") == "GET /ical/private/… HTTP/1.1"
    assert mask(f'"/ical/private/{token}"') == '"/ical/private/…"'
    assert mask("/ical/rooms/3.ics") == "/ical/rooms/3.ics"
    records = [
        logging.LogRecord("x", logging.WARNING, __file__, 1, "Forbidden (%s): %s", ("CSRF", f"/ical/private/{token}.ics"),
                          None),
        logging.LogRecord("x", logging.WARNING, __file__, 1, "/ical/private/%s.ics", (token,), None),
        logging.LogRecord("x", logging.WARNING, __file__, 1, "%(path)s", ({"path": f"/ical/private/{token}.ics"},), None),
    ]
    try:
        raise ValueError(f"/ical/private/{token}.ics")
    except ValueError:
        import sys

        records.append(logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()))
    for record in records:
        assert MaskPrivateFeedTokens().filter(record) is True
        assert token not in logging.Formatter().format(record)


def test_gunicorn_error_log__private_feed_tokens_are_masked():
    """gunicorn's own error log ("Error handling request <path>") goes through the same filter as Django's handlers."""
    import importlib.util
    import io
    import logging

    from gunicorn.config import Config

    spec = importlib.util.spec_from_file_location("zaalboek_gunicorn", Path(__file__).parents[2] / "config" / "gunicorn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    logger = module.logger_class(Config())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    logger.setup(logger.cfg)  # a reload: gunicorn's handlers get the filter (once), ours too
    try:
        token = secrets.token_urlsafe(32)
        logger.error("Error handling request %s", f"/ical/private/{token}.ics")
        assert "/ical/private/…" in stream.getvalue() and token not in stream.getvalue()
        assert all(sum(type(f).__name__ == "MaskPrivateFeedTokens" for f in h.filters) == 1
                   for h in logger.error_log.handlers + logger.access_log.handlers)
    finally:
        logger.error_log.removeHandler(handler)


# --- client address: the default trusts no proxy (issue 14) -------------------------------------------------------


def test_lockout__rotating_x_forwarded_for_with_default_settings_does_not_escape_it(monkeypatch):
    """A server without a proxy (the default: ZAALBOEK_TRUSTED_PROXIES 0) ignores X-Forwarded-For: a forged new address
    with every guess still counts against the connection's address."""
    from django.conf import settings as django_settings

    assert django_settings.ZAALBOEK_TRUSTED_PROXIES == 0
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "1000/min")  # the lockout, not the rate limit
    user = UserFactory.resident()
    client = APIClient()
    for attempt in range(10):
        response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "fout"}, format="json",
                               REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
        assert response.status_code == 400
    locked = client.post("/api/v1/auth/token/", {"username": user.username, "password": "demo"}, format="json",
                         REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    assert Token.objects.filter(user=user).count() == 0


def test_lockout__behind_one_trusted_proxy_counts_the_address_the_proxy_saw(settings):
    from django.test import RequestFactory

    from boeking.auth import client_ip

    settings.ZAALBOEK_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"  # the entry the proxy appended; the client's own claim is ignored
    settings.ZAALBOEK_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"


@pytest.mark.parametrize(("env", "expected"), [({}, 0), ({"ZAALBOEK_TRUSTED_PROXIES": "1"}, 1)], ids=["default", "one"])
def test_production_settings__trusted_proxies_default_to_none(env, expected):
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.ZAALBOEK_TRUSTED_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'])")
    result = _production({"ZAALBOEK_TRUSTED_PROXIES": None, **env}, "-c", probe)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [str(expected), str(expected)]


# --- /healthz checks what requests need (issue 14) ----------------------------------------------------------------


def test_healthz__ok_when_database_and_cache_work(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)  # autocommit, as in production: a failed query leaves no aborted transaction
def test_healthz__503_when_the_cache_table_is_missing_as_every_api_request_fails(settings):
    """Before: /healthz said 200 while every API request was a 500 (the throttles use the cache)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "zaalboek_cache_that_was_never_created"}}
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/houses/").status_code == 500
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("failed: ")


def test_healthz__503_when_the_database_fails(monkeypatch, client):
    from django.db import OperationalError

    from boeking.models import House

    def broken(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(type(House.objects.all()), "exists", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "failed: OperationalError", "cache": "ok"}


# --- the shared cache: Redis in production, an exact lockout counter (issue 15) ------------------------------------


@pytest.mark.parametrize(("env", "backend"), [
    ({}, "config.cache.RedisCache"),  # Django's RedisCache, reusing its client (config/cache.py)
    ({"REDIS_URL": None, "ZAALBOEK_LOCAL_CACHE": "1"}, "django.core.cache.backends.locmem.LocMemCache"),
], ids=["redis", "single-process-declared"])
def test_production_settings__cache_is_redis_unless_a_single_process_is_declared(env, backend):
    probe = "import django; django.setup(); from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = _production(env, "-c", probe)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == backend


redis_only = pytest.mark.skipif(not os.environ.get("ZAALBOEK_TEST_REDIS_URL"),
                                reason="set ZAALBOEK_TEST_REDIS_URL=redis://127.0.0.1:6379/0 (CI does) to run against Redis")


@redis_only
def test_ci_runs_the_throttles_and_the_lockout_against_redis():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    assert cache.key_prefix.startswith("zaalboek-test-")  # its own keys only: clear() never flushes the server
    cache.set("probe", 1, 10)
    assert cache.incr("probe") == 2


def test_lockout_counter__exact_under_parallel_failures(settings):
    """16 threads each record 25 failures at once: the count is exactly 400 (Redis INCRBY in CI; a lost update of a
    get-then-set counter would show here)."""
    from boeking.auth import _key, count_attempt
    from tests.threads import run_concurrently

    settings.ZAALBOEK_LOCKOUT_FAILURES = 10_000
    results, errors = run_concurrently(
        [lambda: [count_attempt("anna@example.org", "203.0.113.7") for _ in range(25)]] * 16)
    assert errors == [None] * 16
    counts = sorted(n for batch in results for n in batch)
    assert counts == list(range(1, 401))  # every attempt got its own number: none lost, none repeated
    from django.core.cache import cache

    assert cache.get(_key("failures", "anna@example.org", "203.0.113.7")) == 400


@pytest.mark.django_db(transaction=True)
def test_lockout__parallel_guesses_check_at_most_the_limit_of_passwords(settings, monkeypatch):
    """40 wrong guesses sent at once from 8 threads: exactly ZAALBOEK_LOCKOUT_FAILURES (10) passwords are checked, the
    other 30 are refused as locked without a check, and then even the right password is refused."""
    from allauth.account.auth_backends import AuthenticationBackend
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from tests.threads import run_concurrently

    user = UserFactory.resident()
    checked = []
    real = AuthenticationBackend._check_password  # where boeking.auth.LockoutBackend (allauth's) checks a password

    def counting(self, candidate, password):
        checked.append(password)
        return real(self, candidate, password)

    monkeypatch.setattr(AuthenticationBackend, "_check_password", counting)

    def guess():
        outcomes = []
        for attempt in range(5):
            request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
            user_or_none = authenticate(request, username=user.username, password=f"fout{attempt}")
            outcomes.append("locked" if getattr(request, "zaalboek_locked_out", False) else user_or_none)
        return outcomes

    results, errors = run_concurrently([guess] * 8)
    assert errors == [None] * 8
    outcomes = [o for batch in results for o in batch]
    assert len(checked) == 10
    assert outcomes.count(None) == 10 and outcomes.count("locked") == 30
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    assert authenticate(request, username=user.username, password="demo") is None  # locked: refused
    assert getattr(request, "zaalboek_locked_out", False)
