"""The JWKS key cache over HTTP: fetched once, refreshed, rotated, and bounded under a kid flood."""

import threading
import uuid

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.better_auth import assert_401, get_with, make_key


@pytest.mark.django_db
def test_keys_are_fetched_once_and_cached(jwks_mode, ed25519_key):
    for index in range(5):
        assert get_with(jwks_mode.sign(ed25519_key, sub=f"ba_{index}")).status_code == 200

    assert jwks_mode.requests == 1


@pytest.mark.django_db
def test_key_set_is_refetched_when_the_cache_expires(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    clock.advance(settings.BETTER_AUTH_JWKS_CACHE_SECONDS + 1)

    # Another token: the same one again would be taken at its word (accounts.tokens).
    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_later")).status_code == 200

    assert jwks_mode.requests == 2


# --- Rotation ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rotation_new_kid_is_picked_up(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    new_key = make_key("EdDSA")
    jwks_mode.publish(ed25519_key, new_key)
    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)

    assert get_with(jwks_mode.sign(new_key, sub="ba_rotated")).status_code == 200
    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_old_key")).status_code == 200

    assert jwks_mode.requests == 2


@pytest.mark.django_db
def test_rotation_within_the_cooldown_waits_for_it(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    new_key = make_key("EdDSA")
    jwks_mode.publish(new_key)
    clock.advance(1)

    assert_401(get_with(jwks_mode.sign(new_key)))  # just fetched: no refetch yet
    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)
    assert get_with(jwks_mode.sign(new_key)).status_code == 200

    assert jwks_mode.requests == 2


# --- The kid flood -------------------------------------------------------------------------


def test_flood_of_random_kids_costs_one_fetch_per_cooldown(jwks_mode, ed25519_key, clock):
    tokens = [jwks_mode.sign(ed25519_key, headers={"kid": uuid.uuid4().hex}) for _ in range(40)]

    for token in tokens[:20]:
        assert_401(get_with(token))
    assert jwks_mode.requests == 1  # the first fetch; every other unknown kid waits for the cooldown

    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)
    for token in tokens[20:]:
        assert_401(get_with(token))
    assert jwks_mode.requests == 2


def test_concurrent_flood_of_random_kids_is_bounded(jwks_mode, ed25519_key):
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8, timeout=10)

    def attack():
        client = APIClient()
        barrier.wait()
        for _ in range(10):
            token = jwks_mode.sign(ed25519_key, headers={"kid": uuid.uuid4().hex})
            status = get_with(token, client).status_code
            with lock:
                results.append(status)

    threads = [threading.Thread(target=attack) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == [401] * 80
    assert jwks_mode.requests == 1
