"""What the API does with bad bodies: 422 for bad fields, 400/413/415 for bad requests, never 500."""

import json

import pytest
from django.conf import settings

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(user):
    return TaskFactory(user=user, title="original", description="original")


@pytest.fixture(params=["create", "put", "patch"])
def write(request, user, user_client, task):
    """``write(body)``: sends a body to one of the writing routes, as JSON unless it is bytes."""
    method, url = {
        "create": ("post", tasks_url("token", user)),
        "put": ("put", tasks_url("token", user, task.pk)),
        "patch": ("patch", tasks_url("token", user, task.pk)),
    }[request.param]

    def _write(body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body)
        return getattr(user_client, method)(url, data=data, content_type=content_type)

    return _write


def assert_unchanged(task) -> None:
    """No write happened: the task is as the fixture made it, and no task was added."""
    before = (task.title, task.description, task.completed, task.updated_at)
    task.refresh_from_db()
    assert (task.title, task.description, task.completed, task.updated_at) == before
    assert Task.objects.count() == 1


def assert_validation_error(response, field: str, message: str | None = None) -> dict:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == "Unprocessable Entity"
    assert body["status"] == 422
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert field in body["errors"]
    assert all(isinstance(item, str) for item in body["errors"][field])
    assert body["detail"] == f"{field}: {body['errors'][field][0]}"
    if message is not None:
        assert body["errors"][field][0] == message
    return body


# --- title --------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 200])
def test_title_of_1_to_200_characters_is_accepted(write, length):
    response = write({"title": "é" * length})

    assert response.status_code in (200, 201)
    assert response.json()["title"] == "é" * length
    assert Task.objects.get(pk=response.json()["id"]).title == "é" * length


def test_empty_title_is_the_contracts_example_error(write, task):
    response = write({"title": ""})

    body = assert_validation_error(response, "title", "This field may not be blank.")
    assert body["detail"] == "title: This field may not be blank."
    assert body["errors"] == {"title": ["This field may not be blank."]}
    assert_unchanged(task)


@pytest.mark.parametrize("title", [" ", "   \t\n ", "\u3000\u2003"], ids=["space", "mixed", "unicode"])
def test_whitespace_only_title_is_blank(write, task, title):
    assert_validation_error(write({"title": title}), "title", "This field may not be blank.")
    assert_unchanged(task)


def test_title_over_200_characters_is_422(write, task):
    body = assert_validation_error(write({"title": "x" * 201}), "title")

    assert "200" in body["errors"]["title"][0]
    assert_unchanged(task)


def test_title_is_stripped_before_its_length_is_checked(write):
    response = write({"title": "  " + "x" * 200 + "\n"})

    assert response.status_code in (200, 201)
    assert response.json()["title"] == "x" * 200
    assert Task.objects.get(pk=response.json()["id"]).title == "x" * 200


def test_title_is_stripped_of_surrounding_white_space(write):
    response = write({"title": "\t Buy  milk \n"})

    assert response.json()["title"] == "Buy  milk"


@pytest.mark.parametrize("route", ["create", "put"])
def test_missing_title_is_required(user, user_client, task, route):
    method, url = (
        ("post", tasks_url("token", user))
        if route == "create"
        else ("put", tasks_url("token", user, task.pk))
    )

    response = getattr(user_client, method)(url, {"description": "no title"}, format="json")

    assert_validation_error(response, "title", "This field is required.")
    assert_unchanged(task)


def test_null_title_is_422(write, task):
    assert_validation_error(write({"title": None}), "title", "This field may not be null.")
    assert_unchanged(task)


@pytest.mark.parametrize("title", [42, 1.5, True, ["a"], {"a": "b"}], ids=repr)
def test_title_of_another_json_type_is_422(write, task, title):
    assert_validation_error(write({"title": title}), "title")
    assert_unchanged(task)


@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_character_is_422(write, task, field):
    body = {"title": "ok", field: "a\x00b"}

    assert_validation_error(write(body), field)
    assert_unchanged(task)


# --- description --------------------------------------------------------------------------


def test_description_of_1000_characters_is_accepted(write):
    response = write({"title": "t", "description": "d" * 1000})

    assert response.status_code in (200, 201)
    assert Task.objects.get(pk=response.json()["id"]).description == "d" * 1000


def test_description_over_1000_characters_is_422(write, task):
    body = assert_validation_error(write({"title": "t", "description": "d" * 1001}), "description")

    assert "1000" in body["errors"]["description"][0]
    assert_unchanged(task)


@pytest.mark.parametrize("description", [None, "", "  padded  "], ids=["null", "empty", "padded"])
def test_description_is_stored_as_given(write, description):
    response = write({"title": "t", "description": description})

    assert response.status_code in (200, 201)
    assert response.json()["description"] == description
    assert Task.objects.get(pk=response.json()["id"]).description == description


@pytest.mark.parametrize("description", [7, False, ["x"], {"x": 1}], ids=repr)
def test_description_of_another_json_type_is_422(write, task, description):
    assert_validation_error(write({"title": "t", "description": description}), "description")
    assert_unchanged(task)


# --- completed ----------------------------------------------------------------------------


@pytest.mark.parametrize("completed", ["maybe", "true", "false", 1, 0, None, []], ids=repr)
def test_completed_must_be_a_json_boolean(write, task, completed):
    assert_validation_error(write({"title": "t", "completed": completed}), "completed")
    assert_unchanged(task)


def test_every_failing_field_is_listed_and_the_first_is_named(write, task):
    body = assert_validation_error(
        write({"title": "", "description": "d" * 1001, "completed": "maybe"}), "title"
    )

    assert set(body["errors"]) == {"title", "description", "completed"}
    assert_unchanged(task)


# --- The body as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize("body", [[{"title": "t"}], "title", None, 42, True], ids=repr)
def test_body_that_is_not_an_object_is_422(write, task, body):
    response = write(body)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert response.json()["field"] == "non_field_errors"
    assert_unchanged(task)


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"title": "t",}', b"{'title': 't'}", b'{"title": NaN}', b"\xff\xfe", b'{"title": "t"} x'],
    ids=["unclosed", "trailing-comma", "single-quotes", "nan", "bad-utf8", "trailing-junk"],
)
def test_malformed_json_is_400(write, task, raw):
    response = write(raw)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "malformed_json"
    assert body["status"] == 400
    assert body["title"] == "Bad Request"
    assert_unchanged(task)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "\\ud800"}',
        b'{"title": "ok", "description": "\\udfff x"}',
        b'{"\\ud800": 1, "title": "t"}',
    ],
    ids=["title", "description", "key"],
)
def test_a_lone_surrogate_is_400_not_500(write, task, raw):
    response = write(raw)

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert_unchanged(task)


def test_deeply_nested_json_is_400(write, task):
    depth = 20_000  # far past the parser's recursion limit, well under the body limit

    response = write(b'{"title": ' + b"[" * depth + b"]" * depth + b"}")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert_unchanged(task)


def test_a_body_over_the_limit_is_413(write, task):
    limit = settings.API_MAX_BODY_BYTES
    prefix = b'{"title": "t", "description": "'
    raw = prefix + b"x" * (limit + 1 - len(prefix) - 2) + b'"}'
    assert len(raw) == limit + 1

    response = write(raw)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert_unchanged(task)


def test_a_body_at_the_limit_is_read(write, task):
    limit = settings.API_MAX_BODY_BYTES
    raw = b'{"title": "t", "padding": "' + b"x" * (limit - 29) + b'"}'
    assert len(raw) == limit

    response = write(raw)

    assert response.status_code in (200, 201)


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("text/plain", b'{"title": "t"}'),
        ("application/x-www-form-urlencoded", b"title=t"),
        (
            "multipart/form-data; boundary=XX",
            b'--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nt\r\n--XX--\r\n',
        ),
        ("application/xml", b"<title>t</title>"),
    ],
    ids=["text", "form", "multipart", "xml"],
)
def test_a_body_that_is_not_json_is_415(write, task, content_type, raw):
    response = write(raw, content_type=content_type)

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unsupported_media_type"
    assert_unchanged(task)


def test_json_with_a_charset_parameter_is_json(write):
    response = write({"title": "t"}, content_type="application/json; charset=utf-8")

    assert response.status_code in (200, 201)


# --- PATCH …/complete bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b"{", "application/json", 400, "malformed_json"),
        (b"[]", "application/json", 422, "validation_error"),
        (b"null", "application/json", 422, "validation_error"),
        (b'{"completed": "maybe"}', "application/json", 422, "validation_error"),
        (b"completed=true", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"completed": true}', "text/plain", 415, "unsupported_media_type"),
    ],
    ids=["malformed", "list", "null", "maybe", "form", "text"],
)
def test_complete_rejects_bad_bodies(user, user_client, task, raw, content_type, status, code):
    response = user_client.patch(
        tasks_url("token", user, task.pk, suffix="complete"), data=raw, content_type=content_type
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    assert_unchanged(task)


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


@pytest.fixture
def quiet_client(user, token_for):
    """A client that shows a server error as its status, as a real server would."""
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


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
