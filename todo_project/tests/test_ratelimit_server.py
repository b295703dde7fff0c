"""The rate limit against a real server with two workers: exactly the limit gets through.

16 clients released together by a barrier, with and without Redis, and across a restart of
every worker (which used to reset a per-process count).
"""

import contextlib
import json
import shutil
import threading
import uuid
from pathlib import Path

import pytest

from testing.app_server import manage, production_environment, start_app_server
from testing.helpers import make_token
from todo_project.tests.ratelimit_helpers import REDIS_URL, redis_client, redis_prefix

LIMIT = 20
CLIENTS = 16
WORKERS = 2


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied by each server (migrating takes seconds)."""
    workdir = tmp_path_factory.mktemp("ratelimit-database")
    manage(
        production_environment(SQLITE_PATH=str(workdir / "db.sqlite3")), "migrate", "--no-input", "-v", "0"
    )
    return workdir / "db.sqlite3"


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def server(request, tmp_path_factory, migrated_database):
    """A server limiting each user to 20 requests a minute, counted in SQLite or in Redis."""
    workdir = tmp_path_factory.mktemp(f"ratelimit-{request.param}")
    shutil.copy(migrated_database, workdir / "db.sqlite3")
    env = production_environment(
        SQLITE_PATH=str(workdir / "db.sqlite3"),
        API_THROTTLE_RATE=f"{LIMIT}/min",
        API_THROTTLE_SQLITE_PATH=str(workdir / "ratelimit.sqlite3"),
    )
    with store_settings(request.param) as store_env:
        env.update(store_env)
        with start_app_server(env, workers=WORKERS) as live:
            live.secret = env["BETTER_AUTH_SECRET"]
            yield live


def store_settings(store: str):
    """The Redis settings of a prefix of this run's own (its keys deleted after), or none."""
    if store != "redis":
        return contextlib.nullcontext({})

    @contextlib.contextmanager
    def redis_settings():
        client = redis_client()
        with redis_prefix(client) as prefix:
            yield {"REDIS_URL": REDIS_URL, "API_THROTTLE_KEY_PREFIX": prefix}
            assert list(client.scan_iter(match=f"{prefix}:*")), "the server did not count in Redis"

    return redis_settings()


def new_user_token(server) -> str:
    user_id = f"user-{uuid.uuid4().hex}"
    return make_token(key=server.secret, sub=user_id, email=f"{user_id}@example.com", name="Load")


def burst(server, token: str, *, each: int) -> list[tuple[int, dict, bytes]]:
    """CLIENTS threads released at once, each sending ``each`` requests: every response."""
    barrier = threading.Barrier(CLIENTS)
    responses, errors = [], []

    def client():
        try:
            barrier.wait(timeout=10)
            for _ in range(each):
                responses.append(server.request("GET", "/api/tasks", token=token))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(responses) == CLIENTS * each
    return responses


def statuses(responses) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status, _, _ in responses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def assert_refusals_are_problems(responses) -> None:
    for status, headers, body in responses:
        if status == 429:
            assert headers["Content-Type"] == "application/problem+json"
            assert json.loads(body)["code"] == "throttled"
            assert 0 < int(headers["Retry-After"]) <= 60


def test_exactly_the_limit_gets_through_concurrent_clients(server):
    responses = burst(server, new_user_token(server), each=5)

    assert statuses(responses) == {200: LIMIT, 429: CLIENTS * 5 - LIMIT}
    assert_refusals_are_problems(responses)


def test_the_count_carries_on_across_a_restart_of_every_worker(server):
    token = new_user_token(server)
    before = burst(server, token, each=1)
    server.restart_workers(count=WORKERS)
    after = burst(server, token, each=5)

    assert statuses(before) == {200: CLIENTS}
    assert statuses(after) == {200: LIMIT - CLIENTS, 429: CLIENTS * 5 - (LIMIT - CLIENTS)}
    assert_refusals_are_problems(after)


def test_each_user_has_a_limit_of_their_own(server):
    burst(server, new_user_token(server), each=2)

    assert statuses(burst(server, new_user_token(server), each=1)) == {200: CLIENTS}
