"""Exact rate-limit counters: one atomic increment per request, shared by every worker.

A window opens at a key's first hit and lasts ``window`` seconds; every hit inside it adds
one, and the caller allows the request while the count is at most its limit. The increment
and the expiry are one atomic step in one round trip, so concurrent requests can never
both see the same count (DRF's cache throttle reads, then writes, and lets a race through).

- With ``REDIS_URL``: a Lua script (``INCR``, ``PEXPIRE`` on the first hit, ``PTTL``), shared
  by every machine that uses that Redis.
- Without it: a SQLite file of the limiter's own (never the main database, so a read request
  does not write there), shared by every worker on the machine and kept across worker
  restarts; one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per hit.

A store that fails (Redis down, a read-only disk) lets the request through and logs a
warning: the limit protects the service, it must not take it down.
"""

import hashlib
import logging
import os
import sqlite3
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .ratelimit_counter import Counter, Hit

logger = logging.getLogger(__name__)

# How long a SQLite writer waits for another one before giving up (they hold the lock for
# microseconds; this only matters on a stalled disk).
SQLITE_BUSY_SECONDS = 2.0
# Every this many hits, a connection deletes the windows that have ended.
SQLITE_PURGE_EVERY = 1000


_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at REAL NOT NULL)
"""
# One statement: the row's window either goes on (count + 1) or has ended (a new one at 1).
# SQLite evaluates every SET expression against the old row, so both CASEs agree.
_UPSERT = """
INSERT INTO hits (key, count, reset_at) VALUES (:key, 1, :reset_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN reset_at <= :now THEN 1 ELSE count + 1 END,
    reset_at = CASE WHEN reset_at <= :now THEN excluded.reset_at ELSE reset_at END
RETURNING count, reset_at
"""


class SQLiteCounter:
    """Counts in a SQLite file: one upsert per hit, serialised by SQLite's write lock.

    WAL lets readers and the one writer proceed together; ``synchronous=OFF`` skips the
    fsync, which loses nothing when a process dies (only when the machine does, and then a
    rate-limit window is worth nothing anyway). One connection per thread and process.
    """

    errors = (sqlite3.Error, OSError)

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time):
        self.path = str(path)
        self.clock = clock
        self._local = threading.local()

    def hit(self, key: str, *, window: float) -> Hit:
        connection = self._connection()
        now = self.clock()
        params = {"key": key, "now": now, "reset_at": now + window}
        count, reset_at = connection.execute(_UPSERT, params).fetchone()
        self._local.hits += 1
        if self._local.hits % SQLITE_PURGE_EVERY == 0:
            connection.execute("DELETE FROM hits WHERE reset_at <= ?", (now,))
        return Hit(count=count, reset_in=reset_at - now)

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        # A connection must not cross a fork (a server that imports the app before forking).
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
            local.hits = 0
        return local.connection

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(_SCHEMA)
        return connection


def default_sqlite_path() -> Path:
    """A file in a directory only this user may enter, named after this installation.

    Two checkouts on one machine get two files; another local user cannot plant one.
    """
    directory = Path(tempfile.gettempdir()) / f"todo-api-ratelimit-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{directory} is not a private directory of this user.")
    installation = hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:16]
    return directory / f"{installation}.sqlite3"


def counter_from_settings() -> Counter:
    """The counter the settings ask for: Redis with ``REDIS_URL``, else the SQLite file."""
    if settings.REDIS_URL:
        # Imported only here: the Redis client is a tenth of a worker's code (about 7 MB of
        # its memory), and a deployment without Redis never loads it.
        from .ratelimit_redis import RedisCounter, redis_client

        return RedisCounter(redis_client(settings.REDIS_URL), prefix=settings.API_THROTTLE_KEY_PREFIX)
    return SQLiteCounter(settings.API_THROTTLE_SQLITE_PATH or default_sqlite_path())


_counter: Counter | None = None
_counter_lock = threading.Lock()
_SETTINGS = {"REDIS_URL", "API_THROTTLE_KEY_PREFIX", "API_THROTTLE_SQLITE_PATH"}


def rate_limit_hit(*, key: str, window: float) -> Hit | None:
    """Counts one hit of ``key``; ``None`` when the store cannot count (the caller allows)."""
    global _counter
    counter = _counter
    try:
        if counter is None:
            with _counter_lock:
                counter = _counter = _counter or counter_from_settings()
    except (sqlite3.Error, OSError) as exc:  # the SQLite file's folder or file
        return _not_counted(exc)
    try:
        return counter.hit(key, window=window)
    except counter.errors as exc:
        return _not_counted(exc)


def _not_counted(exc: BaseException) -> None:
    # The class name only: a Redis URL in the message may carry a password.
    logger.warning("Rate limit not counted, request allowed: %s", type(exc).__name__)


@receiver(setting_changed)
def _forget_counter(*, setting, **kwargs) -> None:
    """Tests that change the store's settings get a counter built from the new ones."""
    global _counter
    if setting in _SETTINGS:
        _counter = None
