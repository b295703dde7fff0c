"""The task services called directly, as the admin and the management commands call them."""

import copy
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import (
    task_create,
    task_edit_transaction,
    task_toggle_completion,
    task_update,
)
from tasks.task_reads import task_for_write
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot
from tasks.tests.service_queries import sql_of, stored, task_updates, updated_columns, writes
from testing.races import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return TaskFactory(title="Original", description="Kept")


@pytest.fixture
def done():
    """A task completed a day ago, so a new completion time would differ from its own."""
    task = TaskFactory(title="Done", description="Kept", completed=True)
    Task.objects.filter(pk=task.pk).update(completed_at=timezone.now() - timedelta(days=1))
    task.refresh_from_db()
    return task


# --- task_create ------------------------------------------------------------------------------


def test_task_create_stores_an_open_task_without_completed_at(user):
    created = task_create(user=user, title="Buy milk")

    row = Task.objects.values("user_id", "title", "description", "completed", "completed_at").get(
        pk=created.pk
    )
    assert row == {
        "user_id": user.pk,
        "title": "Buy milk",
        "description": None,
        "completed": False,
        "completed_at": None,
    }
    assert (created.completed, created.completed_at) == (False, None)


def test_task_create_with_completed_false_sets_no_completed_at(user):
    created = task_create(user=user, title="t", description="", completed=False)

    assert (stored(created).description, stored(created).completed_at) == ("", None)


def test_task_create_with_completed_true_sets_completed_at_to_now(user):
    before = timezone.now()

    created = task_create(user=user, title="t", description="d", completed=True)

    after = timezone.now()
    row = stored(created)
    assert row.completed is True
    assert before <= row.completed_at <= after
    assert created.completed_at == row.completed_at


# --- task_update: what it saves ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{}, {"title": "Original"}, {"title": "Original", "description": "Kept", "completed": False}],
    ids=["nothing", "same-title", "every-field-the-same"],
)
def test_task_update_with_no_change_saves_nothing(task, fields):
    before, updated_at = snapshot(task.user), task.updated_at

    with CaptureQueriesContext(connection) as context:
        result = task_update(task=task, **fields)

    assert writes(context) == []  # only the locked read, to compare with the stored row

    assert snapshot(task.user) == before  # updated_at too
    assert result.updated_at == updated_at
    assert (result.title, result.description, result.completed) == ("Original", "Kept", False)


def test_task_update_completed_again_keeps_completed_at_and_saves_nothing(done):
    before, completed_at = snapshot(done.user), done.completed_at

    with CaptureQueriesContext(connection) as context:
        result = task_update(task=done, completed=True)

    assert writes(context) == []

    assert snapshot(done.user) == before
    assert result.completed_at == completed_at


@pytest.mark.parametrize(
    ("fields", "columns"),
    [
        ({"title": "New"}, {"title"}),
        ({"title": "Original", "description": "New"}, {"description"}),
        ({"description": None}, {"description"}),
        ({"title": "New", "description": "", "completed": False}, {"title", "description"}),
    ],
    ids=["title", "description-only-changes", "description-to-null", "two-of-three"],
)
def test_task_update_saves_only_the_changed_fields_and_updated_at(task, fields, columns):
    created_at, updated_at = task.created_at, task.updated_at

    with CaptureQueriesContext(connection) as context:
        task_update(task=task, **fields)

    [update] = task_updates(context)
    assert updated_columns(update) == {*columns, "updated_at", "version"}
    row = stored(task)
    expected = {"title": "Original", "description": "Kept", "completed": False, **fields}
    assert (row.title, row.description, row.completed) == tuple(expected.values())
    assert row.completed_at is None
    assert row.created_at == created_at
    assert row.updated_at > updated_at


def test_task_update_keeps_completed_at_while_completed_stays_true(done):
    completed_at = done.completed_at

    with CaptureQueriesContext(connection) as context:
        task_update(task=done, title="Renamed", completed=True)

    [update] = task_updates(context)
    assert updated_columns(update) == {"title", "updated_at", "version"}
    row = stored(done)
    assert (row.title, row.completed, row.completed_at) == ("Renamed", True, completed_at)


def test_task_update_reopening_clears_completed_at(done):
    with CaptureQueriesContext(connection) as context:
        result = task_update(task=done, completed=False)

    [update] = task_updates(context)
    assert updated_columns(update) == {"completed", "completed_at", "updated_at", "version"}
    assert (stored(done).completed, stored(done).completed_at) == (False, None)
    assert (result.completed, result.completed_at) == (False, None)


def test_task_update_completing_sets_completed_at_to_now(task):
    before = timezone.now()

    with CaptureQueriesContext(connection) as context:
        result = task_update(task=task, completed=True)

    after = timezone.now()
    [update] = task_updates(context)
    assert updated_columns(update) == {"completed", "completed_at", "updated_at", "version"}
    row = stored(task)
    assert row.completed is True
    assert before <= row.completed_at <= after
    assert result.completed_at == row.completed_at


# --- task_update: what it refuses --------------------------------------------------------------


@pytest.mark.parametrize("field", ["user", "id", "completed_at", "created_at", "updated_at"])
def test_task_update_refuses_a_field_that_is_not_editable(task, field):
    other = {"user": UserFactory, "id": lambda: 987654321}.get(field, lambda: None)()
    owner, before = task.user, snapshot(task.user)

    with pytest.raises(TypeError, match=rf"^Not editable: {field}$"):
        task_update(task=task, **{field: other})

    assert snapshot(owner) == before


def test_task_update_refuses_the_whole_call_and_names_every_unknown_field(task):
    stranger = UserFactory()
    owner, before = task.user, snapshot(task.user)

    with pytest.raises(TypeError, match=r"^Not editable: id, user$"):
        task_update(task=task, title="Changed", user=stranger, id=task.pk + 1)

    assert snapshot(owner) == before
    assert not Task.objects.filter(user=stranger).exists()
    assert task.title == "Original"  # nothing was applied to the instance either


# --- task_toggle_completion --------------------------------------------------------------------

# How each database takes the row's lock before reading it: PostgreSQL locks the row
# (SELECT … FOR UPDATE); SQLite has no row locks, and BEGIN IMMEDIATE (the project's
# transaction mode) takes the database's write lock before the read instead.
LOCKS = {"postgresql": ("BEGIN", True), "sqlite": ("BEGIN IMMEDIATE", False)}


@pytest.mark.django_db(transaction=True)
def test_task_toggle_completion_reads_the_row_under_a_lock():
    task = TaskFactory()
    begin, for_update = LOCKS[connection.vendor]

    with CaptureQueriesContext(connection) as context:
        task_toggle_completion(task=task)

    statements = sql_of(context)
    # The change number and the UPDATE: one statement on PostgreSQL (tasks.stamped_writes).
    assert len(statements) == (4 if connection.vendor == "postgresql" else 5), statements
    assert statements[0] == begin
    assert statements[1].startswith('SELECT "tasks_task"."id"')
    assert re.search(rf'"tasks_task"."id" = {task.pk}\b', statements[1]), statements[1]
    assert statements[1].endswith('FOR UPDATE OF "tasks_task"') is for_update
    # The locked read brings its tags and next occurrence (for the rules and the answer); then
    # the owner's next change number, which orders the user's commits (tasks.sync), taken
    # before the UPDATE (in its statement on PostgreSQL).
    assert '"next_occurrence_id"' in statements[1] and '"tag_names"' in statements[1]
    number_and_write = " ".join(query["sql"] for query in context.captured_queries[2:-1])
    assert 'INSERT INTO "tasks_synccounter"' in number_and_write.split('UPDATE "tasks_task"')[0]
    assert updated_columns(statements[-2]) == {"completed", "completed_at", "updated_at", "version"}
    assert statements[-1] == "COMMIT"
    assert stored(task).completed is True


def test_two_toggles_flip_twice(task):
    first = task_toggle_completion(task=task)
    completed_at = stored(task).completed_at
    second = task_toggle_completion(task=first)

    assert first.completed is True and completed_at is not None
    assert first.completed_at == completed_at
    assert (second.completed, second.completed_at) == (False, None)
    assert (stored(task).completed, stored(task).completed_at) == (False, None)


def test_task_toggle_completion_flips_the_stored_value_not_a_stale_instance(task):
    stale = Task.objects.get(pk=task.pk)
    task_toggle_completion(task=task)  # someone else completes it meanwhile

    result = task_toggle_completion(task=stale)  # stale.completed still says False

    assert (result.completed, result.completed_at) == (False, None)
    assert (stored(task).completed, stored(task).completed_at) == (False, None)


def test_toggles_at_once_flip_the_task_once_each(race_database):
    """Eight threads toggle one open task together: the lock lets each see the last one's flip."""
    count = 8
    task = run_at_once(race_database, 1, TaskFactory)[0]
    assert isinstance(task, Task), task

    results = run_at_once(
        race_database, count, lambda: task_toggle_completion(task=copy.copy(task)).completed
    )

    # Serialised, the toggles answer True, False, True, … in some order; a lost update
    # would answer True twice in a row and leave the count uneven.
    assert Counter(results) == {True: count // 2, False: count // 2}, results
    [final] = run_at_once(
        race_database, 1, lambda: Task.objects.values_list("completed", "completed_at").get(pk=task.pk)
    )
    assert final == (False, None)


@pytest.mark.django_db(transaction=True)
def test_a_task_is_read_for_a_write_and_written_only_inside_one_transaction():
    task = TaskFactory()

    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        task_for_write(user=task.user, pk=task.pk)
    with pytest.raises(RuntimeError, match="in the transaction that read it"):
        task_update(task=task, locked=True, title="x")
    with transaction.atomic():
        locked = task_for_write(user=task.user, pk=task.pk)
        task_update(task=locked, locked=True, title="x")
    assert stored(task).title == "x"


def test_a_task_read_for_a_write_is_the_owners_only(task):
    with transaction.atomic():
        assert task_for_write(user=UserFactory(), pk=task.pk) is None
        assert task_for_write(user=task.user, pk=task.pk + 10_000) is None
        assert task_for_write(user=task.user, pk=task.pk).pk == task.pk


@pytest.mark.django_db(transaction=True)
def test_an_edit_shares_one_transaction_from_its_look_up_only_where_rows_lock():
    """On SQLite a write transaction locks the whole database: it holds the write alone."""
    with task_edit_transaction() as locked:
        assert locked is (connection.vendor == "postgresql")
        assert connection.in_atomic_block is locked
