"""JWKS mode over HTTP: which of Better Auth's own tokens are accepted and which refused."""

import time

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from accounts.models import User
from accounts.tests.better_auth import assert_401, get_with, make_key

# --- Valid tokens --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES512", "RS256", "PS256"])
def test_valid_token_of_each_algorithm(jwks_mode, alg):
    key = make_key(alg)
    jwks_mode.publish(key)

    response = get_with(jwks_mode.sign(key, sub=f"ba_{alg}"))

    assert response.status_code == 200, response.content
    assert User.objects.filter(pk=f"ba_{alg}").exists()


@pytest.mark.django_db
def test_better_auth_payload_maps_onto_the_user(jwks_mode, ed25519_key):
    token = jwks_mode.sign(ed25519_key, sub="ba_mapped", email="Mapped@Example.com", name="Mapped")

    assert get_with(token).status_code == 200

    user = User.objects.get(pk="ba_mapped")
    assert (user.email, user.name) == ("mapped@example.com", "Mapped")
    assert not user.has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize("claim", ["id", "user_id"])
def test_user_id_fallbacks_work_as_in_shared_secret_mode(jwks_mode, ed25519_key, claim):
    token = jwks_mode.sign(ed25519_key, sub=None, **{claim: "ba_fallback"})

    assert get_with(token).status_code == 200
    assert User.objects.filter(pk="ba_fallback").exists()


@pytest.mark.django_db
def test_rsa_key_without_alg_verifies_rs256_and_ps256(jwks_mode):
    key = make_key("RS256", declare_alg=False)
    jwks_mode.publish(key)

    assert get_with(jwks_mode.sign(key, alg="RS256")).status_code == 200
    assert get_with(jwks_mode.sign(key, alg="PS256")).status_code == 200


# --- Refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example.com"},
        {"iss": None},
        {"aud": "https://evil.example.com"},
        {"aud": None},
        {"exp": None},
        {"sub": None},
        {"nbf": int(time.time()) + 3600},
    ],
    ids=["wrong-iss", "no-iss", "wrong-aud", "no-aud", "no-exp", "no-user", "not-yet-valid"],
)
@pytest.mark.django_db
def test_bad_claims_are_refused(jwks_mode, ed25519_key, claims):
    assert_401(get_with(jwks_mode.sign(ed25519_key, **claims)))
    assert not User.objects.exists()


@pytest.mark.django_db
def test_expired_token_says_expired(jwks_mode, ed25519_key):
    token = jwks_mode.sign(ed25519_key, iat=int(time.time()) - 3600, exp=int(time.time()) - 600)

    assert_401(get_with(token), "token_expired")


@pytest.mark.django_db
def test_unknown_kid_is_refused_after_one_refetch(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    clock.advance(settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN)
    stranger = make_key("EdDSA")

    body = assert_401(get_with(jwks_mode.sign(stranger)))

    assert "unknown key" in body["detail"]
    assert jwks_mode.requests == 2


@pytest.mark.django_db
def test_token_signed_by_another_key_set_with_the_same_kid_is_refused(jwks_mode, ed25519_key):
    impostor = make_key("EdDSA", kid=ed25519_key.kid)

    assert_401(get_with(jwks_mode.sign(impostor)))


@pytest.mark.django_db
def test_missing_kid_is_refused(jwks_mode, ed25519_key):
    token = jwt.encode(
        {"sub": "ba_x", "exp": int(time.time()) + 600, "iss": jwks_mode.origin, "aud": jwks_mode.origin},
        ed25519_key.private_key,
        algorithm="EdDSA",
    )

    assert_401(get_with(token))
    assert jwks_mode.requests == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kid", ["", "k" * 257], ids=["empty", "257-chars"])
def test_empty_or_oversized_kid_is_refused_without_a_fetch(jwks_mode, ed25519_key, kid):
    body = assert_401(get_with(jwks_mode.sign(ed25519_key, headers={"kid": kid})))

    assert "names no key" in body["detail"]
    assert jwks_mode.requests == 0


@pytest.mark.django_db
def test_kid_of_256_chars_is_still_looked_up(jwks_mode, ed25519_key):
    """The limit is exactly 256: a kid that long is a key id like any other (and unknown here)."""
    body = assert_401(get_with(jwks_mode.sign(ed25519_key, headers={"kid": "k" * 256})))

    assert "unknown key" in body["detail"]
    assert jwks_mode.requests == 1


@pytest.mark.django_db
def test_key_of_another_type_than_the_alg_is_refused(jwks_mode, ed25519_key, es256_key):
    jwks_mode.publish(ed25519_key, es256_key)
    # ES256 header, but the kid names the Ed25519 key.
    token = jwks_mode.sign(es256_key, headers={"kid": ed25519_key.kid})

    assert_401(get_with(token))


@pytest.mark.django_db
def test_declared_key_alg_must_match_the_token(jwks_mode, rs256_key):
    jwks_mode.publish(rs256_key)  # published with "alg": "RS256"

    assert_401(get_with(jwks_mode.sign(rs256_key, alg="PS256")))


@pytest.mark.django_db
def test_algorithm_outside_the_allow_list_is_refused_without_a_fetch(jwks_mode, es256_key):
    jwks_mode.publish(es256_key)

    with override_settings(BETTER_AUTH_JWKS_ALGORITHMS=["EdDSA"]):
        assert_401(get_with(jwks_mode.sign(es256_key)))

    assert jwks_mode.requests == 0
