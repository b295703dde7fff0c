"""Server-side failures: a bare 500 or a 503 with Retry-After, never internals, always the request id."""

import pytest
from django.conf import settings
from django.db import DataError, InterfaceError, OperationalError, connection
from rest_framework.test import APIClient

from tasks.tests.factories import TaskFactory
from testing.helpers import assert_problem
from todo_project.request_id import RequestIDLogFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client(user, token_for):
    """A client that answers a server error as the server would, instead of re-raising it."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


# --- 500, 503 ---------------------------------------------------------------------------------

SECRET_MESSAGE = "SELECT \"password\" FROM accounts_user WHERE token = 'hunter2'"


def assert_leaks_nothing(response) -> None:
    text = response.content.decode()
    for secret in (
        "hunter2",
        "SELECT",
        "password",
        "Traceback",
        'File "',
        settings.SECRET_KEY,
        settings.BETTER_AUTH_SECRET,
    ):
        assert secret not in text


@pytest.mark.parametrize(
    "error", [RuntimeError(SECRET_MESSAGE), DataError(SECRET_MESSAGE), KeyError("hunter2")]
)
def test_an_unexpected_error_is_a_bare_500(quiet_client, monkeypatch, error):
    def explode(**kwargs):
        raise error

    monkeypatch.setattr("tasks.views.task_create", explode)

    response = quiet_client.post("/api/tasks", {"title": "t"}, format="json", HTTP_X_REQUEST_ID="trace-me-42")

    body = assert_problem(response, 500, "server_error")
    assert_leaks_nothing(response)
    assert body["request_id"] == "trace-me-42" == response["X-Request-ID"]


def test_an_error_in_a_list_is_a_500_too(quiet_client, monkeypatch):
    def explode(*args, **kwargs):
        raise ZeroDivisionError(SECRET_MESSAGE)

    monkeypatch.setattr("tasks.views.task_first_answers", explode)

    response = quiet_client.get("/api/tasks")

    assert_problem(response, 500, "server_error")
    assert_leaks_nothing(response)


def refuse_every_query(execute, sql, params, many, context):
    """An execute wrapper: every query fails the way a lost database connection does."""
    raise OperationalError(f"could not connect to server; {SECRET_MESSAGE}")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/tasks", None),
        ("post", "/api/tasks", {"title": "t"}),
        ("patch", "/api/tasks/1/complete", None),
        ("delete", "/api/tasks/1", None),
    ],
)
def test_database_unreachable_is_503_with_retry_after(quiet_client, user, method, path, body):
    TaskFactory(user=user, id=1)
    quiet_client.get("/api/tasks")  # the user is known and fresh: the request goes past auth

    with connection.execute_wrapper(refuse_every_query):
        if body is None:
            response = getattr(quiet_client, method)(path)
        else:
            response = getattr(quiet_client, method)(path, body, format="json")

    assert_problem(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0
    assert_leaks_nothing(response)


def test_database_unreachable_during_authentication_is_503(quiet_client):
    with connection.execute_wrapper(refuse_every_query):
        response = quiet_client.get("/api/tasks")

    assert_problem(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0
    assert_leaks_nothing(response)


def test_a_dropped_connection_is_503(quiet_client, monkeypatch):
    def dropped(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("tasks.views.task_first_answers", dropped)

    assert_problem(quiet_client.get("/api/tasks"), 503, "service_unavailable")


# --- The request id in Django's own log line for a 5xx -----------------------------------------


def test_the_log_line_of_a_503_carries_the_request_id(quiet_client, monkeypatch, caplog):
    # Django logs a returned 5xx after the whole middleware chain has run.
    def explode(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("tasks.views.task_create", explode)
    caplog.handler.addFilter(RequestIDLogFilter())  # what the project's log handler does

    with caplog.at_level("ERROR", logger="django.request"):
        quiet_client.post("/api/tasks", {"title": "t"}, format="json", HTTP_X_REQUEST_ID="trace-me-43")

    lines = [record for record in caplog.records if record.name == "django.request"]
    assert lines
    assert {record.request_id for record in lines} == {"trace-me-43"}
