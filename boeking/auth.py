"""Login lockout: after repeated failed logins for one username from one address, that pair is locked for a while.

`LockoutBackend` replaces Django's ModelBackend (settings.AUTHENTICATION_BACKENDS), so every password login goes
through it: the admin's login form, the API's token login (`POST /api/v1/auth/token/`) and the site's login page.
Failures are counted per username + client IP in the default cache (`ZAALBOEK_LOCKOUT_FAILURES` failures within
`ZAALBOEK_LOCKOUT_WINDOW` seconds lock the pair for `ZAALBOEK_LOCKOUT_SECONDS`; 10, 15 and 15 minutes by default).
While locked, even the right password is refused. A successful login clears the count.

The cache must be shared by all app servers in production (see config/settings/production.py: a database cache
table, or Redis); with the per-process local-memory cache each worker would count on its own.
"""

from __future__ import annotations

import hashlib
import logging

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


def record_failure(username: str, ip: str) -> int:
    """Count one failed login; lock the pair when the limit is reached. Returns the failures in the window."""
    limit, window, lock_seconds = _limits()
    key = _key("failures", username, ip)
    cache.add(key, 0, window)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        failures = 1
    if failures >= limit:
        cache.set(_key("locked", username, ip), 1, lock_seconds)
        cache.delete(key)
        logger.warning("login locked for %s seconds after %s failures (username hash %s, ip %s)", lock_seconds,
                       failures, _key("locked", username, ip)[-8:], ip)
    return failures


def clear_failures(username: str, ip: str) -> None:
    cache.delete(_key("failures", username, ip))


class LockoutBackend(ModelBackend):
    """Django's username/password backend with a lockout per username + IP."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        username = str(username or "")
        ip = client_ip(request)
        if is_locked(username, ip):
            if request is not None:
                request.zaalboek_locked_out = True  # views may say so (429) instead of "wrong password"
            # PermissionDenied stops django.contrib.auth.authenticate() from trying any other backend.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if password is not None:  # a login attempt, not another backend's kind of credentials
                record_failure(username, ip)
        else:
            clear_failures(username, ip)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
