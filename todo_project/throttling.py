"""Rate limits per user."""

import hashlib

from rest_framework.throttling import UserRateThrottle


class PerUserRateThrottle(UserRateThrottle):
    """DRF's per-user limit, keyed by a hash of the user id.

    A Better Auth id may hold characters a cache key may not (spaces, control characters,
    more than 250 bytes for memcached); a hash is always a valid key.
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # only authenticated requests are limited per user
        ident = hashlib.sha256(str(request.user.pk).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
