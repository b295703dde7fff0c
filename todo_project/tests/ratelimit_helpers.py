"""Helpers for the rate-limit tests: a clock to move by hand, the local Redis, a closed port."""

import contextlib
import socket
import uuid
from dataclasses import dataclass

import redis

# The machine's Redis; a database number and a key prefix per test keep runs apart.
REDIS_URL = "redis://127.0.0.1:6379/13"


@dataclass
class FakeClock:
    """A clock the test moves by setting ``now``."""

    now: float

    def __call__(self) -> float:
        return self.now


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_timeout=5)


@contextlib.contextmanager
def redis_prefix(client: redis.Redis):
    """A key prefix no other run uses; its keys are deleted afterwards."""
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def closed_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
