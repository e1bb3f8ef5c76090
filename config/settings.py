"""Ledgerlink settings: one file, every value from the environment.

Development runs on embedded defaults (SQLite, a filesystem Celery broker, a file cache); setting
``DATABASE_URL`` and ``REDIS_URL`` switches to PostgreSQL and Redis. ``.env.example`` lists every
variable. With ``DEBUG`` off (production), the app refuses to start without a real secret key and
encryption key.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Values already in the environment win over the file; ENV_FILE names another file, or none.
ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

# The development placeholders from .env.example are public; production must bring its own.
_PUBLIC_DEVELOPMENT_SECRETS = {
    "dev-only-secret-key-do-not-use-in-production",
    "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=",
}
SECRET_KEY = env.str("SECRET_KEY", default="")
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY in _PUBLIC_DEVELOPMENT_SECRETS:
        raise ImproperlyConfigured("SECRET_KEY must be set to a real secret when DEBUG is off.")
    if not ENCRYPTION_KEYS or _PUBLIC_DEVELOPMENT_SECRETS.intersection(ENCRYPTION_KEYS):
        raise ImproperlyConfigured("ENCRYPTION_KEYS must hold a real Fernet key when DEBUG is off.")
elif not SECRET_KEY or not ENCRYPTION_KEYS:
    raise ImproperlyConfigured("SECRET_KEY and ENCRYPTION_KEYS are required; see .env.example.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "portal.salesforce_login",
    "banking",
    "settlement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.framing.PartitionedCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.tenancy.TenantMiddleware",
    "portal.framing.FramingMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.tenancy.portal_context",
                "banking.notices.notices_context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'ledgerlink.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: a transaction takes the write lock when it begins,
    # so one that read first cannot fail with "database is locked" when it writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

# Redis, when given, is broker and cache; otherwise both live in files under var/ so that the
# web, worker and beat processes of `make run` share them without a server.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # The broker may be a Redis of its own (BROKER_URL), e.g. one with persistence (AOF) so that
    # queued jobs survive its restart while the cache's Redis need not persist anything.
    CELERY_BROKER_URL = env.str("BROKER_URL", default="") or REDIS_URL
    # A task taken by a worker that dies unacknowledged goes back to the queue after this long
    # (acks are late, so a killed worker loses nothing); longer than any job may take.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    # The filesystem transport expects its folders to exist; the embedded default must just work.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Scheduled retrievals and calendar payment runs start at the first beat after their time:
# within this many seconds.
CELERY_BEAT_SCHEDULE = {
    "start-due-jobs": {
        "task": "banking.tasks.start_due_jobs",
        "schedule": env.float("SCHEDULE_CHECK_SECONDS", default=60.0),
    }
}

# Sessions live in the cache, never in the database: they carry the user's Salesforce tokens
# (encrypted on top, see portal.credentials).
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Inside the Canvas frame the portal is a third-party site: its cookies must be SameSite=None,
# which browsers only accept together with Secure (localhost counts as secure).
SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# portal.framing sets X-Frame-Options and CSP frame-ancestors on every response itself.
SILENCED_SYSTEM_CHECKS = ["security.W002"]

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"

# Salesforce: the connected app (or external client app) Ledgerlink logs in with.
SALESFORCE_CONSUMER_KEY = env.str("SALESFORCE_CONSUMER_KEY", default="")
SALESFORCE_CONSUMER_SECRET = env.str("SALESFORCE_CONSUMER_SECRET", default="")
SALESFORCE_LOGIN_URL = env.str("SALESFORCE_LOGIN_URL", default="https://login.salesforce.com")
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="62.0")
SALESFORCE_TIMEOUT_SECONDS = env.float("SALESFORCE_TIMEOUT_SECONDS", default=15.0)
# The local Salesforce stand-in; empty in production, where only Salesforce hosts are accepted.
LOCAL_SALESFORCE_URL = env.str("LOCAL_SALESFORCE_URL", default="")
# Largest Canvas signed request accepted; real ones are a few kilobytes.
CANVAS_MAX_SIGNED_REQUEST_BYTES = env.int("CANVAS_MAX_SIGNED_REQUEST_BYTES", default=64 * 1024)
# Extra origins allowed to frame the Canvas pages for every tenant (tenants add their own).
FRAME_ANCESTORS_EXTRA = env.list("FRAME_ANCESTORS_EXTRA", default=[])
API_BEARER_CACHE_SECONDS = env.int("API_BEARER_CACHE_SECONDS", default=60)
# Largest bank file (statement, status report) accepted by the API and the commands.
BANK_FILE_MAX_BYTES = env.int("BANK_FILE_MAX_BYTES", default=200 * 1024 * 1024)

# Reviews larger than this many (statement item x open entry) pairs are computed in the worker,
# with a progress bar, instead of while the page waits.
REVIEW_INLINE_PAIRS = env.int("REVIEW_INLINE_PAIRS", default=20_000_000)
# Review runs in the worker read open entries through Bulk API 2.0 from this many on (fewer calls).
REVIEW_BULK_READ_FROM = env.int("REVIEW_BULK_READ_FROM", default=50_000)

# How long what passes through the cache may stay there, in seconds; business data among it
# (reviews, payment proposals) is encrypted, and nothing of it ever reaches the database.
JOB_PROGRESS_SECONDS = env.int("JOB_PROGRESS_SECONDS", default=60 * 60)
REVIEW_RESULT_SECONDS = env.int("REVIEW_RESULT_SECONDS", default=30 * 60)
REVIEW_RECENT_SECONDS = env.int("REVIEW_RECENT_SECONDS", default=120)
PAYMENT_PROPOSAL_SECONDS = env.int("PAYMENT_PROPOSAL_SECONDS", default=60 * 60)
# Once sending began, the proposal stays this long, so a retry after a crash can still record
# the Payments of what reached the bank (longer than the broker's visibility timeout).
PAYMENT_SENDING_SECONDS = env.int("PAYMENT_SENDING_SECONDS", default=24 * 60 * 60)

# EBICS: every bank is reached over verified TLS; a CA bundle file may be named for private CAs.
EBICS_CA_BUNDLE = env.str("EBICS_CA_BUNDLE", default="")
EBICS_CONNECT_TIMEOUT = env.float("EBICS_CONNECT_TIMEOUT", default=10.0)
EBICS_READ_TIMEOUT = env.float("EBICS_READ_TIMEOUT", default=120.0)
# Bytes of ciphertext per upload segment (a multiple of 48): the standard's maximum by default,
# smaller for links whose proxies cut long requests.
EBICS_UPLOAD_SEGMENT_BYTES = env.int("EBICS_UPLOAD_SEGMENT_BYTES", default=786_432)
# The local EBICS bank; empty in production, where only https bank URLs are accepted.
LOCAL_BANK_URL = env.str("LOCAL_BANK_URL", default="")

ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "portal.salesforce_login.adapter.AccountAdapter"
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "portal.salesforce_login.adapter.SalesforceLoginAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "salesforce": {
        "APPS": [
            {
                "client_id": SALESFORCE_CONSUMER_KEY,
                "secret": SALESFORCE_CONSUMER_SECRET,
                "key": LOCAL_SALESFORCE_URL or SALESFORCE_LOGIN_URL,
            }
        ],
        "SCOPE": ["id", "openid", "api", "refresh_token"],
        "OAUTH_PKCE_ENABLED": True,
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.authentication.ApiKeyAuthentication",
        "portal.authentication.SalesforceBearerAuthentication",
        "portal.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.permissions.IsTenantMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api_errors.handle_exception",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ledgerlink API",
    "DESCRIPTION": "Cash management for Salesforce: the portal's business processes, stateless.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# In development, serve straight from static/ without collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
