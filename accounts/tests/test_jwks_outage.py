"""The identity provider is down: 503 with Retry-After, one fetch per cooldown, cached keys kept."""

import time

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from accounts.tests.better_auth import assert_503, get_with

# --- The identity provider is down ----------------------------------------------------------


@pytest.mark.parametrize(
    "outage",
    [
        {"status": 500},
        {"status": 404},
        {"body": b"<html>not json</html>"},
        {"body": b'{"keys": []}'},
        {"body": b'{"keys": [{"kty": "oct", "kid": "x", "k": "c2VjcmV0"}]}'},
        {"body": b"[1, 2]"},
    ],
    ids=["500", "404", "not-json", "no-keys", "only-oct", "not-an-object"],
)
def test_jwks_unusable_and_nothing_cached_is_503(jwks_mode, ed25519_key, outage):
    for name, value in outage.items():
        setattr(jwks_mode, name, value)

    assert_503(get_with(jwks_mode.sign(ed25519_key)))


def test_jwks_unreachable_is_503_with_retry_after_and_no_fetch_storm(ed25519_key, clock):
    with override_settings(
        BETTER_AUTH_URL="http://127.0.0.1:9",  # discard port: connection refused
        BETTER_AUTH_JWKS_TIMEOUT=0.5,
        BETTER_AUTH_JWKS_REFETCH_COOLDOWN=30,
    ):
        token = jwt.encode(
            {"sub": "ba_x", "exp": int(time.time()) + 600},
            ed25519_key.private_key,
            "EdDSA",
            headers={"kid": ed25519_key.kid},
        )
        first = get_with(token)
        clock.advance(10)
        second = get_with(token)

    assert_503(first)
    assert first["Retry-After"] == "30"
    assert_503(second)
    assert second["Retry-After"] == "20"


def test_jwks_too_slow_is_503_within_the_timeout(jwks_mode, ed25519_key):
    jwks_mode.delay = 1.0

    started = time.monotonic()
    with override_settings(BETTER_AUTH_JWKS_TIMEOUT=0.2):
        assert_503(get_with(jwks_mode.sign(ed25519_key)))

    assert time.monotonic() - started < 0.9


def test_redirects_are_not_followed(jwks_mode, ed25519_key, better_auth):
    jwks_mode.redirect_to = "http://127.0.0.1:9/elsewhere"

    assert_503(get_with(jwks_mode.sign(ed25519_key)))
    assert jwks_mode.requests == 1


def test_down_repeatedly_costs_one_fetch_per_cooldown(jwks_mode, ed25519_key, clock):
    jwks_mode.status = 503

    for _ in range(10):
        assert_503(get_with(jwks_mode.sign(ed25519_key)))
    assert jwks_mode.requests == 1

    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)
    for _ in range(10):
        assert_503(get_with(jwks_mode.sign(ed25519_key)))
    assert jwks_mode.requests == 2


@pytest.mark.django_db
def test_recovers_once_the_cooldown_has_passed(jwks_mode, ed25519_key, clock):
    jwks_mode.status = 503
    assert_503(get_with(jwks_mode.sign(ed25519_key)))

    jwks_mode.status = 200
    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)

    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    assert jwks_mode.requests == 2


@pytest.mark.django_db
def test_cached_keys_keep_working_while_the_provider_is_down(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_1")).status_code == 200
    jwks_mode.status = 500
    clock.advance(settings.BETTER_AUTH_JWKS_CACHE_SECONDS + 1)  # the cache is stale now

    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_2")).status_code == 200
    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_3")).status_code == 200

    assert jwks_mode.requests == 2  # one failed refresh, then the cooldown
