"""Tags and row locks on PostgreSQL: a rename during a task's edit, and a write's locked read
that waits for another.

A tag renamed while a task carrying it is being edited: both finish, neither deadlocks.

The task write locks its row and then inserts its tag rows, which (through their foreign
key) share-lock the tag; the rename locks the tag and then the tasks carrying it. The tag
lock is ``FOR NO KEY UPDATE``, which a foreign key's share lock does not wait for, so the
task write finishes first and the rename then takes its task.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import task_update
from tasks.tag_services import tag_rename
from tasks.tags import tag_names_by_task
from tasks.task_reads import task_for_write
from tasks.tests.factories import TaskFactory
from testing.races import run_at_once, there


def test_a_rename_during_a_task_write_that_adds_the_tag_again_does_not_deadlock(race_database):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: there are no row locks to cross")
    user = there(race_database, UserFactory)
    task = there(race_database, lambda: TaskFactory(user=user, tags=["work"]))
    task_locked = threading.Event()
    roles = iter(["writer", "renamer"])
    lock = threading.Lock()

    def writer():
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            task_locked.set()
            time.sleep(0.5)  # the rename takes the tag's lock meanwhile and waits for this task
            task_update(task=locked, tags=["work", "home"])
        return "written"

    def renamer():
        assert task_locked.wait(10)
        tag_rename(user=user, name="work", new_name="job")
        return "renamed"

    def act():
        with lock:
            role = next(roles)
        return writer() if role == "writer" else renamer()

    results = run_at_once(race_database, 2, act)

    assert sorted(map(str, results)) == ["renamed", "written"], results
    assert there(race_database, lambda: tag_names_by_task([task.pk])[task.pk]) == ["job", "home"]


@pytest.mark.django_db(transaction=True)
def test_a_write_that_waited_for_the_lock_reads_the_tags_the_holder_committed():
    """The locked read's subqueries see the statement's snapshot, taken before it waited: the
    tags come from a second read after the lock (``task_for_write``), not from that snapshot."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: a read never waits for a row lock")
    user = UserFactory()
    task = TaskFactory(user=user, tags=["old"])
    holding = threading.Event()

    def holder():
        try:
            with transaction.atomic():
                locked = task_for_write(user=user, pk=task.pk)
                holding.set()
                time.sleep(0.5)  # the other read starts meanwhile, and waits for this lock
                task_update(task=locked, tags=["new"], completed=True, locked=True)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    with transaction.atomic():
        waited = task_for_write(user=user, pk=task.pk)
    thread.join(10)

    assert waited.tag_names == ["new"]
    assert (waited.completed, waited.version) == (True, Task.objects.get(pk=task.pk).version)
