"""Fail fast while the database is known to be down: a per-process circuit breaker.

Each request that waits for a dead database holds its worker for a connect timeout or a
query deadline; with more clients than workers the others queue behind it, and their
answers come later and later. So once a request found the database unreachable, the
process answers the next requests that need it with a 503 at once, for ``cooldown``
seconds; then one request tries again. Health probes are not held back: they never touch
the database.
"""

import time

import psycopg
from django.db import DatabaseError

from .db_deadline import DatabaseDeadlineExceeded

# SQLSTATE classes that mean "no usable connection", not "this statement failed":
# 08 connection exception, 57P02 crash shutdown, 57P03 cannot connect now (shutting down,
# starting up), 53300 too many connections. A statement timeout (57014) or a deadlock is the
# query's own problem; so is 57P01, one connection terminated by an administrator (or a
# serverless Postgres reaping it): the next request reconnects, and if the server is really
# going away that connect fails and opens the breaker.
_CONNECTION_STATES = ("08", "57P02", "57P03", "53300")


def is_connection_failure(exception: BaseException) -> bool:
    """True when the database could not be reached (or stopped answering), as opposed to a
    query it refused."""
    if isinstance(exception, DatabaseDeadlineExceeded):
        return True
    if not isinstance(exception, DatabaseError):
        return False
    cause = exception.__cause__
    if not isinstance(cause, psycopg.Error):
        return False
    # No SQLSTATE: the client's own error (connection refused, lost, timed out; pool timeout).
    return cause.sqlstate is None or cause.sqlstate.startswith(_CONNECTION_STATES)


class OutageBreaker:
    """Open for ``cooldown`` seconds after a connection failure; closed otherwise."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self._open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def record(self, exception: BaseException) -> None:
        """Opens the breaker when ``exception`` says the database is out of reach."""
        if self.cooldown and is_connection_failure(exception):
            self._open_until = time.monotonic() + self.cooldown
