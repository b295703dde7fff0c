"""Round trips per request: constant in the number of tasks, and as few as the answer needs.

A user this process has synced costs no query of its own on the task routes (their own
queries check the account), and the first page that is not full needs no COUNT(*).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db

# A create takes the owner's change number only for an active account (no user query of its
# own either): on PostgreSQL in its INSERT's statement, on SQLite in a statement before it.
INSERT = 1 if connection.vendor == "postgresql" else 2
# A task's UPDATE takes the change number the same way (tasks.stamped_writes).
STAMPED = INSERT
# An edit's reads of its task: where rows lock (PostgreSQL), one locked read with its tags and
# next occurrence that checks the account too, in the write's transaction; on SQLite, whose
# write transaction locks the whole database, the look-up before it, then inside it the
# locked re-read with the tags and links (tasks.services.task_edit_transaction). A written
# task's answer takes its tags from that read: no query of its own.
EDIT_READS = 1 if connection.vendor == "postgresql" else 2
TWENTY_TAGS = [f"tag {n}" for n in range(20)]


def count_queries(client, method: str, url: str, body=None) -> int:
    with CaptureQueriesContext(connection) as context:
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, body, format="json")
    assert 200 <= response.status_code < 300, response.content
    return len(context.captured_queries)


@pytest.fixture
def warm_client(user, user_client):
    """A client whose user was already seen, so ``last_seen`` is not written during a count."""
    assert user_client.get(tasks_url("token", user)).status_code == 200
    return user_client


@pytest.mark.parametrize("family", ["token", "path"])
@pytest.mark.parametrize("query", ["", "?ordering=title&completed=false&search=task", "?limit=500"])
def test_list_queries_do_not_grow_with_the_tasks(user, warm_client, family, query):
    TaskFactory(user=user)
    one = count_queries(warm_client, "get", tasks_url(family, user) + query)
    TaskFactory.create_batch(90, user=user, description="a long one", completed=True, tags=TWENTY_TAGS)
    due = timezone.now() + timedelta(days=1)
    TaskFactory.create_batch(9, user=user, due_at=due, recurrence="FREQ=DAILY", series_start=due, tags=["x"])
    hundred = count_queries(warm_client, "get", tasks_url(family, user) + query)

    assert one == hundred
    # The page with its tags, which is not full (or exactly full: 100 tasks): no COUNT(*).
    assert hundred == 1


def test_a_full_first_page_adds_the_count(user, warm_client):
    TaskFactory.create_batch(3, user=user)

    assert count_queries(warm_client, "get", tasks_url("token", user) + "?limit=2") == 2
    assert count_queries(warm_client, "get", tasks_url("token", user) + "?limit=3") == 1
    # The last page of an offset walk counts itself; a page past the end must count, and
    # an empty page checks the account too (its query could not tell).
    assert count_queries(warm_client, "get", tasks_url("token", user) + "?limit=2&offset=2") == 1
    assert count_queries(warm_client, "get", tasks_url("token", user) + "?limit=2&offset=9") == 3


def test_a_user_seen_first_costs_the_sync_once(user, user_client):
    TaskFactory(user=user)

    user.refresh_from_db()
    assert user.last_seen is None
    # The user's read and its last_seen write (savepoint, UPDATE, release), then the page
    # with its tags.
    assert count_queries(user_client, "get", tasks_url("token", user)) == 5
    assert count_queries(user_client, "get", tasks_url("token", user)) == 1


def test_following_a_cursor_costs_the_same(user, warm_client):
    TaskFactory.create_batch(5, user=user)
    first = count_queries(warm_client, "get", tasks_url("token", user) + "?limit=2")
    response = warm_client.get(tasks_url("token", user) + "?limit=2")
    next_url = response["Link"].split(">")[0].lstrip("<").replace("http://testserver", "")

    assert count_queries(warm_client, "get", next_url) == first


@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"),
    [
        # The row, with its next occurrence's id and its tags as subqueries.
        ("get", "", None, 1),
        # An edit: its reads of the task and then the write with the owner's change number,
        # in a savepoint here (the test's transaction is already open).
        ("put", "", {"title": "new", "description": "d", "completed": True}, 2 + EDIT_READS + STAMPED),
        ("patch", "", {"title": "new"}, 2 + EDIT_READS + STAMPED),
        ("patch", "", {"completed": True}, 2 + EDIT_READS + STAMPED),
        # Nothing changes, so nothing is written: the reads alone.
        ("patch", "", {}, 2 + EDIT_READS),
        # A completion: the look-up (which checks the account), then in a savepoint the row
        # re-read under a lock with its tags and next occurrence, the write.
        ("patch", "complete", None, 4 + STAMPED),
        ("patch", "complete", {"completed": True}, 4 + STAMPED),
        # The lock of the tasks linked to it (its occurrences, none here), the tombstone, then
        # the DELETEs of its tag rows and of the row.
        ("delete", "", None, 6 + 3),
    ],
    ids=["get", "put", "patch-title", "patch-completed", "patch-nothing", "toggle", "set", "delete"],
)
def test_detail_queries_are_the_same_for_any_task(user, warm_client, method, suffix, body, expected):
    small = TaskFactory(user=user)
    big = TaskFactory(user=user, description="x" * 1000, completed=False, tags=TWENTY_TAGS)
    TaskFactory.create_batch(50, user=user)

    counts = {
        count_queries(warm_client, method, tasks_url("token", user, task.pk, suffix=suffix), body)
        for task in (small, big)
    }

    assert counts == {expected}


def test_create_queries_are_constant(user, warm_client):
    TaskFactory.create_batch(50, user=user)
    counts = {
        count_queries(warm_client, "post", tasks_url("token", user), body)
        for body in (
            {"title": "a"},
            {"title": "b", "description": "x" * 1000, "completed": True},
        )
    }

    # The owner's change number and the INSERT (no savepoint inside the test's transaction).
    assert counts == {INSERT}


def test_an_idempotency_key_costs_two_statements(user, warm_client):
    plain = count_queries(warm_client, "post", tasks_url("token", user), {"title": "a"})
    with CaptureQueriesContext(connection) as context:
        response = warm_client.post(
            tasks_url("token", user), {"title": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )
    assert response.status_code == 201

    # The key's look-up (with its lock on PostgreSQL) first, its row with the answer last; and
    # the savepoint (and its release) that is the request's transaction inside the test's.
    assert len(context.captured_queries) == plain + 2 + 2


@pytest.mark.parametrize("tags", [[], ["one"], TWENTY_TAGS[:19]], ids=["none", "one", "twenty"])
def test_writing_tags_costs_the_same_for_any_number(user, warm_client, tags):
    TaskFactory(user=user, tags=["old"])  # an existing tag is reused, the others created
    task = TaskFactory(user=user, tags=["old", "other"])
    body = {"title": "t", "tags": [*tags, "old"]}
    # Reading the user's tags, creating the missing ones (then reading them back), replacing
    # the task's: the same queries for one tag or twenty.
    created = count_queries(warm_client, "post", tasks_url("token", user), body)
    updated = count_queries(warm_client, "patch", tasks_url("token", user, task.pk), body)
    # Created: the owner's change number and the INSERT, read the user's tags, INSERT the
    # missing ones and read them back, INSERT the task's (no savepoint). Updated (the POST made its tags):
    # in a savepoint the edit's reads, the UPDATE with its change number, read the user's
    # tags, DELETE the task's old ones and INSERT.
    missing = 2 if tags else 0

    assert created == INSERT + 2 + missing
    assert updated == 2 + EDIT_READS + STAMPED + 3


def test_completing_a_recurring_task_costs_the_same_for_any_number_of_tags(user, warm_client):
    due = timezone.now() + timedelta(days=1)
    plain = TaskFactory(user=user, due_at=due, recurrence="FREQ=DAILY", series_start=due, tags=["one"])
    tagged = TaskFactory(user=user, due_at=due, recurrence="FREQ=DAILY", series_start=due, tags=TWENTY_TAGS)

    counts = {
        count_queries(warm_client, "patch", tasks_url("token", user, task.pk), {"completed": True})
        for task in (plain, tagged)
    }

    # In a savepoint: the edit's reads, the UPDATE with its change number, then claim under a
    # lock, mark it, the occurrence's change number, INSERT it, read and copy its tags.
    assert counts == {2 + EDIT_READS + STAMPED + 6}
