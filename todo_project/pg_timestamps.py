"""psycopg's own ``timestamptz`` loader, written in C, for the cursors of the hot queries.

Django's PostgreSQL backend registers a loader of its own for ``timestamptz`` on every
connection: psycopg's pure-Python loader (a regular expression per value) followed by
``replace(tzinfo=connection.timezone)``, so that a date-time comes back in the connection's
zone. psycopg's C loader gives the same value when that zone is UTC (it reads the session's
``TimeZone``, which Django sets to UTC on connect) and parses the text itself: a page of 100
tasks has 200 date-times, and Django's loader was about a seventh of its CPU. The C class
cannot be subclassed to carry the ``timezone`` attribute Django checks on the connection's
loader, so it is registered per cursor, for the prepared queries only (2 µs a cursor).
"""

from functools import cache


@cache
def _c_loader() -> tuple[int, type]:
    from psycopg import adapters
    from psycopg.pq import Format

    oid = adapters.types["timestamptz"].oid
    # The global map holds psycopg's optimised (C) classes when psycopg-binary is installed.
    return oid, adapters.get_loader(oid, Format.TEXT)


def cursor_timestamps_fast(*, connection, cursor) -> None:
    """On a PostgreSQL connection in UTC, ``cursor`` (Django's wrapper) loads ``timestamptz``
    with psycopg's own loader; anywhere else it keeps Django's."""
    if connection.vendor != "postgresql" or connection.timezone_name != "UTC":
        return
    oid, loader = _c_loader()
    cursor.cursor.adapters.register_loader(oid, loader)
