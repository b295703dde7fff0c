"""Bulk task services: completing or reopening many tasks, purging old completed ones."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.models import Task, TaskTombstone
from tasks.services import task_bulk_set_completion, task_purge_completed
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot
from tasks.tests.service_queries import sql_of, stored, task_updates, updated_columns

pytestmark = pytest.mark.django_db


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
