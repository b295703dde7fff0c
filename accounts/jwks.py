"""Better Auth's public keys: fetched from its JWKS endpoint, cached, refetched on rotation.

PyJWT does the HTTP (``PyJWKClient``: http(s) only, no redirects, a timeout) and the key
parsing (``PyJWKSet``); this module adds the policy around them:

- the key set is cached for ``BETTER_AUTH_JWKS_CACHE_SECONDS``;
- an unknown ``kid`` triggers a refetch (key rotation), but fetch *attempts* — successful
  or not — are at least ``BETTER_AUTH_JWKS_REFETCH_COOLDOWN`` apart, so a flood of tokens
  with random ``kid``s, or an identity provider that is down, costs one fetch per
  cooldown, not one per request;
- when a refetch fails, the keys already cached keep working (even past their lifespan);
  only with no key at all is the provider "unavailable" (the API answers 503).

The cache is process-wide and thread-safe; ``reset_jwks_caches()`` empties it (tests).
"""

import logging
import math
import threading
import time
from dataclasses import dataclass

from jwt import PyJWKClient, PyJWKSet, PyJWTError

from .conf import ASYMMETRIC_ALGORITHMS, AuthConfig, redact_url

logger = logging.getLogger(__name__)

USER_AGENT = "todo-api-jwks/1"
_clock = time.monotonic  # tests move time forward by replacing this


class JWKSError(Exception):
    """Something about the identity provider's key set."""


class JWKSUnavailable(JWKSError):
    """The key set cannot be fetched and no key is cached: try again in ``retry_after`` s."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class SigningKeyNotFound(JWKSError):
    """No key in the (refetched, when allowed) key set has the token's ``kid``."""


@dataclass(frozen=True)
class SigningKey:
    """One public key of the set, with what it may verify."""

    kid: str
    kty: str
    alg: str  # as the JWK declares it; "" when it does not
    key: object  # a ``cryptography`` public key

    def fits(self, algorithm: str) -> bool:
        """Whether a token signed with ``algorithm`` may be checked with this key."""
        if self.alg:
            return self.alg == algorithm
        return ASYMMETRIC_ALGORITHMS.get(algorithm) == self.kty


def fetch_signing_keys(url: str, *, timeout: float) -> dict[str, SigningKey]:
    """The signing keys published at ``url``, by ``kid``; raises ``JWKSError`` on any failure."""
    try:
        client = PyJWKClient(url, cache_jwk_set=False, timeout=timeout, headers={"User-Agent": USER_AGENT})
        jwk_set: PyJWKSet = client.get_jwk_set()
    except (PyJWTError, ValueError, OSError) as exc:  # ValueError: the body is not JSON
        # The message may quote the URL (urllib's "unknown url type: ..."): never its secrets.
        message = str(exc).replace(url, redact_url(url))
        raise JWKSError(f"{exc.__class__.__name__}: {message}") from exc
    keys = {}
    for jwk in jwk_set.keys:
        data = jwk._jwk_data  # PyJWK keeps the JWK's members here and nowhere public.
        kid, kty, alg = data.get("kid"), data.get("kty"), data.get("alg") or ""
        if not isinstance(kid, str) or not kid or data.get("use") not in (None, "sig"):
            continue
        if kty not in set(ASYMMETRIC_ALGORITHMS.values()) or not isinstance(alg, str):
            continue  # never an "oct" (shared) key from a public set
        keys[kid] = SigningKey(kid=kid, kty=kty, alg=alg, key=jwk.key)
    if not keys:
        raise JWKSError("The key set holds no usable signing key.")
    return keys


@dataclass(frozen=True)
class _Snapshot:
    keys: dict[str, SigningKey]
    fetched_at: float  # _clock()


class JWKSKeyCache:
    """The key set of one JWKS URL, shared by every thread of the process."""

    def __init__(self, url: str, *, lifespan: float, cooldown: float, timeout: float):
        self.url = url
        self.display_url = redact_url(url)  # for logs: the URL may carry credentials
        self.lifespan = lifespan
        self.cooldown = cooldown
        self.timeout = timeout
        self._snapshot: _Snapshot | None = None
        self._last_attempt: float | None = None
        self._lock = threading.Lock()

    def get_signing_key(self, kid: str) -> SigningKey:
        """The key for ``kid``, refetching the set when it is stale or lacks that ``kid``."""
        key = self._fresh_key(kid)  # the common case: no lock, no I/O
        if key is not None:
            return key
        with self._lock:
            key = self._fresh_key(kid)  # another thread may have just fetched it
            if key is not None:
                return key
            if self._may_fetch():
                self._refetch()
            snapshot = self._snapshot
            if snapshot is None:
                raise JWKSUnavailable(
                    "The identity provider's keys cannot be fetched.", retry_after=self._retry_after()
                )
            if kid in snapshot.keys:
                return snapshot.keys[kid]  # perhaps stale: better than refusing everyone
        raise SigningKeyNotFound(f"No key with kid {kid!r}.")

    def _fresh_key(self, kid: str) -> SigningKey | None:
        snapshot = self._snapshot
        if snapshot is None or _clock() - snapshot.fetched_at >= self.lifespan:
            return None
        return snapshot.keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._last_attempt is None or _clock() - self._last_attempt >= self.cooldown

    def _retry_after(self) -> int:
        waited = _clock() - (self._last_attempt or 0.0)
        return max(1, math.ceil(self.cooldown - waited))

    def _refetch(self) -> None:
        self._last_attempt = _clock()
        try:
            keys = fetch_signing_keys(self.url, timeout=self.timeout)
        except JWKSError as exc:
            cached = "keeping the cached keys" if self._snapshot else "no key cached"
            logger.warning("JWKS fetch from %s failed (%s); %s.", self.display_url, exc, cached)
            return
        self._snapshot = _Snapshot(keys=keys, fetched_at=_clock())
        logger.info("JWKS fetched from %s: key ids %s.", self.display_url, sorted(keys))


_caches: dict[tuple, JWKSKeyCache] = {}
_caches_lock = threading.Lock()


def jwks_key_cache(config: AuthConfig) -> JWKSKeyCache:
    """The process-wide cache for the configured JWKS URL (one per configuration)."""
    params = (config.jwks_url, config.jwks_cache_seconds, config.jwks_refetch_cooldown, config.jwks_timeout)
    with _caches_lock:
        cache = _caches.get(params)
        if cache is None:
            cache = _caches[params] = JWKSKeyCache(
                config.jwks_url,
                lifespan=config.jwks_cache_seconds,
                cooldown=config.jwks_refetch_cooldown,
                timeout=config.jwks_timeout,
            )
        return cache


def reset_jwks_caches() -> None:
    """Forget every cached key set (tests; or after changing the settings in a shell)."""
    with _caches_lock:
        _caches.clear()
