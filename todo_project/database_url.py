"""``DATABASE_URL`` as dj-database-url reads it, from the forms people actually write.

Projects on SQLAlchemy write ``postgresql+asyncpg://…`` (or ``+psycopg``, ``+psycopg2``):
the part after ``+`` names a Python driver, not another database, and Django always
connects through psycopg 3. So a driver form is read as plain ``postgresql://``; asyncpg's
``ssl=`` query parameter becomes libpq's ``sslmode=``. Anything else that is not PostgreSQL
or SQLite is refused with one line, before dj-database-url's traceback.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

ACCEPTED_FORMS = "postgresql://, postgres://, postgresql+DRIVER:// (e.g. postgresql+asyncpg://) or sqlite://"
# libpq's sslmode values, which asyncpg's ``ssl=`` shares.
SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
_SCHEME = re.compile(r"(?P<database>[A-Za-z][A-Za-z0-9.-]*?)(?:\+(?P<driver>[A-Za-z0-9_]+))?://")
_ANY_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_POSTGRES = {"postgresql", "postgres"}


def database_url_normalise(*, url: str) -> str:
    """``url`` with a scheme dj-database-url knows; ImproperlyConfigured for any other database.

    The error names the scheme only: the rest of the URL may hold a password.
    """
    match = _SCHEME.match(url)
    database = match["database"].lower() if match else ""
    driver = match["driver"] if match else None
    if database == "sqlite" and driver is None:
        return url
    if database not in _POSTGRES:
        shown = _ANY_SCHEME.match(url)
        scheme = shown[0] if shown else "a URL without a scheme"
        raise ImproperlyConfigured(f"DATABASE_URL must start with {ACCEPTED_FORMS}, not {scheme}.")
    if driver is None:
        return url
    parts = urlsplit("postgresql://" + url[match.end() :])
    return urlunsplit(parts._replace(query=_asyncpg_ssl_as_sslmode(parts.query)))


def _asyncpg_ssl_as_sslmode(query: str) -> str:
    params = parse_qsl(query, keep_blank_values=True)
    if not any(name == "ssl" for name, _ in params) or any(name == "sslmode" for name, _ in params):
        return query
    converted = []
    for name, value in params:
        if name == "ssl":
            if value not in SSL_MODES:
                raise ImproperlyConfigured(
                    f"DATABASE_URL's ssl= must be one of {', '.join(sorted(SSL_MODES))}, not {value!r}."
                )
            name = "sslmode"
        converted.append((name, value))
    return urlencode(converted)
