"""X-Request-ID: the caller's own when it is safe, a fresh one otherwise."""

import pytest

from testing.helpers import GENERATED_REQUEST_ID

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "request_id", ["abc-123", "A.b_c-9", "x" * 128, "0f8fad5b-d9cb-469f-a165-70867728950e"]
)
def test_a_safe_request_id_is_echoed(user_client, request_id):
    for path in ("/api/tasks", "/api/nope", "/api/health"):
        response = user_client.get(path, HTTP_X_REQUEST_ID=request_id)

        assert response["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    [
        "",
        "has space",
        "x" * 129,
        "line\nbreak",
        "trailing-newline\n",
        "tab\there",
        "ünïcode",
        "semi;colon",
        "<script>",
        "a/b",
    ],
    ids=[
        "empty",
        "space",
        "too-long",
        "newline",
        "trailing-newline",
        "tab",
        "unicode",
        "semicolon",
        "markup",
        "slash",
    ],
)
def test_an_unsafe_request_id_is_replaced(user_client, request_id):
    response = user_client.get("/api/tasks", HTTP_X_REQUEST_ID=request_id)

    assert GENERATED_REQUEST_ID.match(response["X-Request-ID"])


def test_a_missing_request_id_is_generated_fresh_each_time(user_client, api_client):
    ids = {user_client.get("/api/tasks")["X-Request-ID"], api_client.get("/api/tasks")["X-Request-ID"]}

    assert len(ids) == 2
    assert all(GENERATED_REQUEST_ID.match(request_id) for request_id in ids)
