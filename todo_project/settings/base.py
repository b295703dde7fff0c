"""Settings shared by every environment.

This is the one module that reads the environment (and, in development, a ``.env``
file beside ``manage.py``). The other settings modules only adjust what it read.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .database import database_settings
from .environment import BASE_DIR, env_bool, env_choice, env_int, env_list, env_str
from .logging_config import logging_config
from .openapi import SPECTACULAR_SETTINGS  # noqa: F401 (a setting)

# --- Core -----------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Behind a proxy that rewrites Host, absolute URLs (Location, Link) need the original one.
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)

# HTTPS hardening, read here and applied by the production settings only (development
# serves plain HTTP on loopback).
HTTPS_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
HTTPS_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
HTTPS_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
HTTPS_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # A one-way stack: identity, then tasks, then what knows both.
    "accounts",
    "tasks",
    "userdata",
]

MIDDLEWARE = [
    # Outermost, so its timing covers every other middleware (and it sees the CORS headers).
    "todo_project.request_log.RequestLogMiddleware",
    "todo_project.middleware.HeadWithoutBodyMiddleware",
    "todo_project.middleware.RequestIDMiddleware",
    "todo_project.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "todo_project.middleware.PrivateApiResponsesMiddleware",
    # Inside CORS, so the browser lets the frontend read its 411/413/431.
    "todo_project.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: sees the rendered response first (todo_project/response_cycles.py).
    "todo_project.response_cycles.ResponseCycleMiddleware",
]

ROOT_URLCONF = "todo_project.urls"
WSGI_APPLICATION = "todo_project.wsgi.application"
# The API routes accept paths with and without a trailing slash themselves; Django must
# not redirect (a redirect would drop a POST body).
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

# Seconds one database wait (query, fetch, commit) may take while a request is served
# before its connection is cut and the request answered 503 (0: no bound). Longer than the
# statement timeout, so a live server cancels a slow query first; the deadline is for a
# server that does not answer at all (frozen, partitioned). See todo_project/db_deadline.py.
DATABASE_QUERY_DEADLINE = env_int("DATABASE_QUERY_DEADLINE", 2)
# After a connection failure, seconds during which a process answers 503 at once instead of
# waiting for the database again (0: always wait). See todo_project/db_outage.py.
DATABASE_OUTAGE_COOLDOWN = env_int("DATABASE_OUTAGE_COOLDOWN", 2)
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": database_settings(
        url=DATABASE_URL,
        sqlite_path=env_str("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
        sqlite_synchronous=env_choice("SQLITE_SYNCHRONOUS", ("normal", "full", "extra"), "normal"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        connect_timeout=env_int("DATABASE_CONNECT_TIMEOUT", 2),
        statement_timeout=env_int("DATABASE_STATEMENT_TIMEOUT", 1),
        pool=env_bool("DATABASE_POOL", False),
        pool_timeout=env_int("DATABASE_POOL_TIMEOUT", 2),
        prepared_statements=env_bool("DATABASE_PREPARED_STATEMENTS", True),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling, key sets) -------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Users and authentication -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Shared-secret mode (HS256). Empty turns the mode off.
BETTER_AUTH_SECRET = env_str("BETTER_AUTH_SECRET")
# Production refuses a shorter one, auth_check warns (RFC 7518: an HS256 key has >= 256 bits).
BETTER_AUTH_SECRET_MIN_BYTES = 32
# JWKS mode: the Better Auth origin turns it on; the others override what it implies.
BETTER_AUTH_URL = env_str("BETTER_AUTH_URL")
BETTER_AUTH_JWKS_URL = env_str("BETTER_AUTH_JWKS_URL")
BETTER_AUTH_ISSUER = env_str("BETTER_AUTH_ISSUER")
BETTER_AUTH_AUDIENCE = env_str("BETTER_AUTH_AUDIENCE")
BETTER_AUTH_JWKS_ALGORITHMS = env_list("BETTER_AUTH_JWKS_ALGORITHMS", "EdDSA,ES256,ES512,RS256,PS256")
BETTER_AUTH_JWKS_CACHE_SECONDS = env_int("BETTER_AUTH_JWKS_CACHE_SECONDS", 300)
BETTER_AUTH_JWKS_REFETCH_COOLDOWN = env_int("BETTER_AUTH_JWKS_REFETCH_COOLDOWN", 30)
BETTER_AUTH_JWKS_TIMEOUT = env_int("BETTER_AUTH_JWKS_TIMEOUT", 3)
# Clock skew tolerated for exp/nbf/iat, in seconds.
JWT_LEEWAY = env_int("JWT_LEEWAY", 30)
# How often an authenticated request may refresh the user's "last seen" (seconds).
USER_LAST_SEEN_INTERVAL = 60

# simplejwt names the Authorization header and its scheme; Better Auth issues the tokens.
SIMPLE_JWT = {"AUTH_HEADER_TYPES": ("Bearer",)}

# --- REST framework -----------------------------------------------------------------------

API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/min")
_rate_count, _, _rate_period = API_THROTTLE_RATE.partition("/")
if not (_rate_count.isdigit() and _rate_period[:1] in {"s", "m", "h", "d"}):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE must look like 600/min, not {API_THROTTLE_RATE!r}.")
# The counters (todo_project/ratelimit.py): in Redis under this prefix when REDIS_URL is set,
# else in this SQLite file (empty: a private file under the system's temporary directory).
API_THROTTLE_KEY_PREFIX = env_str("API_THROTTLE_KEY_PREFIX", "throttle")
API_THROTTLE_SQLITE_PATH = env_str("API_THROTTLE_SQLITE_PATH")
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)
API_MAX_HEADER_BYTES = env_int("API_MAX_HEADER_BYTES", 8 * 1024)
# A PUT, PATCH, DELETE or /complete without If-Match is refused (428) when true.
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", False)
# How long sync tokens and the tombstones of deleted tasks are kept, in days.
SYNC_RETENTION_DAYS = env_int("SYNC_RETENTION_DAYS", 30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BetterAuthJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["todo_project.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["todo_project.renderers.ORJSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["todo_project.throttling.PerUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "todo_project.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # ?format=… would otherwise be a query parameter with a meaning (and a 404 for "xml").
    "URL_FORMAT_OVERRIDE": None,
    "DATETIME_FORMAT": "iso-8601",
}

# --- Cross-origin -----------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env_list("CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = [
    "authorization",
    "content-type",
    "x-request-id",
    "if-match",
    "if-none-match",
    "idempotency-key",
]
CORS_EXPOSE_HEADERS = [
    *("Location", "Link", "X-Total-Count", "ETag", "Retry-After", "X-Request-ID"),
    "Idempotent-Replayed",
]
# Credentialed requests (fetch with credentials: "include") from those origins; the API
# itself reads no cookie, so this only lets such a frontend read the answers.
CORS_ALLOW_CREDENTIALS = env_bool("CORS_ALLOW_CREDENTIALS", False)

# --- Internationalisation, static files -------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Metrics ----------------------------------------------------------------------------

# The bearer token a Prometheus scraper presents at /api/metrics. Unset: no metrics are
# kept at all and the route answers 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# prometheus-client reads this variable itself; the server's start sets it to an empty
# folder when it runs several worker processes (README.md, "Observability").
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")

# --- Logging: one line per record to stderr, with the request id ------------------------

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
# "plain" text, or "json": one JSON object per line with the request line's fields.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = logging_config(level=LOG_LEVEL, log_format=LOG_FORMAT)
