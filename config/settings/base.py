"""Settings shared by every environment. Values come from the environment; defaults are safe for local use."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "recurrence",
    "allauth",  # accounts (issue 17): sign-up, verification, reset, two-factor; boeking.accounts adapts it
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",  # before boeking.jobs: its admin for task results is replaced by the jobs app's
    "boeking",
    "boeking.jobs",
    "boeking.invoicing",
    "boeking.accounts",
    "api",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "boeking.accounts.middleware.StaffTwoFactorMiddleware",  # municipality and admins: TOTP before anything else
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.errors.OwnErrorPagesMiddleware",  # Zaalboek's 404 page under DEBUG (make run) too (issue 20)
]
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # a refused form: Zaalboek's 403 page in the visitor's language

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "frontend.context_processors.navigation",
                "boeking.accounts.context_processors.account",
            ],
        },
    },
]

# Embedded SQLite by default (make run); PostgreSQL when DATABASE_URL says so (production, CI).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# The availability statement is prepared on the server (config/postgresql): off only behind a PgBouncer in
# transaction mode that cannot keep prepared statements (older than 1.21, or max_prepared_statements = 0).
ZAALBOEK_PREPARED_STATEMENTS = env_bool("ZAALBOEK_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that asks the socket instead of running `SELECT 1` (config/postgresql).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: every transaction takes the write lock at BEGIN, so check-then-insert is serialised.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Username/password logins (admin, API token, site) with a lockout per username + IP (boeking/auth.py): allauth's
# e-mail backend with Zaalboek's lockout in front.
AUTHENTICATION_BACKENDS = ["boeking.auth.LockoutBackend"]
ZAALBOEK_LOCKOUT_FAILURES = int(os.environ.get("ZAALBOEK_LOCKOUT_FAILURES", "10"))
ZAALBOEK_LOCKOUT_WINDOW = int(os.environ.get("ZAALBOEK_LOCKOUT_WINDOW", "900"))  # seconds
ZAALBOEK_LOCKOUT_SECONDS = int(os.environ.get("ZAALBOEK_LOCKOUT_SECONDS", "900"))
ZAALBOEK_TRUSTED_PROXIES = int(os.environ.get("ZAALBOEK_TRUSTED_PROXIES", "0"))  # X-Forwarded-For hops to trust

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [
    BASE_DIR / "locale",  # the web pages' English (issue 7)
    BASE_DIR / "boeking" / "locale",
    # Formal Dutch ("u") for allauth: here, not only as the app's own locale dir, because an app's catalogue loses to
    # those of apps listed before it in INSTALLED_APPS (allauth's informal nl).
    BASE_DIR / "boeking" / "accounts" / "locale",
]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Web pages (issue 7): the frontend's own login page (allauth's, issue 17); where each role lands after login is
# boeking.accounts.adapter.AccountAdapter.get_login_redirect_url (resident /mijn/, board /bestuur/, municipality
# /gemeente/).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mijn"
LOGOUT_REDIRECT_URL = "home"

# Accounts (issue 17, boeking/accounts): django-allauth. Log in with the e-mail address; sign-up verifies it (a resident
# may look around at once but requests a booking only once it is verified: boeking.access.can_book).
ACCOUNT_ADAPTER = "boeking.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "boeking.accounts.forms.ResidentSignupForm", "login": "boeking.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"  # filled with the e-mail address (the adapter), as before
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners do not confirm for you
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one is verified before it replaces the old
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True  # a mail when the password, the address or two-factor changes
ACCOUNT_SESSION_REMEMBER = None  # ask ("Onthoud mij")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Zaalboek: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Rate limits (allauth's, tuned; per client address "ip", per account "user", per e-mail address "key"); over the
# limit the page answers 429 (frontend/templates/429.html). The sign-up form keeps its own ZAALBOEK_SIGNUP_LIMIT too.
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("RATE_LOGIN", "30/m/ip"),
    # Per address only: failures per account are boeking.auth's lockout (per account AND address), so a guesser
    # elsewhere cannot lock the real person out of their account.
    "login_failed": os.environ.get("RATE_LOGIN_FAILED", "10/m/ip"),
    "signup": os.environ.get("RATE_SIGNUP", "10/h/ip"),
    "reset_password": os.environ.get("RATE_RESET_PASSWORD", "10/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": os.environ.get("RATE_CONFIRM_EMAIL", "1/3m/key"),  # resend the verification mail
    "change_password": "5/m/user",
    "manage_email": "10/h/user",
    "reauthenticate": "10/m/user",
}
# Two-factor (allauth.mfa): TOTP apps and recovery codes, required for municipality officers and admins
# (boeking.accounts.middleware), offered to everyone else on /account/2fa/.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {"authenticate": "boeking.accounts.forms.MFAAuthenticateForm",
             "activate_totp": "boeking.accounts.forms.ActivateTOTPForm"}
MFA_TOTP_ISSUER = "Zaalboek"
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_TOLERANCE = 1  # one 30-second step either way: a phone clock a little off still works
ZAALBOEK_STAFF_MFA_REQUIRED = env_bool("ZAALBOEK_STAFF_MFA_REQUIRED", True)
# API tokens (boeking.accounts.models.ApiToken): a token unused this many days stops working (401).
ZAALBOEK_TOKEN_IDLE_DAYS = int(os.environ.get("ZAALBOEK_TOKEN_IDLE_DAYS", "30"))

# Content-Security-Policy (Django's built-in middleware): every asset from this app, no inline scripts at all.
# Style nonces: the <style> element FullCalendar 6 fills at runtime, and the API docs' (Swagger UI) page style. The payment page adds
# https://js.stripe.com for Stripe only (frontend.account.booking_pay).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],  # no inline scripts anywhere (the API docs load theirs as a file: split view)
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],  # FullCalendar's icon font is a data: URI
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]

# Django 6.1 mailers. Console by default (mail is printed by `make run`); SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Zaalboek <noreply@zaalboek.example>")

# Side effects leave the request as tasks (Django's Tasks framework; boeking/jobs): mail, reminders and scheduled
# jobs. The database backend (django-tasks-db) writes each job in the same transaction as the change it follows, so a
# change and its mail are saved together or not at all; `manage.py worker` runs them (docs/deploy.md, "Worker").
# Swappable like any Django setting: ZAALBOEK_TASKS_BACKEND names another django.tasks backend (the tests run jobs at
# once with boeking.jobs.backends.ImmediateBackend — Django's would let a job that broke the caller's transaction pass
# silently). A failed job is tried ZAALBOEK_JOB_MAX_ATTEMPTS times in all, the n-th retry after
# ZAALBOEK_JOB_RETRY_SECONDS × 4^(n-1) (±20 %, at most 6 hours); then it stays failed in the admin ("Taken").
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ZAALBOEK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
ZAALBOEK_JOB_MAX_ATTEMPTS = int(os.environ.get("ZAALBOEK_JOB_MAX_ATTEMPTS", "6"))
ZAALBOEK_JOB_RETRY_SECONDS = float(os.environ.get("ZAALBOEK_JOB_RETRY_SECONDS", "60"))
# A job still "running" this long after it started lost its worker (killed, crashed): it is tried again.
ZAALBOEK_JOB_STALE_SECONDS = float(os.environ.get("ZAALBOEK_JOB_STALE_SECONDS", "600"))
# When the scheduled jobs run (cron syntax: minute hour day month weekday, Europe/Amsterdam); boeking/jobs/schedule.py.
ZAALBOEK_SCHEDULE = {
    "expire_bookings": "*/15 * * * *",
    "reminders": "5 * * * *",
    "reconcile_payments": "35 6 * * *",  # daily: a difference is mailed to ADMINS once a day, not every hour
    "requeue_stale_jobs": "*/5 * * * *",
    "anonymise_personal_data": "0 3 * * *",
    "prune_jobs": "30 3 * * *",
    "prepare_search": "45 3 * * *",  # after prune_jobs: the next two weeks' search verdicts, computed at night
}
# Reminders (boeking/jobs/reminders.py), each can be turned off per house in the admin ("Herinneringen per huis").
ZAALBOEK_REMINDER_PAYMENT_HOURS = int(os.environ.get("ZAALBOEK_REMINDER_PAYMENT_HOURS", "48"))  # before the deadline
ZAALBOEK_REMINDER_EVENT_HOURS = int(os.environ.get("ZAALBOEK_REMINDER_EVENT_HOURS", "48"))  # before the start
ZAALBOEK_REMINDER_DECISION_HOURS = int(os.environ.get("ZAALBOEK_REMINDER_DECISION_HOURS", "24"))  # before expiry
ZAALBOEK_REMINDER_DEPOSIT_HOURS = int(os.environ.get("ZAALBOEK_REMINDER_DEPOSIT_HOURS", "24"))  # after the end

# Zaalboek
ZAALBOEK_MUNICIPALITY_NAME = os.environ.get("ZAALBOEK_MUNICIPALITY_NAME", "Maastricht")
ZAALBOEK_MELDING_EMAIL = os.environ.get("ZAALBOEK_MELDING_EMAIL", "meldingen@gemeente.example")
ZAALBOEK_SITE_URL = os.environ.get("ZAALBOEK_SITE_URL", "http://127.0.0.1:8000")

# Payments (SPEC §5). `offline` unless both Stripe secrets are set; a house may override (House.payment_mode).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # e.g. a local fake (localstripe) in tests
# Sign-up attempts per client address (boeking.auth.client_ip) within the window, counted in the shared cache;
# over the limit the sign-up page answers 429 (frontend/account.py).
ZAALBOEK_SIGNUP_LIMIT = int(os.environ.get("ZAALBOEK_SIGNUP_LIMIT", "5"))
ZAALBOEK_SIGNUP_WINDOW = int(os.environ.get("ZAALBOEK_SIGNUP_WINDOW", "3600"))  # seconds
# Zaalboek's own marker in every PaymentIntent's metadata (`metadata[zaalboek]`): a webhook event for an intent
# without it (another app, or another installation on the same Stripe account) is ignored. One value per installation.
ZAALBOEK_STRIPE_MARKER = os.environ.get("ZAALBOEK_STRIPE_MARKER", "zaalboek")
ZAALBOEK_PAYMENT_MODE = "stripe" if STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET else "offline"

# Every handler masks private calendar tokens (config/logging.py): Django's own loggers ("django": request errors,
# CSRF and other security warnings; "django.server": runserver's access lines) get handlers of ours, as Django's
# defaults have no such filter. "django" propagates to the root's console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_private_feed_tokens": {"()": "config.logging.MaskPrivateFeedTokens"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_private_feed_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["mask_private_feed_tokens"]},
        "mail_admins": {"level": "ERROR", "class": "config.logging.MaskingAdminEmailHandler",
                        "filters": ["mask_private_feed_tokens", "require_debug_false"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "apscheduler": {"level": "WARNING"},  # the schedule's own start-up chatter; boeking.jobs logs what runs
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.ExpiringTokenAuthentication",  # `Token <key>`, idle lifetime (boeking.accounts)
    ],
    # Deny by default: public endpoints say AllowAny where they are declared.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # JSON only (SPEC §6), bounded in size and nesting (api/parsers.py): a form-encoded or multipart body is a 415, and
    # the schema advertises application/json alone. The Stripe webhook reads its raw body and needs no parser.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # Throttles identify anonymous callers by address: trust as many X-Forwarded-For hops as the lockout does
    # (0: the connecting address), so a forged header cannot reset the login limit.
    "NUM_PROXIES": ZAALBOEK_TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("THROTTLE_AUTH", "10/min"),
        "booking_create": os.environ.get("THROTTLE_BOOKING_CREATE", "20/hour"),
        "anon": os.environ.get("THROTTLE_ANON", "300/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
    },
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Zaalboek API",
    "DESCRIPTION": "Rooms of the community houses of the municipality: availability, bookings, caps. "
    "Errors are `{code, detail, rules}`; datetimes are ISO 8601 with offset (Europe/Amsterdam).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BookingKindEnum": "boeking.models.BookingKind",
        "BookingStatusEnum": "boeking.models.BookingStatus",
    },
}
