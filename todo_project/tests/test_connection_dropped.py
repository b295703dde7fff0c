"""A persistent connection the database terminates: one 503 at most, never a 500, then 200.

The health check (``SELECT 1``) is skipped for a connection in steady use, so a connection
the server kills between two requests fails its next query; that request is a 503 and
Django replaces the connection when it ends. Against a real server on PostgreSQL, whose
backend for the worker's connection another connection terminates.
"""

import secrets
import time
import uuid

import jwt
import psycopg
import pytest
from django.db import connection

from testing.app_server import manage, production_environment, start_app_server
from todo_project.middleware import HEALTH_CHECK_AFTER_IDLE_SECONDS

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")


@pytest.fixture
def scratch_database():
    """A database of its own, committed to by the server and dropped afterwards."""
    settings = connection.settings_dict
    name = f"conn_drop_{uuid.uuid4().hex[:12]}"
    host, port, user = settings["HOST"], settings["PORT"] or 5432, settings["USER"]
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres")
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin, f"postgresql://{user}@{host}:{port}/{name}", name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def server_backends(admin, name: str) -> list[int]:
    rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)).fetchall()
    return [pid for (pid,) in rows]


def test_a_terminated_connection_is_503_then_200(scratch_database):
    admin, url, name = scratch_database
    secret = secrets.token_urlsafe(48)
    # One worker with one thread: one connection, whose termination costs one request. The
    # outage breaker stays on: a terminated connection (57P01) is no outage.
    env = production_environment(DATABASE_URL=url, BETTER_AUTH_SECRET=secret, GRANIAN_BLOCKING_THREADS="1")
    manage(env, "migrate", "--no-input", "-v", "0")
    token = jwt.encode({"sub": "ba_conn", "exp": int(time.time()) + 600}, secret, algorithm="HS256")

    with start_app_server(env, workers=1) as live:
        for _ in range(3):  # the user is synced, then remembered: the connection is in use
            assert live.request("GET", "/api/tasks", token=token)[0] == 200
        (pid,) = server_backends(admin, name)
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)

        status, headers, _ = live.request("GET", "/api/tasks", token=token)
        assert status in (200, 503), status
        if status == 503:
            assert headers["Retry-After"]
        statuses = [live.request("GET", "/api/tasks", token=token)[0] for _ in range(3)]
        log = live.log()

    assert statuses == [200, 200, 200]
    assert "Internal Server Error" not in log


@pytest.mark.django_db
def test_only_a_connection_idle_for_a_while_is_checked(user, user_client, monkeypatch):
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("SELECT 1") or True)
    assert connection.health_check_enabled
    url = "/api/tasks"

    connection.health_check_done = False  # as Django leaves it when a request starts
    connection.last_query_at = time.monotonic() - HEALTH_CHECK_AFTER_IDLE_SECONDS - 1
    assert user_client.get(url).status_code == 200
    assert checks == ["SELECT 1"]

    connection.health_check_done = False
    assert user_client.get(url).status_code == 200  # the connection ran a query just now
    assert checks == ["SELECT 1"]
