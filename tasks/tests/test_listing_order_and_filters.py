"""The list's order (every ordering, ties by id) and its status and search filters."""

import pytest
from django.db import connection

from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import ORDERINGS, expected_ids, ids, tasks_url

pytestmark = pytest.mark.django_db


# --- Order --------------------------------------------------------------------------------


def test_default_order_is_newest_first(user, user_client, mixed, family):
    response = user_client.get(tasks_url(family, user))

    assert ids(response) == expected_ids(user, "-created_at")
    assert ids(response)[0] == mixed[5].pk


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_each_ordering(user, user_client, mixed, family, ordering):
    response = user_client.get(tasks_url(family, user), {"ordering": ordering})

    assert ids(response) == expected_ids(user, ordering)


# --- Filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "completed"),
    [
        ({"completed": "true"}, True),
        ({"completed": "false"}, False),
        ({"status": "completed"}, True),
        ({"status": "pending"}, False),
        ({"status": "all"}, None),
        ({}, None),
    ],
    ids=lambda value: repr(value),
)
def test_status_filters(user, user_client, mixed, family, query, completed):
    filters = {} if completed is None else {"completed": completed}

    response = user_client.get(tasks_url(family, user), query)

    assert ids(response) == expected_ids(user, "-created_at", **filters)
    assert response["X-Total-Count"] == str(len(expected_ids(user, "-created_at", **filters)))


@pytest.mark.parametrize(
    ("search", "titles"),
    [
        ("BANANA", {"banana"}),
        ("milk", {"date"}),
        ("YELLOW", {"banana"}),
        ("CHERRY", {"cherry"}),
        ("an", {"banana"}),
        ("nothing like it", set()),
        ("%", set()),
        ("_", set()),
    ],
)
def test_search_is_case_insensitive_in_title_or_description(user, user_client, mixed, search, titles):
    response = user_client.get(tasks_url("token", user), {"search": search})

    assert response.status_code == 200
    assert {task["title"] for task in response.json()} == titles
    assert response["X-Total-Count"] == str(len(response.json()))


def test_search_folds_case_of_any_letter_on_postgresql_and_of_ascii_on_sqlite(user, user_client):
    """SQLite's LIKE folds ASCII letters only (documented in the README); PostgreSQL folds all."""
    TaskFactory(user=user, title="École", description="Straße")
    folds_unicode = connection.vendor == "postgresql"

    for search, needs_unicode in (("éCOLE", True), ("STRAßE", False), ("école", True), ("COLE", False)):
        response = user_client.get(tasks_url("token", user), {"search": search})

        expected = [] if needs_unicode and not folds_unicode else ["École"]
        assert [task["title"] for task in response.json()] == expected, search


def test_filters_combine(user, user_client, mixed):
    response = user_client.get(
        tasks_url("token", user), {"search": "banana", "completed": "false", "ordering": "created_at"}
    )

    assert ids(response) == [mixed[0].pk, mixed[5].pk]
    assert response["X-Total-Count"] == "2"
