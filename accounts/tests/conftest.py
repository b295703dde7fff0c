"""JWKS fixtures: real keys made in the test run, served by a real HTTP server on loopback."""

import pytest
from django.test import override_settings

from accounts import jwks
from accounts.tests.better_auth import Clock, KeyPair, make_key, serve_better_auth
from accounts.tokens import token_verified_forget


@pytest.fixture
def better_auth():
    """A Better Auth stand-in on 127.0.0.1 serving ``{origin}/api/auth/jwks``."""
    with serve_better_auth() as state:
        yield state


@pytest.fixture(scope="session")
def ed25519_key() -> KeyPair:
    return make_key("EdDSA")


@pytest.fixture(scope="session")
def es256_key() -> KeyPair:
    return make_key("ES256")


@pytest.fixture(scope="session")
def rs256_key() -> KeyPair:
    return make_key("RS256")


@pytest.fixture
def jwks_mode(better_auth, ed25519_key):
    """JWKS mode pointed at the stand-in (publishing the Ed25519 key), shared secret still on."""
    better_auth.publish(ed25519_key)
    with override_settings(
        BETTER_AUTH_URL=better_auth.origin,
        # Generous: a loaded machine can keep the stand-in's thread waiting; the timeout's own
        # test sets a short one.
        BETTER_AUTH_JWKS_TIMEOUT=5,
        BETTER_AUTH_JWKS_REFETCH_COOLDOWN=30,
        BETTER_AUTH_JWKS_CACHE_SECONDS=300,
    ):
        yield better_auth


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Time as the JWKS cache sees it, moved by ``clock.advance(seconds)``."""
    fake = Clock()
    monkeypatch.setattr(jwks, "_clock", fake)
    return fake


@pytest.fixture(autouse=True)
def _empty_jwks_cache():
    """Every test starts (and leaves) with no key set cached and no token remembered."""
    jwks.reset_jwks_caches()
    token_verified_forget()
    yield
    jwks.reset_jwks_caches()
    token_verified_forget()
