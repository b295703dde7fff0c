"""The database deadline and the outage breaker, against a private PostgreSQL."""

import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError

from todo_project import db_deadline
from todo_project.db_deadline import DatabaseDeadlineExceeded, request_deadline
from todo_project.db_outage import OutageBreaker, is_connection_failure

LATEST = 1 + 2 * db_deadline.WATCHDOG.tick + 0.3  # the deadline, the watchdog's tick, slack


@pytest.fixture
def raw(private_server):
    """A psycopg connection to the private server, with deadline-bound waits."""
    connection = psycopg.connect(private_server.url(), autocommit=True)
    db_deadline.adopt(connection)
    yield connection
    connection.close()


@contextmanager
def frozen(server):
    server.freeze()
    try:
        yield
    finally:
        server.thaw()


@contextmanager
def takes_between(shortest: float, longest: float):
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert shortest <= elapsed < longest, elapsed


def test_a_query_to_a_frozen_server_fails_at_its_deadline(private_server, raw):
    with (
        frozen(private_server),
        takes_between(1, LATEST),
        pytest.raises(DatabaseDeadlineExceeded),
        request_deadline(1),
    ):
        raw.execute("SELECT 1")

    assert raw.broken


def test_a_commit_to_a_frozen_server_fails_at_its_deadline(private_server, raw):
    raw.autocommit = False
    raw.execute("SELECT 1")  # a transaction is open

    with (
        frozen(private_server),
        takes_between(1, LATEST),
        pytest.raises(DatabaseDeadlineExceeded),
        request_deadline(1),
    ):
        raw.commit()


def test_a_slow_query_on_a_live_server_is_cut_as_well(raw):
    with takes_between(1, LATEST), pytest.raises(DatabaseDeadlineExceeded), request_deadline(1):
        raw.execute("SELECT pg_sleep(5)")


def test_waits_that_end_in_time_leave_the_connection_alone(raw):
    with request_deadline(1):
        for _ in range(200):
            raw.execute("SELECT 1")
    time.sleep(LATEST)  # every deadline above has passed: none of them may fire now

    assert raw.execute("SELECT 2").fetchone() == (2,)
    assert not raw.broken


def test_outside_a_request_nothing_is_bounded(raw):
    with request_deadline(1):
        raw.execute("SELECT 1")

    with takes_between(1.3, 10):
        raw.execute("SELECT pg_sleep(1.3)")
    assert not raw.broken


def test_a_connection_is_adopted_once():
    connection = psycopg.Connection.__new__(psycopg.Connection)
    db_deadline.adopt(connection)
    cls = type(connection)
    db_deadline.adopt(connection)

    assert type(connection) is cls and issubclass(cls, psycopg.Connection)


# --- What opens the outage breaker --------------------------------------------------------


def django_error(cause: Exception) -> OperationalError:
    """A database error as Django raises it: the driver's error is its cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_an_unreachable_server_is_an_outage():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect("postgresql://postgres@127.0.0.1:1/none", connect_timeout=2)

    assert is_connection_failure(django_error(refused.value))
    assert is_connection_failure(DatabaseDeadlineExceeded("no answer"))


def test_a_query_the_server_cancelled_is_no_outage(raw):
    raw.execute("SET statement_timeout = 100")
    with pytest.raises(psycopg.errors.QueryCanceled) as cancelled:
        raw.execute("SELECT pg_sleep(1)")

    assert not is_connection_failure(django_error(cancelled.value))
    assert not is_connection_failure(OperationalError("no driver error behind it"))


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (psycopg.errors.AdminShutdown, False),  # 57P01: this one connection was terminated
        (psycopg.errors.CrashShutdown, True),  # 57P02
        (psycopg.errors.CannotConnectNow, True),  # 57P03: shutting down or starting up
        (psycopg.errors.TooManyConnections, True),  # 53300
    ],
)
def test_which_server_states_are_an_outage(error, outage):
    assert is_connection_failure(django_error(error("from the server"))) is outage


def test_the_breaker_opens_on_an_outage_for_its_cooldown_only():
    breaker = OutageBreaker(cooldown=0.5)
    breaker.record(django_error(psycopg.errors.QueryCanceled("statement timeout")))
    assert not breaker.is_open()

    breaker.record(DatabaseDeadlineExceeded("no answer"))
    assert breaker.is_open()
    time.sleep(0.6)
    assert not breaker.is_open()


def test_a_breaker_without_cooldown_never_opens():
    breaker = OutageBreaker(cooldown=0)
    breaker.record(DatabaseDeadlineExceeded("no answer"))

    assert not breaker.is_open()
