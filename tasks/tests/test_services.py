"""The task services called directly, as the admin and the management commands call them."""

import copy
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Task, TaskTombstone
from tasks.services import (
    task_bulk_set_completion,
    task_create,
    task_purge_completed,
    task_toggle_completion,
    task_update,
)
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot
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


def sql_of(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries]


def task_updates(context: CaptureQueriesContext) -> list[str]:
    return [sql for sql in sql_of(context) if sql.startswith('UPDATE "tasks_task"')]


def writes(context: CaptureQueriesContext) -> list[str]:
    return [sql for sql in sql_of(context) if sql.split()[0] in ("DELETE", "UPDATE", "INSERT")]


def updated_columns(sql: str) -> set[str]:
    """The columns an ``UPDATE "tasks_task" SET … WHERE …`` statement writes."""
    match = re.fullmatch(r'UPDATE "tasks_task" SET (?P<set>.+) WHERE .+', sql)
    assert match, sql
    # Top-level assignments only: a CASE in a value compares columns too.
    return set(re.findall(r'(?:^|, )"(\w+)" = ', match["set"]))


def stored(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


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
    assert len(statements) == 6, statements
    assert statements[0] == begin
    assert statements[1].startswith('SELECT "tasks_task"."id", ')
    assert re.search(rf'WHERE "tasks_task"."id" = {task.pk}\b', statements[1]), statements[1]
    assert statements[1].endswith(" FOR UPDATE") is for_update
    # Then the owner's next change number, which orders the user's commits (tasks.sync).
    assert statements[2].startswith('INSERT INTO "tasks_synccounter"')
    assert updated_columns(statements[3]) == {"completed", "completed_at", "updated_at", "version"}
    assert statements[4] == "COMMIT"
    # The fresh instance's next occurrence, for the answer (none spawned: not recurring).
    assert '"next_occurrence_id"' in statements[5] and "UPDATE" not in statements[5]
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


# --- task_bulk_set_completion -------------------------------------------------------------------


@pytest.fixture
def three(user):
    """Two open tasks and one completed a day ago, of ``user``."""
    tasks = [TaskFactory(user=user), TaskFactory(user=user), TaskFactory(user=user, completed=True)]
    Task.objects.filter(pk=tasks[2].pk).update(completed_at=timezone.now() - timedelta(days=1))
    for task in tasks:
        task.refresh_from_db()
    return tasks


def test_bulk_completion_marks_only_the_open_tasks_in_one_update(user, other_user, three):
    open_a, open_b, done = three
    TaskFactory(user=other_user)
    theirs = snapshot(other_user)
    done_row = Task.objects.values_list().get(pk=done.pk)
    before = timezone.now()

    with CaptureQueriesContext(connection) as context:
        changed = task_bulk_set_completion(queryset=Task.objects.filter(user=user), completed=True)

    after = timezone.now()
    assert changed == 2
    [update] = task_updates(context)
    assert updated_columns(update) == {"completed", "completed_at", "updated_at", "version"}
    for task in (open_a, open_b):
        row = stored(task)
        assert row.completed is True
        assert before <= row.completed_at <= after
        assert before <= row.updated_at <= after
    assert Task.objects.values_list().get(pk=done.pk) == done_row  # untouched, updated_at too
    assert snapshot(other_user) == theirs


def test_bulk_reopening_clears_completed_at_of_the_completed_tasks_only(user, three):
    open_a, open_b, done = three

    changed = task_bulk_set_completion(queryset=Task.objects.filter(user=user), completed=False)

    assert changed == 1
    assert (stored(done).completed, stored(done).completed_at) == (False, None)
    assert stored(done).updated_at > done.updated_at
    for task in (open_a, open_b):
        assert stored(task).updated_at == task.updated_at


@pytest.mark.parametrize("completed", [False, True])
def test_bulk_completion_with_nothing_to_change_changes_nothing(user, completed):
    TaskFactory.create_batch(2, user=user, completed=completed)
    before = snapshot(user)

    changed = task_bulk_set_completion(queryset=Task.objects.filter(user=user), completed=completed)

    assert changed == 0
    assert snapshot(user) == before


# --- task_purge_completed ------------------------------------------------------------------------


@pytest.fixture
def aged(user, other_user):
    """Completed 40 days ago (one per user), completed 10 days ago, and open since 100 days."""
    now = timezone.now()
    tasks = {
        "old": TaskFactory(user=user, completed=True),
        "theirs_old": TaskFactory(user=other_user, completed=True),
        "recent": TaskFactory(user=user, completed=True),
        "open": TaskFactory(user=user),
    }
    for name, days in {"old": 40, "theirs_old": 40, "recent": 10}.items():
        Task.objects.filter(pk=tasks[name].pk).update(completed_at=now - timedelta(days=days))
    Task.objects.filter(pk=tasks["open"].pk).update(created_at=now - timedelta(days=100))
    return {name: task.pk for name, task in tasks.items()}


def everything() -> list[tuple]:
    return list(Task.objects.order_by("pk").values_list())


def test_purge_deletes_the_tasks_completed_before_the_cutoff_in_constant_statements(aged):
    # The open task is the next occurrence of the old one: it stays, unlinked, with a new version.
    Task.objects.filter(pk=aged["open"]).update(previous_occurrence_id=aged["old"])
    open_version = Task.objects.get(pk=aged["open"]).version
    with CaptureQueriesContext(connection) as context:
        deleted = task_purge_completed(older_than=timedelta(days=30))

    assert deleted == 2
    # However many tasks: the lock, the lock of the linked tasks, the owners' change numbers,
    # the tombstones, the tag rows' DELETE, the linked tasks' UPDATE and the tasks' DELETE.
    statements = [sql for sql in sql_of(context) if "SAVEPOINT" not in sql]
    assert len(statements) == 7, statements
    lock, linked, number, tombstones, tags, unlink, delete = statements
    assert lock.startswith("SELECT ") and linked.startswith("SELECT ")
    assert number.startswith('INSERT INTO "tasks_synccounter"')
    assert tombstones.startswith('INSERT INTO "tasks_tasktombstone"')
    assert tags.startswith('DELETE FROM "tasks_tasktag" WHERE ')
    assert updated_columns(unlink) == {"previous_occurrence_id", "version", "updated_at"}
    assert delete.startswith('DELETE FROM "tasks_task" WHERE ')
    assert set(Task.objects.values_list("pk", flat=True)) == {aged["recent"], aged["open"]}
    assert set(TaskTombstone.objects.values_list("task_id", flat=True)) == {aged["old"], aged["theirs_old"]}
    survivor = Task.objects.get(pk=aged["open"])
    assert survivor.previous_occurrence_id is None and survivor.version > open_version


def test_purge_of_zero_days_deletes_every_completed_task(aged):
    assert task_purge_completed(older_than=timedelta(0)) == 3
    assert list(Task.objects.values_list("pk", flat=True)) == [aged["open"]]


def test_purge_dry_run_counts_and_deletes_nothing(aged):
    before = everything()

    with CaptureQueriesContext(connection) as context:
        would_delete = task_purge_completed(older_than=timedelta(days=30), dry_run=True)

    assert would_delete == 2
    assert everything() == before
    assert [sql for sql in sql_of(context) if sql.split()[0] in ("DELETE", "UPDATE", "INSERT")] == []


@pytest.mark.parametrize("dry_run", [False, True])
def test_purge_refuses_a_negative_age_and_deletes_nothing(aged, django_assert_num_queries, dry_run):
    before = everything()

    with (
        django_assert_num_queries(0),
        pytest.raises(ValueError, match=r"^older_than must not be negative\.$"),
    ):
        task_purge_completed(older_than=timedelta(seconds=-1), dry_run=dry_run)

    assert everything() == before
