"""A duplicate Idempotency-Key while the first request runs.

Two real threads on one database (on SQLite a shared file, see ``race_database``): the
first holds the key inside its transaction, the duplicate arrives meanwhile. On PostgreSQL
it is 409 at once; SQLite runs one writer at a time, so there it waits for the first to end
and then replays its answer, or runs if the first failed; what needs no write (a refused
body, a replay) does not wait for any writer there.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks import view_mixins
from tasks.idempotency import idempotency_claim, idempotency_complete, idempotency_fingerprint
from tasks.models import IdempotencyKey, Task
from tasks.serializers import TaskSerializer
from tasks.services import task_create
from tasks.tests.helpers import tasks_url
from tasks.versions import task_etag
from testing.helpers import bearer_client
from testing.races import run_at_once, there

BODY = {"title": "milk"}
HOLD = 0.5  # seconds the first request keeps its transaction open after claiming the key


class _FirstFailed(Exception):
    pass


def race(race_database, user, *, first_commits: bool):
    """The first request (the key, the task, the answer) held open HOLD s; the duplicate posted meanwhile."""
    fingerprint = idempotency_fingerprint(method="POST", route="task-list []", body=BODY)
    # The user synced from the token first: the duplicate's own request then writes nothing
    # before its key's look-up (on SQLite that write would wait for the first to commit).
    assert there(race_database, lambda: bearer_client(user).get(tasks_url("token", user))).status_code == 200
    claimed = threading.Event()
    roles = iter(["first", "duplicate"])
    lock = threading.Lock()

    def first():
        try:
            with transaction.atomic():
                assert idempotency_claim(user=user, key="k")
                task = task_create(user=user, title=BODY["title"])
                answer = TaskSerializer(task).data
                idempotency_complete(
                    user=user,
                    key="k",
                    fingerprint=fingerprint,
                    status=201,
                    body=answer,
                    location="",
                    etag=task_etag(task),
                )
                claimed.set()
                time.sleep(HOLD)
                if not first_commits:
                    raise _FirstFailed()
            return answer
        except _FirstFailed:
            return "rolled back"

    def duplicate():
        assert claimed.wait(10)
        started = time.monotonic()
        response = bearer_client(user).post(
            tasks_url("token", user), BODY, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )
        return response, time.monotonic() - started

    def act():
        with lock:
            role = next(roles)
        return (role, first() if role == "first" else duplicate())

    results = dict(run_at_once(race_database, 2, act))
    return results["first"], *results["duplicate"]


def only_on(vendor: str, reason: str) -> None:
    if connection.vendor != vendor:
        pytest.skip(reason)


@pytest.mark.parametrize("first_commits", [True, False], ids=["first-commits", "first-fails"])
def test_a_duplicate_while_the_first_runs_is_409_at_once(race_database, first_commits):
    only_on("postgresql", "SQLite cannot begin a second write meanwhile (the tests below)")
    user = there(race_database, UserFactory)

    _, response, waited = race(race_database, user, first_commits=first_commits)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert response["Retry-After"] == "1"
    assert waited < HOLD  # it did not wait for the first
    assert there(race_database, lambda: Task.objects.filter(user=user).count()) == int(first_commits)


def test_a_duplicate_waits_for_the_one_writer_and_replays_the_answer(race_database):
    only_on("sqlite", "on PostgreSQL the duplicate does not wait: 409 (the test above)")
    user = there(race_database, UserFactory)

    answer, response, waited = race(race_database, user, first_commits=True)

    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "true"
    assert response.json() == answer
    assert waited >= HOLD / 2  # it waited for the first to commit
    ids = there(race_database, lambda: list(Task.objects.filter(user=user).values_list("id", flat=True)))
    assert ids == [answer["id"]]


def test_a_duplicate_of_a_first_that_failed_runs_itself(race_database):
    only_on("sqlite", "on PostgreSQL the duplicate does not wait: 409 (the test above)")
    user = there(race_database, UserFactory)

    outcome, response, _ = race(race_database, user, first_commits=False)

    assert outcome == "rolled back"
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    [task] = there(race_database, lambda: list(Task.objects.filter(user=user)))
    assert response.json()["id"] == task.pk
    assert there(race_database, lambda: IdempotencyKey.objects.get(user=user).status) == 201


def while_another_writes(race_database, user, send):
    """``send()`` while another transaction holds SQLite's write lock HOLD s; its response and wait."""
    writing = threading.Event()
    roles = iter(["writer", "sender"])
    lock = threading.Lock()

    def writer():
        with transaction.atomic():
            task_create(user=user, title="elsewhere")
            writing.set()
            time.sleep(HOLD)

    def sender():
        assert writing.wait(10)
        started = time.monotonic()
        response = send()
        return response, time.monotonic() - started

    def act():
        with lock:
            role = next(roles)
        return writer() if role == "writer" else sender()

    results = run_at_once(race_database, 2, act)
    return next(result for result in results if result is not None)


@pytest.mark.parametrize("replayed", [False, True], ids=["invalid-body", "replay"])
def test_what_needs_no_write_does_not_wait_for_the_writer(race_database, replayed):
    # On SQLite the key's transaction (and with it the write lock) opens for the writes only:
    # a body the checks refuse, or a retry with a stored answer, never waits for another writer.
    only_on("sqlite", "on PostgreSQL writers do not wait for each other's transactions")
    user = there(race_database, UserFactory)
    url = tasks_url("token", user)
    # The first request syncs the user from the token's claims: a write, not the one measured.
    first_key = "k" if replayed else "other"
    first = there(
        race_database,
        lambda: bearer_client(user).post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY=first_key),
    )
    assert first.status_code == 201
    body = BODY if replayed else {"title": ""}

    response, waited = while_another_writes(
        race_database,
        user,
        lambda: bearer_client(user).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k"),
    )

    assert response.status_code == (201 if replayed else 422)
    assert ("Idempotent-Replayed" in response) == replayed
    assert waited < HOLD / 2


def test_a_key_stored_after_its_look_up_replays_that_answer(race_database, monkeypatch):
    # The look-up found the key free, then another request stored it (on PostgreSQL it
    # committed between the look-up's snapshot and its lock; on SQLite it held the write lock
    # first): this request's key row breaks the (user, key) uniqueness (on PostgreSQL at the
    # COMMIT it is sent with), its writes roll back, and the stored answer is replayed.
    user = there(race_database, UserFactory)
    url = tasks_url("token", user)
    assert there(race_database, lambda: bearer_client(user).get(url)).status_code == 200  # synced
    stored = {"id": 12345, "title": "stored elsewhere"}
    looked_up = []

    def store_elsewhere():
        fingerprint = idempotency_fingerprint(method="POST", route="task-list []", body=BODY)
        IdempotencyKey.objects.create(
            user=user, key="k", fingerprint=fingerprint, created_at=timezone.now(), status=201, body=stored
        )

    def look_up_then_store_elsewhere(*, user, key):
        free = idempotency_claim(user=user, key=key)
        if not looked_up:
            looked_up.append(free)
            there(race_database, store_elsewhere)  # another thread and connection; committed
        return free

    monkeypatch.setattr(view_mixins, "idempotency_claim", look_up_then_store_elsewhere)
    response = there(
        race_database, lambda: bearer_client(user).post(url, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    )

    assert looked_up == [True]
    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "true"
    assert response.json() == stored
    assert there(race_database, lambda: Task.objects.filter(user=user).count()) == 0
