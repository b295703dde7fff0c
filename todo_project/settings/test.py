"""Settings for the test suite.

Known values replace whatever the environment or a developer's ``.env`` says about
authentication, so every test starts from the same configuration; the database still
comes from ``DATABASE_URL`` (unset: SQLite), which is how CI runs the suite twice.
"""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

DEBUG = False
# Test-only values: they sign nothing outside the test run.
SECRET_KEY = "test-only-django-secret-key-that-is-long-enough-0123456789"
BETTER_AUTH_SECRET = "test-only-better-auth-shared-secret-0123456789"
BETTER_AUTH_URL = ""
BETTER_AUTH_JWKS_URL = ""
BETTER_AUTH_ISSUER = ""
BETTER_AUTH_AUDIENCE = ""
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that exercise throttling lower the rate themselves.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/min"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise otherwise scans STATIC_ROOT each time a test client builds the middleware
# (tens of milliseconds with collected files present); with autorefresh it looks files up
# per request instead, which is all the static-file tests need.
WHITENOISE_AUTOREFRESH = True
