"""The list's pages: X-Total-Count, the RFC 8288 next link, offset, limits, walking."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tasks.models import Task
from tasks.tests.helpers import ORDERINGS, expected_ids, ids, make_task, next_url, tasks_url, walk

pytestmark = pytest.mark.django_db


# --- X-Total-Count and the next link -------------------------------------------------------


def test_total_count_counts_every_match_not_the_page(user, user_client, mixed, family):
    response = user_client.get(tasks_url(family, user), {"limit": 2, "search": "banana"})

    assert len(response.json()) == 2
    assert response["X-Total-Count"] == "3"


def test_no_link_when_everything_fits(user, user_client, mixed, family):
    for limit in (len(mixed), len(mixed) + 1):
        response = user_client.get(tasks_url(family, user), {"limit": limit})

        assert len(response.json()) == len(mixed)
        assert "Link" not in response


def test_next_link_keeps_the_query_and_carries_a_cursor(user, user_client, mixed, family):
    response = user_client.get(
        tasks_url(family, user), {"limit": 2, "ordering": "title", "status": "all", "offset": 1}
    )

    assert response.status_code == 200
    url = next_url(response)
    assert url.startswith(tasks_url(family, user) + "?")
    query = parse_qs(urlsplit(url).query)
    assert query["limit"] == ["2"]
    assert query["ordering"] == ["title"]
    assert query["status"] == ["all"]
    assert "offset" not in query
    assert len(query["cursor"]) == 1
    assert ids(user_client.get(url)) == expected_ids(user, "title")[3:5]


def test_offset_skips(user, user_client, mixed):
    response = user_client.get(tasks_url("token", user), {"offset": 2, "limit": 3})

    assert ids(response) == expected_ids(user, "-created_at")[2:5]
    assert response["X-Total-Count"] == str(len(mixed))


def test_offset_past_the_end_is_an_empty_page(user, user_client, mixed):
    response = user_client.get(tasks_url("token", user), {"offset": 2**53 - 1})

    assert ids(response) == []
    assert "Link" not in response


# --- Walking the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_walking_the_pages_shows_every_task_exactly_once(user, user_client, mixed, family, ordering, limit):
    seen = walk(user_client, f"{tasks_url(family, user)}?limit={limit}&ordering={ordering}")

    assert seen == expected_ids(user, ordering)


def test_walking_the_default_order_shows_every_task_exactly_once(user, user_client, mixed):
    assert walk(user_client, f"{tasks_url('token', user)}?limit=2") == expected_ids(user, "-created_at")


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_walking_while_tasks_are_added_repeats_and_skips_nothing(user, user_client, mixed, ordering):
    before = expected_ids(user, ordering)
    added = []

    def add_one(page):
        # Titles and times land before, between and after the rows already shown.
        title = ["apple", "banana", "zebra", "aardvark"][page % 4]
        added.append(make_task(user, minutes=page * 2 - 1, updated_minutes=page, title=title).pk)

    seen = walk(user_client, f"{tasks_url('token', user)}?limit=2&ordering={ordering}", between=add_one)

    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)
    assert set(seen) <= set(before) | set(added)
    # The old tasks keep their relative order.
    assert [pk for pk in seen if pk in before] == before


def test_walking_past_a_deleted_task_repeats_and_skips_nothing(user, user_client, mixed):
    before = expected_ids(user, "title")
    first = user_client.get(f"{tasks_url('token', user)}?limit=2&ordering=title")
    Task.objects.filter(pk=ids(first)[-1]).delete()  # the very row the cursor names

    rest = walk(user_client, next_url(first))

    assert ids(first) + rest == before


# --- Limits ---------------------------------------------------------------------------------


def bulk_tasks(user, count: int) -> None:
    Task.objects.bulk_create(Task(user=user, title=f"t{index:04d}") for index in range(count))


def test_limit_defaults_to_100(user, user_client):
    bulk_tasks(user, 101)

    response = user_client.get(tasks_url("token", user))

    assert len(response.json()) == 100
    assert response["X-Total-Count"] == "101"
    assert next_url(response) is not None


def test_limit_may_be_500_but_not_more(user, user_client):
    bulk_tasks(user, 501)

    response = user_client.get(tasks_url("token", user), {"limit": 500})
    too_many = user_client.get(tasks_url("token", user), {"limit": 501})

    assert len(response.json()) == 500
    assert next_url(response) is not None
    assert too_many.status_code == 422
