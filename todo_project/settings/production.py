"""Production settings: what ``wsgi``/``asgi`` load unless told otherwise.

They refuse to start without real secrets, and they pass ``manage.py check --deploy``.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BETTER_AUTH_SECRET,
    BETTER_AUTH_SECRET_MIN_BYTES,
    BETTER_AUTH_URL,
    DEBUG,
    HTTPS_HSTS_INCLUDE_SUBDOMAINS,
    HTTPS_HSTS_PRELOAD,
    HTTPS_HSTS_SECONDS,
    HTTPS_SSL_REDIRECT,
    SECRET_KEY,
)

MIN_DJANGO_SECRET_KEY_CHARS = 50
MIN_DJANGO_SECRET_KEY_UNIQUE_CHARS = 5

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
# The same bar as Django's own deploy check (security.W009).
if (
    len(SECRET_KEY) < MIN_DJANGO_SECRET_KEY_CHARS
    or len(set(SECRET_KEY)) < MIN_DJANGO_SECRET_KEY_UNIQUE_CHARS
    or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is missing, shorter than {MIN_DJANGO_SECRET_KEY_CHARS} characters "
        "or not random enough."
    )
# The shared secret may be absent only when JWKS mode alone verifies tokens.
_shared_secret_bytes = len(BETTER_AUTH_SECRET.encode())
if (BETTER_AUTH_SECRET or not BETTER_AUTH_URL) and _shared_secret_bytes < BETTER_AUTH_SECRET_MIN_BYTES:
    raise ImproperlyConfigured(
        f"BETTER_AUTH_SECRET is missing or shorter than {BETTER_AUTH_SECRET_MIN_BYTES} bytes."
    )

# Behind a TLS-terminating proxy (the usual deployment) the proxy sets this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS_SSL_REDIRECT
# /api/health and /api/ready are probed over plain HTTP inside the platform.
SECURE_REDIRECT_EXEMPT = [r"^api/health/?$", r"^api/ready/?$"]
SECURE_HSTS_SECONDS = HTTPS_HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = HTTPS_HSTS_PRELOAD
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
