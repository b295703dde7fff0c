"""Rate limits per user: DRF's throttle shape over an exact, shared counter."""

import hashlib
from functools import lru_cache

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .ratelimit import rate_limit_hit

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=8)
def rate_parse(rate: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60), in DRF's format (the period's first letter: s, m, h, d)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip()[0]]


class PerUserRateThrottle(BaseThrottle):
    """``API_THROTTLE_RATE`` requests per user and window, counted exactly across workers.

    The window opens at a user's first request and lasts the rate's period (a fixed window
    per user; see ``todo_project.ratelimit``). The key is a hash of the user id: a Better
    Auth id may hold characters a store's key may not, and stays out of the store.
    Anonymous requests are not limited here (they never reach a view's rows).
    """

    scope = "user"

    def __init__(self):
        self.reset_in = None

    def allow_request(self, request, view) -> bool:
        user = request.user
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if rate is None or not (user and user.is_authenticated):
            return True
        limit, window = rate_parse(rate)
        ident = hashlib.sha256(str(user.pk).encode()).hexdigest()
        hit = rate_limit_hit(key=f"{self.scope}:{ident}", window=window)
        if hit is None or hit.count <= limit:
            return True
        self.reset_in = hit.reset_in
        return False

    def wait(self) -> float | None:
        """Seconds until the window ends: DRF sends them as ``Retry-After``."""
        return self.reset_in
