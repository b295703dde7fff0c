"""A client-side deadline on every database wait made while a request is served.

``statement_timeout`` stops a slow query on a server that is alive. It cannot help when the
server does not answer at all: frozen processes, or a network partition where the kernel
still acknowledges packets, leave psycopg waiting for ever (TCP keepalives and
``tcp_user_timeout`` never fire while data is acknowledged). So one watchdog thread per
process keeps a registry of the waits in progress; when one passes its deadline, the
watchdog shuts that connection's socket down. The blocked call then returns at once,
:class:`DatabaseDeadlineExceeded` is raised (a Django ``OperationalError``, answered 503 by
``DatabaseUnavailableMiddleware``) and the broken connection is dropped.

psycopg sends every exchange with the server through ``Connection.wait()``: queries and
fetches, ``COMMIT`` and ``ROLLBACK``, Django's and the pool's health checks. That one method
is where the deadline is armed, on connections created while the middleware is installed.
Connecting is bounded by libpq's ``connect_timeout`` instead. The deadline applies only
inside :func:`request_deadline`, so migrations and management commands are never cut.
"""

import contextlib
import contextvars
import logging
import os
import socket
import threading
import time

import psycopg
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

_deadline_seconds: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "database_wait_deadline", default=None
)


class DatabaseDeadlineExceeded(OperationalError):
    """The database did not answer within the deadline; the connection has been cut."""


class Watchdog:
    """One thread per process that cuts the connections whose wait passed its deadline.

    Arming and disarming are one dict insert and one dict pop (atomic in CPython): no lock,
    no thread and no system call per query. Whoever pops an entry first owns it, so a wait
    that finishes just as its deadline passes is either left alone or known to be cut. The
    thread wakes every ``tick`` seconds, which bounds how late a cut can come.
    """

    def __init__(self, tick: float = 0.1):
        self.tick = tick
        self._reset()
        # A forked worker starts with no thread and no registry of its parent's.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._pending: dict[object, tuple[float, object]] = {}
        self._cutting = threading.Lock()
        self._starting = threading.Lock()
        self._thread: threading.Thread | None = None

    def arm(self, pgconn, seconds: float) -> object:
        """Registers a wait on ``pgconn``; returns the token that :meth:`disarm` takes."""
        if self._thread is None:
            self._start()
        token = object()
        self._pending[token] = (time.monotonic() + seconds, pgconn)
        return token

    def disarm(self, token: object) -> bool:
        """True when the wait ended in time; False when its connection was cut."""
        if self._pending.pop(token, None) is not None:
            return True
        with self._cutting:  # A cut in progress finishes before the caller goes on.
            return False

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="database-deadline", daemon=True)
                thread.start()
                self._thread = thread

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            if not self._pending:
                continue
            now = time.monotonic()
            for token, (deadline, pgconn) in self._pending.copy().items():
                if deadline <= now:
                    with self._cutting:
                        if self._pending.pop(token, None) is not None:
                            shut_down_socket(pgconn)


def shut_down_socket(pgconn) -> None:
    """Shuts the connection's socket down, so whatever waits on it wakes with an error.

    The descriptor is duplicated first: shutting a socket down acts on the socket itself,
    and closing the duplicate leaves libpq's own descriptor for psycopg to close.
    """
    try:
        duplicate = socket.socket(fileno=os.dup(pgconn.socket))
    except (psycopg.Error, OSError):
        return  # Already closed or lost: nothing waits on it any more.
    with duplicate, contextlib.suppress(OSError):
        duplicate.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()


def _deadline_class(cls: type) -> type:
    """A subclass of the psycopg connection class whose waits honour the request's deadline.

    A direct subclass adding no attributes, so an open connection's ``__class__`` may be
    swapped for it (a mixin base would change the object layout).
    """
    base_wait = cls.wait

    def wait(self, *args, **kwargs):
        seconds = _deadline_seconds.get()
        if seconds is None:
            return base_wait(self, *args, **kwargs)
        token = WATCHDOG.arm(self.pgconn, seconds)
        try:
            result = base_wait(self, *args, **kwargs)
        except psycopg.Error as error:
            if WATCHDOG.disarm(token):
                raise
            logger.error("The database did not answer within %s s; connection cut", seconds)
            message = f"The database did not answer within {seconds} seconds."
            raise DatabaseDeadlineExceeded(message) from error
        except BaseException:
            WATCHDOG.disarm(token)
            raise
        WATCHDOG.disarm(token)
        return result

    return type(f"Deadline{cls.__name__}", (cls,), {"wait": wait, "deadline_waits": True})


_deadline_classes: dict[type, type] = {}


def adopt(raw_connection) -> None:
    """Gives an open psycopg connection deadline-bound waits."""
    cls = type(raw_connection)
    if getattr(cls, "deadline_waits", False):
        return
    if cls not in _deadline_classes:
        _deadline_classes[cls] = _deadline_class(cls)
    raw_connection.__class__ = _deadline_classes[cls]


def _adopt_new_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and connection.connection is not None:
        adopt(connection.connection)


def install() -> None:
    """Every PostgreSQL connection Django opens from now on honours :func:`request_deadline`."""
    connection_created.connect(_adopt_new_connection, dispatch_uid="todo_project.db_deadline")


@contextlib.contextmanager
def request_deadline(seconds: float | None):
    """Within the block, a database wait longer than ``seconds`` fails; ``None``/0: no bound."""
    reset = _deadline_seconds.set(seconds or None)
    try:
        yield
    finally:
        _deadline_seconds.reset(reset)


def drop_broken_connections() -> None:
    """Closes the connections a failure left broken, so the next request opens a new one.

    Django otherwise keeps a connection whose socket is gone until a health check (if any)
    notices, and answers the next request with an error the database did not cause.
    """
    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if connection.vendor == "postgresql" and raw is not None and (raw.broken or raw.closed):
            with contextlib.suppress(Exception):
                connection.close()
