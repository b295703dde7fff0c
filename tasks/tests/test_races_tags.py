"""A tag renamed while a task carrying it is being edited: both finish, neither deadlocks.

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
