"""Delight Desk settings: one file, every difference between dev, test and prod driven by the environment.

Embedded defaults (SQLite, a filesystem broker, .eml files for mail) let `make run` work on a machine
with nothing but Python; DATABASE_URL, REDIS_URL and EMAIL_URL switch to the real services.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Under pytest the test client speaks plain HTTP and needs a throwaway key; nothing else changes.
TESTING = env.bool("DJANGO_TESTING", default="pytest" in sys.modules)

_DEV_SECRET = "django-insecure-dev-only-never-use-in-production"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if (DEBUG or TESTING) else "")
if not SECRET_KEY or (not DEBUG and not TESTING and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address of the web server: the base of every link the desk sends, whichever process renders it.
# Never derived from PORT: honcho gives each process of `make run` its own PORT (the worker, which sends the
# mail, gets the web server's plus 100). DESK_PORT is the web server's (the Makefile exports it to all three).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('DESK_PORT', default=8000)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_ratelimit",
    "accounts",
    "outbox",
    "tickets",
    "feedback",
    "escalation",
    "reports",  # above every app: reads them all, nothing imports it
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused login into the lockout page
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.navigation",
                "accounts.context_processors.navigation",
                "tickets.context_processors.navigation",
                "feedback.context_processors.navigation",
                "escalation.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file by default (the embedded default), PostgreSQL when DATABASE_URL says so.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server, the worker and beat share one file
    # without "database is locked" on concurrent writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery's broker and Django's cache when REDIS_URL is set.
REDIS_URL = env.str("REDIS_URL", default="")


def _redis_db_of_this_test_worker(url: str, worker: str) -> str:
    """Under `pytest -n` (pytest-xdist) each worker process gets its own Redis database: the base index of
    REDIS_URL plus the worker's number (gw0 -> base, gw1 -> base + 1). The suite flushes its cache db between
    tests, and workers sharing a Celery broker would consume each other's tasks."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = base + int(worker.removeprefix("gw"))
    if index > 15:
        raise ImproperlyConfigured(
            f"REDIS_URL names database {base}; test worker {worker} would need database {index}, past Redis's "
            "default 16 (0-15): use a lower database in REDIS_URL or fewer workers (pytest -n)."
        )
    return parts._replace(path=f"/{index}").geturl()


if REDIS_URL and TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
    REDIS_URL = _redis_db_of_this_test_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"])
if REDIS_URL:
    # helpdesk/cache.py: Redis down reads as a miss, not a 500; a Redis that does not answer costs 2 s at most.
    CACHES = {"default": {"BACKEND": "helpdesk.cache.ForgivingRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "delightdesk"}}

# django-ratelimit lists Django's own RedisCache as "not officially supported" (W001) although its
# INCR is atomic; without Redis the embedded LocMem cache is per process (E003), which is what a
# single `runserver` needs. Production sets REDIS_URL (see README).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])
RATELIMIT_VIEW = "helpdesk.views.rate_limited"
# While the cache is unreachable, count nothing rather than refuse everyone (a customer's request is never
# turned away for our outage); logins stay locked by django-axes, whose counts live in the database.
RATELIMIT_FAIL_OPEN = True

# --- Celery
# Fail fast when Redis is down: the outbox rows are swept again, a request must not hang on it. One
# immediate retry (kombu waits `interval_start`, 2 s by default, before it: a stalled request per enqueue).
# visibility_timeout must exceed the longest retry countdown (the weekly report backs off up to
# 3600 s), or Redis redelivers the waiting task again and again (kombu issue 337). Delays that
# matter are due times on outbox rows, so a killed worker's unacked task is not waited for.
REDIS_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5,
                                  "max_retries": 1, "interval_start": 0}
CELERY_BROKER_URL = REDIS_URL or "ddfilesystem://"  # helpdesk/broker.py: atomic writes
if not REDIS_URL:
    # Each test run gets its own folder (exported, so subprocesses share it): parallel runs on one
    # machine must not consume each other's tasks, nor a developer's. Under `pytest -n` each worker
    # process gets a folder of its own inside the run's (the workers inherit the controller's variable).
    if TESTING and "CELERY_FILESYSTEM_BROKER_DIR" not in os.environ:
        os.environ["CELERY_FILESYSTEM_BROKER_DIR"] = str(VAR_DIR / "test-runs" / str(os.getpid()))
    _test_worker = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
    _run_dir = Path(os.environ.get("CELERY_FILESYSTEM_BROKER_DIR", ""))
    if _test_worker and _run_dir.name != _test_worker:
        os.environ["CELERY_FILESYSTEM_BROKER_DIR"] = str(_run_dir / _test_worker)
    _broker_dir = Path(env.str("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "broker")))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # broadcast (purge, ping) state, not the cwd
        "store_processed": False,
    }
    _results_dir = _broker_dir / "results"
    _results_dir.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{_results_dir}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
    CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False  # never eager in the web process; tests that want it say so
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}  # each app adds its own in <app>/beat.py (see helpdesk/celery.py)

# --- Email
EMAIL_FILE_PATH = VAR_DIR / "mail"
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    _email = env.email_url_config(_email_url)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "helpdesk.mail.EmlFileBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Delight Desk <support@delightdesk.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Auth
if TESTING:  # PBKDF2's deliberate slowness costs seconds per user in factories; tests need no secrecy
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: store UTC, show in the user's time zone and language.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("et", _("Estonian")), ("nl", _("Dutch")), ("es", _("Spanish")),
             ("fi", _("Finnish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats Django's locales lack (Estonian has no date-time formats): helpdesk/formats/<language>/formats.py.
FORMAT_MODULE_PATH = "helpdesk.formats"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING  # serve from static/ directly until collectstatic has run
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- REST API
REST_FRAMEWORK = {
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token` everywhere (the first
    # class names the challenge); the browser's session (and Swagger UI) still authenticates.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.DeskPagination",  # also refuses unknown query parameters
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "helpdesk.schema.DeskAutoSchema",  # every operation documents its errors
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.throttling.AnonRateThrottle", "helpdesk.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Delight Desk API",
    "DESCRIPTION": "Tickets, satisfaction surveys, escalations and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR",  # no CDN
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON (the browsable API's forms still work); an operation that takes
    # files (a message's attachments) documents multipart/form-data itself.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}

# --- Security headers. Production values follow from DEBUG off; README documents the variables.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not (DEBUG or TESTING))
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"quiet_sweeps": {"()": "helpdesk.log_filters.QuietSweeps"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Beat's two-second survey sweep would write three INFO lines a run; idle sweeps go to DEBUG.
        **{name: {"filters": ["quiet_sweeps"]} for name in ("celery.beat", "celery.worker.strategy",
                                                            "celery.app.trace")},
    },
}

# --- Product settings (each overridable from the environment)
TICKET_REFERENCE_PREFIX = env.str("TICKET_REFERENCE_PREFIX", default="DD")
TICKET_LINK_MAX_AGE_DAYS = env.int("TICKET_LINK_MAX_AGE_DAYS", default=180)
TICKET_AUTO_CLOSE_DAYS = env.int("TICKET_AUTO_CLOSE_DAYS", default=7)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)  # each file
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)  # per submission
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_BYTES", default=25 * 1024 * 1024)  # per submission
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="10/h")
SURVEY_DELAY_SECONDS = env.int("SURVEY_DELAY_SECONDS", default=3600)
SURVEY_TOKEN_MAX_AGE_DAYS = env.int("SURVEY_TOKEN_MAX_AGE_DAYS", default=30)
SURVEY_THROTTLE_DAYS = env.int("SURVEY_THROTTLE_DAYS", default=7)
# The outbox (everything the desk sends): attempts before a row is `failed`, the first retry's wait
# (doubled after each failure), and how old a claim must be before another worker takes it over.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_CLAIM_STALE_SECONDS = env.int("OUTBOX_CLAIM_STALE_SECONDS", default=300)
RELATIONSHIP_SURVEYS_PER_YEAR = env.int("RELATIONSHIP_SURVEYS_PER_YEAR", default=2)
REPORT_MIN_RESPONSES = env.int("REPORT_MIN_RESPONSES", default=5)
# Reports read the pre-aggregated rollup tables (feedback/rollup.py); False reads the rating rows themselves.
REPORT_ROLLUPS = env.bool("REPORT_ROLLUPS", default=True)
CHURN_PROBABILITY = env.float("CHURN_PROBABILITY", default=0.95)
REVENUE_CURRENCY = env.str("REVENUE_CURRENCY", default="EUR").strip().upper()  # customers' spend, revenue at risk
SHOW_SENT_MAIL = DEBUG and EMAIL_BACKEND == "helpdesk.mail.EmlFileBackend"
# Email intake: an IMAP mailbox polled by beat (imaps://user:pass@host/INBOX); unset = no polling.
IMAP_URL = env.str("IMAP_URL", default="")
# Addresses that are the desk's own (besides DEFAULT_FROM_EMAIL): mail from them is a loop, not a ticket.
DESK_EMAIL_ADDRESSES = env.list("DESK_EMAIL_ADDRESSES", default=[])
# Authentication-Results headers are believed only from these authserv-ids (the receiving MTA's own, e.g.
# "mx.example.com"); a dmarc or spf fail there holds the email for review. Empty: no such header is read.
EMAIL_TRUSTED_AUTHSERV_IDS = env.list("EMAIL_TRUSTED_AUTHSERV_IDS", default=[])
# The largest email taken in (command and IMAP poller); larger ones are refused with their headers kept.
EMAIL_MAX_BYTES = env.int("EMAIL_MAX_BYTES", default=50 * 1024 * 1024)
# The longest message text on every channel: web form, follow-page reply, agent composer, API and email
# (email keeps the text up to this length and the full original as an attached .eml).
MESSAGE_MAX_LENGTH = env.int("MESSAGE_MAX_LENGTH", default=20_000)
FOLLOW_REPLY_RATE = env.str("FOLLOW_REPLY_RATE", default="30/h")

# --- Abuse limits: who the client is, failed logins, API throttles (helpdesk/client_ip.py,
# helpdesk/login_throttle.py, helpdesk/throttling.py; docs in README "Configuration").
# Reverse proxies in front of the desk that append to X-Forwarded-For; 0 = the header is never read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "helpdesk.client_ip.client_ip"
AUTHENTICATION_BACKENDS = [
    "helpdesk.login_throttle.LoginThrottleBackend",  # refuses locked accounts and addresses first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account (from any address) and per address
AXES_CLIENT_IP_CALLABLE = "helpdesk.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "helpdesk.login_throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A success must not wipe the failures: an attacker with an account of their own could log in to it
# between guesses and reset the count of the address they share with their victim's attempts.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False  # no start-up banner on every manage.py command; failures and lockouts are still logged
# Attached images are decoded and written anew (tickets/attachments.py); larger ones are refused.
ATTACHMENT_MAX_IMAGE_PIXELS = env.int("ATTACHMENT_MAX_IMAGE_PIXELS", default=50_000_000)
