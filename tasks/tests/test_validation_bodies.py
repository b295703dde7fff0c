"""A body that is no object, no JSON, too big or of another type: 400/413/415/422, no write."""

import pytest
from django.conf import settings

from tasks.tests.helpers import assert_unchanged, tasks_url

pytestmark = pytest.mark.django_db


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
