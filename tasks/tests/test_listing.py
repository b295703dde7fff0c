"""The list: order, filters, X-Total-Count, the RFC 8288 next link and walking the pages."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from tasks.models import Task
from tasks.pagination import cursor_seal, cursor_unseal
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db

ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"]
# RFC 8288: Link = "<" URI-Reference ">" *( ";" link-param ); rel as a quoted string here.
LINK_NEXT = re.compile(r'^<(?P<url>[^<>\s]+)>;\s*rel="next"$')
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def make_task(user, *, minutes: int, updated_minutes: int | None = None, **fields) -> Task:
    """A task created ``minutes`` after T0 (``auto_now_add`` ignores a given value)."""
    task = TaskFactory(user=user, **fields)
    created_at = T0 + timedelta(minutes=minutes)
    updated_at = T0 + timedelta(minutes=minutes if updated_minutes is None else updated_minutes)
    Task.objects.filter(pk=task.pk).update(created_at=created_at, updated_at=updated_at)
    task.refresh_from_db()
    return task


def expected_ids(user, ordering: str, **filters) -> list[int]:
    """The order the contract promises, with the id breaking ties in the same direction."""
    field = ordering.lstrip("-")
    tasks = list(Task.objects.filter(user=user, **filters))
    tasks.sort(key=lambda task: (getattr(task, field), task.pk), reverse=ordering.startswith("-"))
    return [task.pk for task in tasks]


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [task["id"] for task in response.json()]


def next_url(response) -> str | None:
    """The path and query of the ``next`` link, or None when the response has none."""
    if "Link" not in response:
        return None
    match = LINK_NEXT.match(response["Link"])
    assert match, response["Link"]
    url = urlsplit(match["url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")
    return f"{url.path}?{url.query}"


def walk(client, url: str, *, between=None) -> list[int]:
    """Every id of every page, following ``next`` links; ``between(page)`` runs after each page."""
    seen, page = [], 0
    while url:
        response = client.get(url)
        page_ids = ids(response)
        assert page_ids, "a next link led to an empty page"
        seen += page_ids
        page += 1
        assert page < 100, "the next links never end"
        url = next_url(response)
        if between:
            between(page)
    return seen


@pytest.fixture
def mixed(user, other_user):
    """Tasks with distinct times and ties: equal titles and equal created_at.

    Titles are lower-case ASCII, so Python sorts them as any database collation does.
    """
    tasks = [
        make_task(user, minutes=5, title="banana", description="Yellow fruit"),
        make_task(user, minutes=1, updated_minutes=9, title="apple", completed=True),
        make_task(user, minutes=3, title="cherry", description=None),
        make_task(user, minutes=3, title="banana", completed=True),
        make_task(user, minutes=3, updated_minutes=1, title="date", description="sweet MILK"),
        make_task(user, minutes=7, title="banana"),
        make_task(user, minutes=2, title="elder", completed=True),
    ]
    make_task(other_user, minutes=4, title="banana")
    return tasks


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


# --- Bad query values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"completed": "maybe"}, "completed"),
        ({"completed": "True"}, "completed"),
        ({"completed": "1"}, "completed"),
        ({"status": "x"}, "status"),
        ({"ordering": "password"}, "ordering"),
        ({"ordering": "user__email"}, "ordering"),
        ({"ordering": "id"}, "ordering"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1e3"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"offset": str(2**64)}, "offset"),
        ({"search": "x" * 201}, "search"),
        ({"search": "a\x00b"}, "search"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "!!!"}, "cursor"),
        ({"cursor": "x" * 2000}, "cursor"),
        ({"cursor": "é"}, "cursor"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_a_bad_query_value_is_422(user, user_client, mixed, family, query, field):
    response = user_client.get(tasks_url(family, user), query)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert body["detail"].startswith(f"{field}: ")


def a_cursor(client, user, **query) -> str:
    response = client.get(tasks_url("token", user), {"limit": 1, **query})
    return parse_qs(urlsplit(next_url(response)).query)["cursor"][0]


# The API's own sealing: these tests play a forger who holds the key, so the checks behind
# the encryption are tested too (defence in depth).
encode, decode = cursor_seal, cursor_unseal


def test_a_cursor_shows_no_task_text(user, user_client):
    TaskFactory.create_batch(2, user=user, title="Salary review with Bob")

    cursor = a_cursor(user_client, user, ordering="title")

    assert "Salary" not in base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("latin-1")
    assert decode(cursor)["v"] == "Salary review with Bob"


@pytest.mark.parametrize("how", ["plain", "bit-flipped"])
def test_a_cursor_the_api_did_not_seal_is_422(user, user_client, mixed, how):
    cursor = a_cursor(user_client, user)
    if how == "plain":
        forged = base64.urlsafe_b64encode(json.dumps(decode(cursor)).encode()).decode().rstrip("=")
    else:
        forged = cursor[:20] + ("A" if cursor[20] != "A" else "B") + cursor[21:]

    response = user_client.get(tasks_url("token", user), {"cursor": forged})

    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data: {**data, "o": "title"},
        lambda data: {**data, "o": "-password"},
        lambda data: {**data, "v": "not a date"},
        lambda data: {**data, "v": "2026-13-45T25:61:00Z"},
        lambda data: {**data, "v": "2026-01-01T12:00:00"},
        # Valid as written, but outside datetime's range once converted to UTC.
        lambda data: {**data, "v": "0001-01-01T00:00:00+05:00"},
        lambda data: {**data, "v": "9999-12-31T23:59:59-14:00"},
        lambda data: {**data, "v": 12345},
        lambda data: {**data, "v": None},
        lambda data: {**data, "id": "7"},
        lambda data: {**data, "id": True},
        lambda data: {key: value for key, value in data.items() if key != "id"},
        lambda data: [data],
        lambda data: "just a string",
    ],
    ids=[
        "other-ordering",
        "unknown-ordering",
        "junk-time",
        "impossible-time",
        "naive-time",
        "before-year-1-in-utc",
        "after-year-9999-in-utc",
        "number-value",
        "null-value",
        "string-id",
        "bool-id",
        "no-id",
        "list",
        "string",
    ],
)
def test_a_tampered_cursor_is_422(user, user_client, mixed, tamper):
    cursor = encode(tamper(decode(a_cursor(user_client, user))))

    response = user_client.get(tasks_url("token", user), {"cursor": cursor, "limit": 1})

    assert response.status_code == 422, response.content
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"], ids=["nul", "lone-surrogate"])
def test_a_title_cursor_with_unstorable_text_is_422(user, user_client, mixed, value):
    cursor = encode({**decode(a_cursor(user_client, user, ordering="title")), "v": value})

    response = user_client.get(tasks_url("token", user), {"cursor": cursor, "ordering": "title"})

    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


def test_a_cursor_of_another_ordering_is_422(user, user_client, mixed):
    cursor = a_cursor(user_client, user, ordering="title")

    response = user_client.get(tasks_url("token", user), {"cursor": cursor, "ordering": "-title"})

    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize("pk", [2**63, -(2**63) - 1, 10**40])
def test_a_cursor_with_an_out_of_range_id_is_no_500(user, user_client, mixed, pk):
    cursor = encode({**decode(a_cursor(user_client, user)), "id": pk})

    response = user_client.get(tasks_url("token", user), {"cursor": cursor})

    assert response.status_code in (200, 422)


def test_cursor_and_offset_together_are_422(user, user_client, mixed):
    cursor = a_cursor(user_client, user)

    response = user_client.get(tasks_url("token", user), {"cursor": cursor, "offset": 0})

    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


def test_format_is_not_a_special_parameter(user, user_client):
    # Unknown query parameters are ignored; DRF's ?format= override is turned off.
    TaskFactory(user=user)

    response = user_client.get(tasks_url("token", user), {"format": "xml"})

    assert response.status_code == 200
    assert len(response.json()) == 1
