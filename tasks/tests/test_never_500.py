"""No query value, body or path user the API is sent turns into a 500."""

import pytest

from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db


# --- Never a 500 ----------------------------------------------------------------------------

WEIRD_TEXT = [
    "\x00",
    "\ud7ff",
    "%",
    "'; DROP TABLE tasks_task; --",
    "\\",
    "🙂" * 50,
    "a" * 5000,
    " ",
    "[]",
    "{}",
]
WEIRD_JSON = [
    b"",
    b"{}",
    b"[]",
    b"0",
    b'"\\u0000"',
    b'{"title": "\\u0000"}',
    b'{"title": 1e999}',
    b'{"title": -0}',
    b'{"title": "' + b"9" * 5000 + b'"}',
    b'{"completed": ' + b"9" * 5000 + b"}",
    b'{"title": "t", "title": ""}',
    b'{"title": {"$gt": ""}}',
    b'{"__proto__": {"title": "t"}}',
    b"\xef\xbb\xbf{}",
    b"\x00",
]


@pytest.mark.parametrize("name", ["limit", "offset", "cursor", "ordering", "completed", "status", "search"])
def test_no_query_value_is_a_500(quiet_client, user, task, name):
    for value in WEIRD_TEXT:
        response = quiet_client.get(tasks_url("token", user), {name: value})

        assert response.status_code in (200, 422), (name, value, response.status_code)


@pytest.mark.parametrize("route", ["create", "put", "patch", "complete"])
def test_no_body_is_a_500(quiet_client, user, task, route):
    method, url = {
        "create": ("post", tasks_url("token", user)),
        "put": ("put", tasks_url("token", user, task.pk)),
        "patch": ("patch", tasks_url("token", user, task.pk)),
        "complete": ("patch", tasks_url("token", user, task.pk, suffix="complete")),
    }[route]
    for raw in WEIRD_JSON:
        response = getattr(quiet_client, method)(url, data=raw, content_type="application/json")

        assert response.status_code < 500, (raw[:40], response.status_code, response.content[:200])
        assert response["Content-Type"] in ("application/json", "application/problem+json")
    for value in WEIRD_TEXT:
        body = {"title": value, "description": value} if route != "complete" else {"completed": value}
        response = getattr(quiet_client, method)(url, body, format="json")

        assert response.status_code < 500, (value[:40], response.status_code)


@pytest.mark.parametrize("user_id", ["%00", "%ED%A0%80", "%FF", "..", "a%2Fb", "x" * 300])
def test_no_path_user_is_a_500(quiet_client, user_id):
    response = quiet_client.get(f"/api/{user_id}/tasks")

    assert response.status_code in (403, 404)
