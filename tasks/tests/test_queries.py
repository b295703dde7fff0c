"""The number of queries of a request does not grow with the number of tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db

# Authentication reads the user (a user seen within the minute is not written to).
AUTH = 1


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
    TaskFactory.create_batch(99, user=user, description="a long one", completed=True)
    hundred = count_queries(warm_client, "get", tasks_url(family, user) + query)

    assert one == hundred
    assert hundred == AUTH + 2  # COUNT(*) for X-Total-Count, then one page


def test_following_a_cursor_costs_the_same(user, warm_client):
    TaskFactory.create_batch(5, user=user)
    first = count_queries(warm_client, "get", tasks_url("token", user) + "?limit=2")
    response = warm_client.get(tasks_url("token", user) + "?limit=2")
    next_url = response["Link"].split(">")[0].lstrip("<").replace("http://testserver", "")

    assert count_queries(warm_client, "get", next_url) == first


@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"),
    [
        ("get", "", None, AUTH + 1),
        ("put", "", {"title": "new", "description": "d", "completed": True}, AUTH + 2),
        ("patch", "", {"title": "new"}, AUTH + 2),
        ("patch", "", {"completed": True}, AUTH + 2),
        # Nothing changes, so nothing is written: only the read of the task.
        ("patch", "", {}, AUTH + 1),
        # The toggle re-reads the row under a lock, inside a savepoint here (the test's
        # transaction is already open).
        ("patch", "complete", None, AUTH + 5),
        ("patch", "complete", {"completed": True}, AUTH + 2),
        # The read, then the task's tag rows, the link of the occurrence it spawned, the task.
        ("delete", "", None, AUTH + 4),
    ],
    ids=["get", "put", "patch-title", "patch-completed", "patch-nothing", "toggle", "set", "delete"],
)
def test_detail_queries_are_the_same_for_any_task(user, warm_client, method, suffix, body, expected):
    small = TaskFactory(user=user)
    big = TaskFactory(user=user, description="x" * 1000, completed=False)
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

    assert counts == {AUTH + 1}
