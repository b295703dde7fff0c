"""The prepared queries' ``timestamptz`` loader gives what Django's gives, from psycopg's C code."""

from datetime import UTC

import pytest
from django.db import connection

from todo_project.pg_timestamps import cursor_timestamps_fast

# Offsets, fractions, a DST change, a leap day: what Django's own loader must agree with.
STAMPS = [
    "2026-12-08 10:00:00+00",
    "2026-03-29 01:30:00.5+02",
    "1999-12-31 23:59:59.999999-08",
    "2024-02-29 12:00:00.000001+05:30",
    "0001-01-02 00:00:00+00",
]
SELECT = "SELECT " + ", ".join(f"'{stamp}'::timestamptz" for stamp in STAMPS)


def _loaded(*, fast: bool):
    with connection.cursor() as cursor:
        if fast:
            cursor_timestamps_fast(connection=connection, cursor=cursor)
        cursor.execute(SELECT)
        loader = cursor.cursor.adapters.get_loader(cursor.cursor.adapters.types["timestamptz"].oid, 0)
        return cursor.fetchone(), loader


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a loader of psycopg, PostgreSQL's driver")
def test_the_fast_loader_gives_djangos_values_in_utc():
    django_values, django_loader = _loaded(fast=False)
    fast_values, fast_loader = _loaded(fast=True)

    assert fast_values == django_values
    assert all(value.tzinfo is UTC for value in fast_values)
    assert [value.isoformat() for value in fast_values] == [value.isoformat() for value in django_values]
    # Django's is a Python subclass; the fast one is psycopg's own, compiled.
    assert django_loader.__module__.startswith("django.")
    assert fast_loader.__module__ == "psycopg_binary._psycopg"


@pytest.mark.django_db
def test_other_databases_keep_their_cursor_as_it_was():
    with connection.cursor() as cursor:
        cursor_timestamps_fast(connection=connection, cursor=cursor)
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    if connection.vendor != "postgresql":
        assert not hasattr(cursor.cursor, "adapters")
