"""Races, as races: 20 threads released together on one task, one key, one user's changes.

The If-Match and Idempotency-Key races run on both databases (on SQLite the threads share a
file database, see ``race_database``). The out-of-order commit is PostgreSQL's alone.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from accounts.tests.factories import UserFactory
from tasks.changes import task_changes
from tasks.models import IdempotencyKey, Task
from tasks.services import task_update
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url
from testing.helpers import bearer_client
from testing.races import run_at_once, there

COUNT = 20


def etag(task) -> str:
    task.refresh_from_db()
    return f'"{task.pk}-{task.version}"'


def user_with_task(**fields):
    user = UserFactory()
    task = TaskFactory(user=user, **fields)
    return user, task, etag(task)


@pytest.mark.parametrize("suffix", ["", "complete"], ids=["patch", "complete"])
def test_of_twenty_writes_with_one_etag_exactly_one_wins(race_database, suffix):
    user, task, sent = there(race_database, lambda: user_with_task(title="start"))

    def write(index):
        body = {"title": f"writer {index}"} if not suffix else {"completed": True}
        response = bearer_client(user).patch(
            tasks_url("token", user, task.pk, suffix=suffix), body, format="json", HTTP_IF_MATCH=sent
        )
        return response.status_code, index, response.get("ETag")

    indices = iter(range(COUNT))
    lock = threading.Lock()

    def next_write():
        with lock:
            index = next(indices)
        return write(index)

    results = run_at_once(race_database, COUNT, next_write)

    statuses = Counter(result[0] for result in results)
    assert statuses == {200: 1, 412: COUNT - 1}, results
    [(_, winner, winner_etag)] = [result for result in results if result[0] == 200]
    assert there(race_database, lambda: etag(task)) == winner_etag
    # Every loser was told the winner's ETag, the one now current.
    assert {result[2] for result in results if result[0] == 412} == {winner_etag}
    if not suffix:
        assert task.title == f"writer {winner}"
    else:
        assert task.completed is True


def test_of_twenty_deletes_with_one_etag_exactly_one_deletes(race_database):
    user, task, sent = there(race_database, user_with_task)

    def delete():
        return bearer_client(user).delete(tasks_url("token", user, task.pk), HTTP_IF_MATCH=sent).status_code

    results = run_at_once(race_database, COUNT, delete)

    # The losers either waited on the lock (the task is gone: no current version, 412) or
    # looked it up after the delete committed (404).
    assert Counter(results)[204] == 1, results
    assert set(results) <= {204, 412, 404}, results
    assert not there(race_database, Task.objects.filter(pk=task.pk).exists)


def test_twenty_retries_of_one_create_make_one_task(race_database):
    user = there(race_database, UserFactory)

    def create():
        response = bearer_client(user).post(
            tasks_url("token", user), {"title": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="order-1"
        )
        return response.status_code, response.get("Idempotent-Replayed"), response.json()

    results = run_at_once(race_database, COUNT, create)

    [task] = there(race_database, lambda: list(Task.objects.filter(user=user)))
    firsts = [r for r in results if r[0] == 201 and r[1] is None]
    replays = [r for r in results if r[0] == 201 and r[1] == "true"]
    busy = [r for r in results if r[0] == 409]
    assert len(firsts) == 1, results
    assert len(firsts) + len(replays) + len(busy) == COUNT, results
    assert all(body == firsts[0][2] and body["id"] == task.pk for _, _, body in replays)
    assert all(body["code"] == "idempotency_in_progress" for _, _, body in busy)
    assert there(race_database, lambda: IdempotencyKey.objects.get(user=user, key="order-1").status) == 201


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_a_sync_read_reaches_the_next_sync():
    """A writer takes its change number, then pauses before commit while a sync reads.

    The sync must not move past the paused change; a second writer of the same user, which
    would take a later number, has to wait for the first to commit (the counter row's lock),
    so no later change can commit first and carry the next token past the paused one.
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time database-wide: writes cannot commit out of order")
    user = UserFactory()
    paused, other = TaskFactory(user=user, title="paused"), TaskFactory(user=user, title="other")
    start = task_changes(user=user, since=None)
    stamped, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def first_writer():
        try:
            with transaction.atomic():
                task_update(task=Task.objects.get(pk=paused.pk), title="paused, committed late")
                stamped.set()
                assert release.wait(10)
        finally:
            connections.close_all()

    def second_writer():
        try:
            task_update(task=Task.objects.get(pk=other.pk), title="second")
            second_done.set()
        finally:
            connections.close_all()

    first = threading.Thread(target=first_writer)
    first.start()
    assert stamped.wait(10)
    second = threading.Thread(target=second_writer)
    second.start()
    time.sleep(0.5)
    during = task_changes(user=user, since=start.next)
    waited = not second_done.is_set()
    release.set()
    first.join(10)
    second.join(10)

    assert waited, "the second writer committed while the first held an earlier number"
    assert during.changed == []
    after = task_changes(user=user, since=during.next)
    assert {task.title for task in after.changed} == {"paused, committed late", "second"}
