"""Production: PostgreSQL, secrets from the environment only, HTTPS everywhere. Refuses to start when misconfigured.

Required environment: SECRET_KEY (random, ≥ 50 characters), DATABASE_URL (postgres://…), ALLOWED_HOSTS, EMAIL_HOST.
Optional: CONN_MAX_AGE (60), REDIS_URL (shared cache; default: the database cache table `zaalboek_cache`, made by
`manage.py createcachetable`), SECURE_SSL_REDIRECT (on), SECURE_HSTS_SECONDS (1 year), ZAALBOEK_TRUSTED_PROXIES (0: set it behind a proxy).
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
if "DATABASE_URL" not in os.environ or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
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

# One cache shared by all app servers: login lockout (boeking/auth.py) and API throttling count across workers.
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "zaalboek_cache"}}

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
