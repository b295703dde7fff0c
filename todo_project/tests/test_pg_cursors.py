"""The prepared queries' cursor: statements prepared on PostgreSQL, psycopg's C date-times."""

from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import Task
from tasks.task_reads import task_row
from tasks.tests.factories import TaskFactory
from todo_project.pg_cursors import cursor_timestamps_fast, prepared_statements_on

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's and psycopg's")

# Offsets, fractions, a DST change, a leap day: what Django's own loader must agree with.
STAMPS = [
    "2026-12-08 10:00:00+00",
    "2026-03-29 01:30:00.5+02",
    "1999-12-31 23:59:59.999999-08",
    "2024-02-29 12:00:00.000001+05:30",
    "0001-01-02 00:00:00+00",
]
SELECT_STAMPS = "SELECT " + ", ".join(f"'{stamp}'::timestamptz" for stamp in STAMPS)
TASK_STATEMENTS = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s"


def _loaded(*, fast: bool):
    with connection.cursor() as cursor:
        if fast:
            cursor_timestamps_fast(connection=connection, cursor=cursor)
        cursor.execute(SELECT_STAMPS)
        loader = cursor.cursor.adapters.get_loader(cursor.cursor.adapters.types["timestamptz"].oid, 0)
        return cursor.fetchone(), loader


def _task_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute(TASK_STATEMENTS, ['%FROM "tasks_task"%'])
        return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.django_db
def test_the_fast_loader_gives_djangos_values_in_utc():
    django_values, django_loader = _loaded(fast=False)
    fast_values, fast_loader = _loaded(fast=True)

    assert fast_values == django_values
    assert all(value.tzinfo is UTC for value in fast_values)
    assert [value.isoformat() for value in fast_values] == [value.isoformat() for value in django_values]
    # Django's is a Python subclass; the fast one is psycopg's own, compiled.
    assert django_loader.__module__.startswith("django.")
    assert fast_loader.__module__ == "psycopg_binary._psycopg"


@postgresql_only
@pytest.mark.django_db
def test_a_prepared_query_is_prepared_once_per_connection_and_reads_what_the_orm_reads(user):
    tasks = TaskFactory.create_batch(3, user=user)
    assert prepared_statements_on(connection)
    before = _task_statements()

    rows = [task_row(user=user, pk=task.pk) for task in tasks]

    assert _task_statements() == before + 1  # one statement, bound to three ids
    for task, row in zip(tasks, rows, strict=True):
        stored = Task.objects.values("id", "title", "created_at", "updated_at", "version").get(pk=task.pk)
        assert {name: row[name] for name in stored} == stored


@postgresql_only
@pytest.mark.django_db
def test_turned_off_or_while_queries_are_logged_nothing_is_prepared(user, monkeypatch):
    task = TaskFactory(user=user)
    with CaptureQueriesContext(connection) as logged:
        assert task_row(user=user, pk=task.pk)["id"] == task.pk
    assert str(task.pk) in logged.captured_queries[0]["sql"]  # the text, with its values
    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold")
    assert not prepared_statements_on(connection)
    assert task_row(user=user, pk=task.pk)["id"] == task.pk

    assert _task_statements() == 0
