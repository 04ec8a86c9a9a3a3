"""Production: PostgreSQL, secrets from the environment only, HTTPS everywhere. Refuses to start when misconfigured.

Required environment: SECRET_KEY (random, ≥ 50 characters), DATABASE_URL (postgres://…), ALLOWED_HOSTS, EMAIL_HOST.
Required too: REDIS_URL (the shared cache), unless ZAALBOEK_LOCAL_CACHE=1 says one single process is meant.
Optional: CONN_MAX_AGE (60), SECURE_SSL_REDIRECT (on), SECURE_HSTS_SECONDS (1 year), ZAALBOEK_TRUSTED_PROXIES (0: set it behind a proxy).
See docs/deploy.md. `manage.py check --deploy --settings=config.settings.production` is clean.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, MIDDLEWARE, env_bool

DEFAULT_SECRET_KEYS = {"", "insecure-local-development-key-do-not-use-in-production", "change-me", "changeme", "secret"}

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG (or set DEBUG=0).")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if SECRET_KEY in DEFAULT_SECRET_KEYS or SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50 \
        or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random value of at least 50 characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. The default development key is refused.")
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]  # key rotation
if "DATABASE_URL" not in os.environ or DATABASES["default"]["ENGINE"] != "config.postgresql":
    raise ImproperlyConfigured("Production needs PostgreSQL (DATABASE_URL=postgres://…): it guards double bookings.")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host name(s), comma-separated (no '*').")
if not os.environ.get("EMAIL_HOST"):
    raise ImproperlyConfigured("Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD): Zaalboek mails "
                               "bookers, boards and the municipality.")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Persistent connections, checked before reuse: a connection the database dropped is replaced, not used.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# One cache shared by all app servers, in Redis: login lockout (boeking/auth.py, an atomic INCR) and API throttling
# count across workers and machines, and an anonymous GET costs no SQL for its throttle. Without REDIS_URL production
# refuses to start, unless ZAALBOEK_LOCAL_CACHE=1 says that one single process is meant (each process would count on
# its own: with several gunicorn workers a guesser gets the lockout's limit once per worker).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"],
                          "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "zaalboek"),
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
elif env_bool("ZAALBOEK_LOCAL_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zaalboek"}}
else:
    raise ImproperlyConfigured("Set REDIS_URL (redis://host:6379/0): the login lockout and the API throttles must count "
                               "in one cache shared by every app server. Only for a single process, set "
                               "ZAALBOEK_LOCAL_CACHE=1 to use a local in-memory cache instead.")

# HTTPS behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
# ZAALBOEK_TRUSTED_PROXIES (and with it REST_FRAMEWORK's NUM_PROXIES) comes from base.py unchanged: 0 unless set, so
# a server that clients reach directly cannot be fooled by a forged X-Forwarded-For. Behind a load balancer set it to
# the number of proxies in front (docs/deploy.md, "Client addresses"), or the login lockout counts the proxy's address.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's health check speaks plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # links in the account mails (verification, reset)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy (SECURE_CSP and its middleware) comes from base.py unchanged; never loosened here.
if "django.middleware.csp.ContentSecurityPolicyMiddleware" not in MIDDLEWARE:
    raise ImproperlyConfigured("The CSP middleware is missing from MIDDLEWARE.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# base.py's logging (every handler masks private calendar tokens), with timestamps.
LOGGING = {
    **LOGGING,
    "formatters": {**LOGGING["formatters"], "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {**LOGGING["handlers"], "console": {**LOGGING["handlers"]["console"], "formatter": "plain"}},
    "loggers": {**LOGGING["loggers"], "django.security": {"level": "WARNING"}, "zaalboek.security": {"level": "WARNING"}},
}
