"""The prepared queries' cursor on PostgreSQL: statements prepared on the server, and
psycopg's own ``timestamptz`` loader.

**Server-side prepared statements.** PostgreSQL plans every statement it is sent: for a
task's GET that was 0.26 to 0.31 ms of planning against 0.08 ms of execution (``EXPLAIN
ANALYZE``, steady state), and a PATCH's locked read the same again, all of it CPU the
database takes from the machine. Django sends every query with its values merged into the
text (psycopg's ``ClientCursor``), which nothing can prepare. The queries of
``todo_project.prepared`` (a task's GET, the first page, a write's reads) are few and
fixed, so they go through a server-binding cursor that prepares each on first use (psycopg
keeps the last 100 per connection) and later only binds values. A pooler in transaction
mode must support protocol-level prepared statements (PgBouncer 1.21 or later with
``max_prepared_statements``; Neon's does); ``DATABASE_PREPARED_STATEMENTS=false`` turns
this off for one that does not. A statement's first run costs one round trip more (the
``PREPARE``), once per connection.

**Date-times.** Django's PostgreSQL backend registers a loader of its own for
``timestamptz`` on every connection: psycopg's pure-Python loader (a regular expression per
value) followed by ``replace(tzinfo=connection.timezone)``. psycopg's C loader gives the
same value when that zone is UTC (it reads the session's ``TimeZone``, which Django sets to
UTC on connect): a page of 100 tasks has 200 date-times, and Django's loader was about a
seventh of its CPU. The C class cannot be subclassed to carry the ``timezone`` attribute
Django checks on the connection's loader, so it is registered per cursor (2 µs a cursor).
"""

from functools import cache

from django.conf import settings


@cache
def _c_loader() -> tuple[int, type]:
    from psycopg import adapters
    from psycopg.pq import Format

    oid = adapters.types["timestamptz"].oid
    # The global map holds psycopg's optimised (C) classes when psycopg-binary is installed.
    return oid, adapters.get_loader(oid, Format.TEXT)


@cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds values on the server and prepares each statement the first time it runs."""

        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


def prepared_statements_on(connection) -> bool:
    """Whether ``connection`` sends the prepared queries as server-side prepared statements:
    psycopg prepares none while its ``prepare_threshold`` is None (Django's default)."""
    options = connection.settings_dict["OPTIONS"]
    return connection.vendor == "postgresql" and options.get("prepare_threshold") is not None


def prepared_cursor(connection):
    """A cursor (Django's wrapper, with its execute wrappers) for the prepared queries.

    While queries are logged (``DEBUG``, a test capturing them) the statements go as text,
    as Django sends its own, so the log shows each with its values.
    """
    if not prepared_statements_on(connection) or connection.queries_logged:
        cursor = connection.cursor()
    else:
        # As BaseDatabaseWrapper._cursor does, with the preparing cursor in place of create_cursor's.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection._prepare_cursor(_preparing_cursor_class()(connection.connection))
    cursor_timestamps_fast(connection=connection, cursor=cursor)
    return cursor


def cursor_timestamps_fast(*, connection, cursor) -> None:
    """On a PostgreSQL connection in UTC, ``cursor`` (Django's wrapper) loads ``timestamptz``
    with psycopg's own loader; anywhere else it keeps Django's."""
    if connection.vendor != "postgresql" or connection.timezone_name != "UTC" or not settings.USE_TZ:
        return
    oid, loader = _c_loader()
    cursor.cursor.adapters.register_loader(oid, loader)
