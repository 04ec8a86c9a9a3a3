"""Login lockout: after repeated failed logins for one username from one address, that pair is locked for a while.

`LockoutBackend` is the one backend (settings.AUTHENTICATION_BACKENDS), so every password login goes through it: the
site's login page (allauth's, which passes `email`), the admin (whose login page sends people to the site's, for the
two-factor step) and the API's token login (`POST /api/v1/auth/token/`, which passes `username`). It is allauth's
e-mail backend (`allauth.account.auth_backends.AuthenticationBackend`) with the lockout in front, and falls back to the
username for accounts whose username is not their address (an administrator made with createsuperuser).
allauth's own rate limits (settings.ACCOUNT_RATE_LIMITS, `login_failed`) count too; this lockout is the one that
also holds for the API and counts parallel guesses exactly.
Failures are counted per username + client IP in the default cache (`ZAALBOEK_LOCKOUT_FAILURES` failures within
`ZAALBOEK_LOCKOUT_WINDOW` seconds lock the pair for `ZAALBOEK_LOCKOUT_SECONDS`; 10, 15 and 15 minutes by default).
While locked, even the right password is refused. A successful login clears the count.

Exact under parallel guesses: each password attempt is counted *before* the password is checked, with one atomic
increment (`cache.incr`: Redis's INCRBY in production, the local-memory cache's lock in development), so of any
number of guesses sent at once at most `ZAALBOEK_LOCKOUT_FAILURES` are ever checked; the rest are refused as locked.

The cache must be shared by all app servers in production: Redis (config/settings/production.py refuses to start
without it, unless one single process is declared); with a per-process cache each worker would count on its own.
"""

from __future__ import annotations

import hashlib
import logging

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

logger = logging.getLogger("zaalboek.security")


def _limits() -> tuple[int, int, int]:
    return (getattr(settings, "ZAALBOEK_LOCKOUT_FAILURES", 10), getattr(settings, "ZAALBOEK_LOCKOUT_WINDOW", 15 * 60),
            getattr(settings, "ZAALBOEK_LOCKOUT_SECONDS", 15 * 60))


def client_ip(request) -> str:
    """The caller's address: the connection's (REMOTE_ADDR) with the default `ZAALBOEK_TRUSTED_PROXIES` = 0, where any
    X-Forwarded-For is the client's own claim and ignored; behind N trusted proxies, the address the outermost one
    saw (the N-th entry from the right). See docs/deploy.md, "Client addresses"."""
    if request is None:
        return "-"
    meta = getattr(request, "META", {})
    proxies = getattr(settings, "ZAALBOEK_TRUSTED_PROXIES", 0)
    if proxies:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return meta.get("REMOTE_ADDR") or "-"


def _key(kind: str, username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\0{ip}".encode()).hexdigest()[:32]
    return f"zaalboek:lockout:{kind}:{digest}"


def is_locked(username: str, ip: str) -> bool:
    return cache.get(_key("locked", username, ip)) is not None


def count_attempt(username: str, ip: str) -> int:
    """Count one password attempt for the pair, atomically; returns the attempts in the window, this one included."""
    _, window, _ = _limits()
    key = _key("failures", username, ip)
    cache.add(key, 0, window)  # Redis: SET NX EX, atomic; the window runs from the first attempt
    try:
        attempts = cache.incr(key)  # Redis: INCRBY, atomic
    except ValueError:  # expired between add and incr
        cache.add(key, 0, window)
        attempts = cache.incr(key)
    if attempts == 1:
        cache.touch(key, window)  # a key Redis's INCRBY made anew (it expired just before) must expire too
    return attempts


def lock(username: str, ip: str, attempts: int) -> None:
    """Lock the pair for ZAALBOEK_LOCKOUT_SECONDS. Its count is kept as long (never reset to zero here, or a guess
    in flight would start again at one), so both end together."""
    _, _, lock_seconds = _limits()
    if cache.add(_key("locked", username, ip), 1, lock_seconds):
        cache.touch(_key("failures", username, ip), lock_seconds)
        logger.warning("login locked for %s seconds after %s failures (username hash %s, ip %s)", lock_seconds,
                       attempts, _key("locked", username, ip)[-8:], ip)


def record_failure(username: str, ip: str) -> int:
    """Count one failed login; lock the pair when the limit is reached. Returns the failures in the window."""
    attempts = count_attempt(username, ip)
    if attempts >= _limits()[0]:
        lock(username, ip, attempts)
    return attempts


def clear_failures(username: str, ip: str) -> None:
    cache.delete(_key("failures", username, ip))


class LockoutBackend(AuthenticationBackend):
    """allauth's e-mail/password backend (username as fallback) with a lockout per login name + IP. The login name
    is what was typed: `email` from the site's login page, `username` from the admin and the API."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("email") or kwargs.get(self._username_field(), "")
        username = str(username or "")
        ip = client_ip(request)
        if is_locked(username, ip):
            if request is not None:
                request.zaalboek_locked_out = True  # views may say so (429) instead of "wrong password"
            # PermissionDenied stops django.contrib.auth.authenticate() from trying any other backend.
            raise PermissionDenied("too many failed logins")
        attempt = None
        if password is not None:  # a login attempt, not another backend's kind of credentials
            # Counted before the password is checked: guesses sent in parallel each get their own number.
            attempt = count_attempt(username, ip)
            if attempt > _limits()[0]:
                lock(username, ip, attempt)
                if request is not None:
                    request.zaalboek_locked_out = True
                raise PermissionDenied("too many failed logins")
        user = None
        if password:
            user = super().authenticate(request, username=username, password=password)
            if user is None and username and not getattr(self, "_did_check_password", False):
                # Not an e-mail address on file: the username itself (e.g. `admin` made with createsuperuser).
                user = ModelBackend.authenticate(self, request, username=username, password=password)
        if user is None:
            if attempt is not None and attempt >= _limits()[0]:
                lock(username, ip, attempt)
        else:
            clear_failures(username, ip)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
