"""The rate-limit counter in Redis (``REDIS_URL``): a Lua script, atomic on the server.

Its own module so that a deployment without Redis never imports the client.
"""

import redis

from .ratelimit_counter import Hit

# A sick Redis must not stall requests: give up quickly and let the request through.
REDIS_TIMEOUT_SECONDS = 0.5

_INCREMENT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisCounter:
    """Counts in Redis: one ``EVALSHA`` round trip per hit, atomic on the server."""

    errors = (redis.RedisError, OSError)

    def __init__(self, client: redis.Redis, *, prefix: str):
        self.prefix = prefix
        self._increment = client.register_script(_INCREMENT)

    def hit(self, key: str, *, window: float) -> Hit:
        count, ttl_ms = self._increment(keys=[f"{self.prefix}:{key}"], args=[max(1, int(window * 1000))])
        return Hit(count=int(count), reset_in=max(int(ttl_ms), 1) / 1000)


def redis_client(url: str) -> redis.Redis:
    """A client that gives up after ``REDIS_TIMEOUT_SECONDS`` (connecting or waiting)."""
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
