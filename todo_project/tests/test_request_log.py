"""One log line per request, and the Server-Timing header on every response."""

import json
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.tests.factories import TaskFactory
from testing.helpers import run_django

ALLOWED = "https://app.example.com"  # the test settings' CORS_ORIGINS
SERVER_TIMING = re.compile(r"app;dur=(\d+\.\d), db;dur=(\d+\.\d)")


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "todo_project.request_log"]


@pytest.mark.django_db
def test_one_line_names_the_route_status_time_and_queries(user, user_client, caplog):
    task = TaskFactory(user=user)
    caplog.set_level(logging.INFO, logger="todo_project.request_log")
    with CaptureQueriesContext(connection) as queries:
        response = user_client.get(f"/api/{user.pk}/tasks/{task.pk}", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200

    [line] = request_lines(caplog)
    assert line.method == "GET"
    assert line.route == "api/(?P<user_id>[^/]+)/tasks/(?P<pk>[0-9]+)/?$"
    assert line.status == 200
    assert line.db_queries == len(queries.captured_queries) > 0
    assert 0 <= line.db_ms <= line.duration_ms
    assert line.request_id == "req-42"
    # The user's id is not in the line: only the pattern is.
    message = line.getMessage()
    assert user.pk not in message
    assert f"status=200 duration_ms={line.duration_ms:.1f}" in message


@pytest.mark.django_db
def test_the_line_holds_no_token_query_string_or_body(user, token_for, api_client, caplog):
    caplog.set_level(logging.INFO)
    token = token_for(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    api_client.post("/api/tasks?search=secret-word", {"title": "body-secret"}, format="json")
    api_client.get("/api/tasks?search=secret-word")
    assert len(request_lines(caplog)) == 2
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    for secret in (token, token.split(".")[2], "secret-word", "body-secret"):
        assert secret not in logged


@pytest.mark.django_db
def test_a_request_that_matched_no_route_is_not_logged_by_its_path(api_client, caplog):
    caplog.set_level(logging.INFO, logger="todo_project.request_log")
    response = api_client.get("/api/no-such-thing/12345")
    assert response.status_code == 404
    [line] = request_lines(caplog)
    assert line.route == "<unmatched>"
    assert line.status == 404
    assert "12345" not in line.getMessage()


@pytest.mark.django_db
def test_a_refused_request_is_logged_with_its_status(api_client, caplog):
    caplog.set_level(logging.INFO, logger="todo_project.request_log")
    api_client.get("/api/tasks")
    [line] = request_lines(caplog)
    assert (line.route, line.status, line.db_queries) == ("api/tasks/?$", 401, 0)


@pytest.mark.django_db
def test_server_timing_gives_app_and_database_time(user, user_client):
    TaskFactory.create_batch(3, user=user)
    response = user_client.get("/api/tasks")
    match = SERVER_TIMING.fullmatch(response["Server-Timing"])
    assert match, response["Server-Timing"]
    app_ms, db_ms = float(match[1]), float(match[2])
    assert app_ms > 0
    assert 0 <= db_ms <= app_ms


@pytest.mark.django_db
def test_a_response_without_queries_has_zero_database_time(api_client):
    response = api_client.get("/api/health")
    assert SERVER_TIMING.fullmatch(response["Server-Timing"])[2] == "0.0"


@pytest.mark.django_db
def test_timing_is_shown_to_the_allowed_origin_only(user_client):
    allowed = user_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED)
    assert allowed["Timing-Allow-Origin"] == ALLOWED
    other = user_client.get("/api/tasks", HTTP_ORIGIN="https://evil.example.net")
    assert "Timing-Allow-Origin" not in other
    assert "Timing-Allow-Origin" not in user_client.get("/api/tasks")


JSON_LOG_SCRIPT = """
import time
import jwt
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
claims = {"sub": "u1", "exp": int(time.time()) + 60}
token = jwt.encode(claims, settings.BETTER_AUTH_SECRET, algorithm="HS256")
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_REQUEST_ID="req-json")
client.get("/api/tasks?search=secret-word", HTTP_AUTHORIZATION="Bearer " + token)
"""


def test_json_lines_when_asked(tmp_path):
    result = run_django(
        JSON_LOG_SCRIPT,
        "todo_project.settings.test",
        DJANGO_LOG_FORMAT="json",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    [line] = [record for record in records if record["name"] == "todo_project.request_log"]
    assert line["levelname"] == "INFO"
    assert line["request_id"] == "req-json"
    assert (line["method"], line["route"], line["status"]) == ("GET", "api/tasks/?$", 200)
    assert isinstance(line["duration_ms"], float) and line["db_queries"] >= 1
    assert "timestamp" in line
    assert "secret-word" not in result.stderr
    assert "eyJ" not in result.stderr  # how every JWT begins


def test_an_unknown_log_format_is_refused():
    result = run_django("", "todo_project.settings.test", DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be plain or json" in result.stderr


def test_the_json_format_drops_the_request_django_attaches_to_its_records(rf):
    from todo_project.log_format import ApiJsonFormatter

    request = rf.get("/api/tasks?search=secret-word")
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Server error", (), None)
    record.request, record.status_code = request, 500
    line = json.loads(ApiJsonFormatter("%(levelname)s %(message)s").format(record))
    assert line["status_code"] == 500
    assert "request" not in line
    assert "secret-word" not in json.dumps(line)
