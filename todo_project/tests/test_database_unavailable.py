"""DatabaseUnavailableMiddleware: a 503 wherever the failure happens, at once during an outage."""

import time

import psycopg
import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from testing.helpers import assert_problem

ORIGIN = "https://app.example.com"  # allowed by the test settings


def outage_error() -> OperationalError:
    """What Django raises when the server cannot be reached: the driver's error as its cause."""
    error = OperationalError("connection refused")
    error.__cause__ = psycopg.OperationalError("connection refused")
    return error


class FailingOnTheWayIn:
    """A middleware (innermost) whose database call fails before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/tasks"):
            raise outage_error()
        return self.get_response(request)


@pytest.fixture
def client(user, token_for):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


def test_a_database_failure_in_a_middleware_is_503_not_500(settings, client):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.FailingOnTheWayIn"]
    settings.DATABASE_OUTAGE_COOLDOWN = 0

    response = client.get("/api/tasks", HTTP_ORIGIN=ORIGIN)

    assert_problem(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0
    # What the middleware further in added to the 500 stays on the 503.
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Request-ID" in response


def test_other_server_errors_stay_500(settings, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("tasks.views.task_first_answers", broken)

    assert_problem(client.get("/api/tasks"), 500, "server_error")


def test_after_an_outage_requests_get_503_at_once_until_the_cooldown_ends(settings, client, monkeypatch):
    settings.DATABASE_OUTAGE_COOLDOWN = 1
    client.get("/api/tasks")  # the user is known: later requests need no write
    calls = []

    def unreachable(*args, **kwargs):
        calls.append(1)
        raise outage_error()

    with monkeypatch.context() as patch:
        patch.setattr("tasks.views.task_first_answers", unreachable)
        assert_problem(client.get("/api/tasks"), 503, "service_unavailable")
        # Open: the view is not even tried, and the probe that needs no database answers.
        assert_problem(client.get("/api/tasks"), 503, "service_unavailable")
        assert client.get("/api/health").status_code == 200
    assert calls == [1]

    assert_problem(client.get("/api/tasks"), 503, "service_unavailable")
    time.sleep(1.1)
    assert client.get("/api/tasks").status_code == 200


def test_a_query_error_opens_no_breaker(settings, client, monkeypatch):
    settings.DATABASE_OUTAGE_COOLDOWN = 10
    client.get("/api/tasks")
    cancelled = OperationalError("canceling statement due to statement timeout")
    cancelled.__cause__ = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

    def slow(*args, **kwargs):
        raise cancelled

    with monkeypatch.context() as patch:
        patch.setattr("tasks.views.task_first_answers", slow)
        assert_problem(client.get("/api/tasks"), 503, "service_unavailable")

    assert client.get("/api/tasks").status_code == 200
