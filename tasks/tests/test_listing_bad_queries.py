"""Bad list queries are 422: every bad parameter value, and cursors forged or tampered with."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tasks.cursors import cursor_seal, cursor_unseal
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import next_url, snapshot, tasks_url

pytestmark = pytest.mark.django_db


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
        ({"priority": "urgent"}, "priority"),
        ({"priority": "High"}, "priority"),
        ({"priority": "high,"}, "priority"),
        ({"priority": "high,,low"}, "priority"),
        ({"priority": "2"}, "priority"),
        ({"priority": "%s%(x)s%"}, "priority"),
        ({"tag": "%s%d" * 20}, "tag"),
        ({"tag": ""}, "tag"),
        ({"tag": "   "}, "tag"),
        ({"tag": ["work", ""]}, "tag"),
        ({"tag": "x" * 51}, "tag"),
        ({"tag": "a\x07b"}, "tag"),
        ({"tag": [f"t{index}" for index in range(21)]}, "tag"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"due_before": "2026-01-01T12:00:00"}, "due_before"),
        ({"due_before": "2026-01-01"}, "due_before"),
        # An unencoded "+" arrives as a space.
        ({"due_before": "2026-01-01T12:00:00 01:00"}, "due_before"),
        ({"due_after": "2026-13-45T00:00:00Z"}, "due_after"),
        ({"due_after": "0001-01-01T00:00:00+05:00"}, "due_after"),
        ({"remind_before": "soon"}, "remind_before"),
        ({"remind_before": "2026-01-01T12:00:00"}, "remind_before"),
        ({"remind_before": "1700000000"}, "remind_before"),
        ({"overdue": "yes"}, "overdue"),
        ({"has_due": "1"}, "has_due"),
        ({"recurring": "maybe"}, "recurring"),
        ({"ordering": "due"}, "ordering"),
        ({"ordering": "-id"}, "ordering"),
        ({"ordering": "tags"}, "ordering"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_a_bad_query_value_is_422(user, user_client, mixed, family, query, field):
    before = snapshot(user)

    response = user_client.get(tasks_url(family, user), query)

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert body["detail"].startswith(f"{field}: ")
    assert snapshot(user) == before  # a GET that fails changes nothing either


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


@pytest.mark.parametrize(
    ("ordering", "value"),
    [
        ("priority", 7),
        ("priority", "3"),
        ("priority", None),
        ("-due_at", 12),
        ("title", None),
        ("-remind_at", "soon"),
    ],
)
def test_a_cursor_with_a_value_its_column_cannot_hold_is_422(user, user_client, planned, ordering, value):
    cursor = encode({**decode(a_cursor(user_client, user, ordering=ordering)), "v": value})

    response = user_client.get(tasks_url("token", user), {"cursor": cursor, "ordering": ordering})

    assert response.status_code == 422, response.content
    assert response.json()["field"] == "cursor"


def test_a_cursor_past_a_task_without_a_due_date_says_so(user, user_client, planned):
    # The last row of the first page of -due_at with a limit of 6 is one without a due date.
    data = decode(a_cursor(user_client, user, ordering="-due_at", limit=6))

    assert data["v"] is None


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


def test_a_date_time_error_says_what_to_send(user, user_client):
    junk = user_client.get(tasks_url("token", user), {"due_before": "tomorrow"}).json()
    naive = user_client.get(tasks_url("token", user), {"remind_before": "2026-01-01T12:00:00"}).json()

    assert junk["detail"] == (
        "due_before: Enter an ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T17:00:00Z "
        "(in a URL, write + as %2B)."
    )
    assert (
        naive["detail"] == "remind_before: The date-time needs a UTC offset (Z or +01:00); none is guessed."
    )


def test_an_unknown_priority_is_named(user, user_client):
    body = user_client.get(tasks_url("token", user), {"priority": "high,urgent%s"}).json()

    assert body["errors"]["priority"] == [
        "Unknown priority 'urgent%s'; use low, medium or high, comma-separated."
    ]
