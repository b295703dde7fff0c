"""A sick database under load: frozen, stopped, and stopped behind the pool.

The app runs behind its production server with production settings; the database is a
private PostgreSQL the test starts itself, so it can be SIGSTOPped and stopped. During a
fault every API request gets an answer within 5 s (a 503 problem with ``Retry-After``),
``/api/health`` stays 200 and nothing is a 500; afterwards the service recovers, and every
task that was answered 201 is a row.
"""

import time
from contextlib import ExitStack

import psycopg
import pytest

from testing.app_server import manage, production_environment, start_app_server
from testing.helpers import make_token
from testing.traffic import Traffic

DATABASE = "faults"
# The contract of the issue: an answer within this, whatever the database does.
ANSWER_WITHIN = 5.0


@pytest.fixture(scope="module")
def postgres(private_server):
    """The private server with a migrated database of this module's."""
    with psycopg.connect(private_server.url(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    environment = production_environment(DATABASE_URL=private_server.url(DATABASE))
    manage(environment, "migrate", "--no-input", "-v", "0")
    return private_server


@pytest.fixture
def running(postgres):
    """``running(**env)``: the app server against the private database, and a user's token."""
    with ExitStack() as servers:

        def _running(**env):
            environment = production_environment(DATABASE_URL=postgres.url(DATABASE), **env)
            server = servers.enter_context(start_app_server(environment))
            token = make_token(key=environment["BETTER_AUTH_SECRET"], sub="fault-user", email="f@example.com")
            return server, token

        yield _running


def assert_every_answer_in_time(answers):
    """Answered, quickly, never a 500; each 503 a problem the client may retry."""
    assert answers
    for answer in answers:
        assert answer.status is not None, answer.error
        assert answer.seconds < ANSWER_WITHIN, (answer.kind, answer.status, answer.seconds)
        assert answer.status != 500, answer.body
        if answer.kind == "health":
            assert answer.status == 200, answer.body
        elif answer.status == 503:
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.json()["code"] == "service_unavailable"
            assert int(answer.headers["Retry-After"]) > 0
        else:
            assert answer.status == {"create": 201, "list": 200}[answer.kind], answer.body


def assert_recovered(traffic, since: float, within: float = 15) -> float:
    """Within ``within`` s of the fault's end every request succeeds again (for 1.5 s running,
    on every worker); returns how long after ``since`` the last failure was answered."""
    while time.monotonic() < since + within:
        time.sleep(0.25)
        now = time.monotonic()
        recent = traffic.between(since, now)
        failed = [a.started + a.seconds for a in recent if a.status not in (200, 201)]
        last_failure = max(failed, default=since)
        succeeded_since = [a for a in recent if a.started > last_failure]
        if now - last_failure >= 1.5 and len(succeeded_since) >= 6:
            return last_failure - since
    raise AssertionError(f"not recovered {within} s after the fault: {summary(traffic.between(since, now))}")


def assert_created_tasks_are_rows(postgres, answers):
    created = [a.json()["id"] for a in answers if a.kind == "create" and a.status == 201]
    assert created
    with psycopg.connect(postgres.url(DATABASE)) as connection:
        rows = connection.execute("SELECT id FROM tasks_task WHERE id = ANY(%s)", [created]).fetchall()
    assert sorted(row[0] for row in rows) == sorted(created)


def summary(answers) -> str:
    api = [a for a in answers if a.api]
    slowest = max((a.seconds for a in api), default=0)
    by_status = {}
    for answer in api:
        by_status[answer.status] = by_status.get(answer.status, 0) + 1
    return f"{len(api)} API answers {by_status}, slowest {slowest:.2f} s"


def report(fault, answers, during, recovery):
    """What ``pytest -s`` shows: the numbers the README quotes."""
    health = max(a.seconds for a in answers if not a.api)
    print(
        f"\n{fault}: all {summary(answers)}; in the fault {summary(during)}; "
        f"health slowest {health:.2f} s; recovered in {recovery:.2f} s"
    )


def test_a_frozen_database_gives_fast_503s_and_the_service_recovers(postgres, running):
    server, token = running()
    with Traffic(server, token) as traffic:
        time.sleep(1)
        frozen_at = time.monotonic()
        postgres.freeze()
        try:
            time.sleep(10)
        finally:
            postgres.thaw()
        thawed_at = time.monotonic()
        recovery = assert_recovered(traffic, thawed_at)

    answers = traffic.answers
    assert_every_answer_in_time(answers)
    # Nothing sent while the whole server was stopped can have been answered by it.
    during = traffic.between(frozen_at + 0.1, thawed_at - ANSWER_WITHIN)
    assert during and all(a.status == 503 for a in during), summary(during)
    assert traffic.between(frozen_at, thawed_at, api=False), "health went unasked"
    assert_created_tasks_are_rows(postgres, answers)
    report("frozen", answers, during, recovery)


def stop_for_four_seconds(postgres, server, token):
    """Traffic through a 4 s stop of the server: every answer, those answered while it was down,
    and how long the service took to recover after the restart."""
    with Traffic(server, token) as traffic:
        time.sleep(1)
        postgres.stop("fast")
        down_at = time.monotonic()
        try:
            time.sleep(4)
        finally:
            restart_at = time.monotonic()
            postgres.start()
        recovery = assert_recovered(traffic, time.monotonic())
    assert_every_answer_in_time(traffic.answers)
    during = traffic.answered_within(down_at, restart_at)
    assert during and all(a.status == 503 for a in during), summary(during)
    assert_created_tasks_are_rows(postgres, traffic.answers)
    return traffic.answers, during, recovery


def test_a_stopped_database_gives_immediate_503s_and_the_service_recovers(postgres, running):
    server, token = running()
    answers, during, recovery = stop_for_four_seconds(postgres, server, token)

    # Refused outright: no timeout is waited for.
    assert max(a.seconds for a in during) < 1.0, summary(during)
    report("stopped", answers, during, recovery)


def test_behind_the_pool_an_outage_is_a_503_within_the_pool_timeout(postgres, running):
    server, token = running(DATABASE_POOL="true", DATABASE_POOL_TIMEOUT="2")
    answers, during, recovery = stop_for_four_seconds(postgres, server, token)

    # Within the pool's acquire timeout (2 s), not its default 30 s.
    assert max(a.seconds for a in during) < 3.0, summary(during)
    report("pool, stopped", answers, during, recovery)
