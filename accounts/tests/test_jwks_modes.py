"""JWKS mode beside shared-secret mode: an HS256 token never meets a public key, and which iss/aud applies."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.test import override_settings

from accounts.models import User
from accounts.tests.better_auth import assert_401, get_with
from testing.helpers import make_token


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_by_hand(claims: dict, secret: bytes, *, kid: str) -> str:
    """An HS256 token keyed with any bytes (PyJWT itself refuses public keys as secrets)."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def public_key_bytes(key) -> list[bytes]:
    """Every plausible encoding of a public key an attacker could use as an HMAC secret."""
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = key.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return [pem, der, key.jwk.get("x", "").encode(), str(key.jwk).encode()]


@pytest.mark.django_db
@pytest.mark.parametrize("shared_secret", ["", "keep"], ids=["jwks-only", "both-modes"])
def test_hs256_forged_with_the_public_key_is_refused(jwks_mode, ed25519_key, rs256_key, shared_secret):
    jwks_mode.publish(ed25519_key, rs256_key)
    secret = settings.BETTER_AUTH_SECRET if shared_secret else ""
    claims = {
        "sub": "ba_forged",
        "exp": int(time.time()) + 600,
        "iss": jwks_mode.origin,
        "aud": jwks_mode.origin,
    }
    forged = [
        hs256_by_hand(claims, raw, kid=key.kid)
        for key in (ed25519_key, rs256_key)
        for raw in public_key_bytes(key)
    ]

    with override_settings(BETTER_AUTH_SECRET=secret):
        for token in forged:
            assert_401(get_with(token))

    assert not User.objects.exists()
    assert jwks_mode.requests == 0  # an HS256 token never reaches the key set


@pytest.mark.django_db
def test_symmetric_key_in_the_set_is_never_used(jwks_mode, ed25519_key):
    secret = b"an-oct-key-someone-slipped-into-the-set-0123456789"
    oct_kid = "oct-key"
    jwks_mode.extra_jwks = [
        {"kty": "oct", "kid": oct_kid, "k": base64.urlsafe_b64encode(secret).rstrip(b"=").decode()}
    ]
    claims = {
        "sub": "ba_oct",
        "exp": int(time.time()) + 600,
        "iss": jwks_mode.origin,
        "aud": jwks_mode.origin,
    }

    with override_settings(BETTER_AUTH_SECRET="", BETTER_AUTH_JWKS_ALGORITHMS=["HS256", "EdDSA"]):
        assert_401(get_with(jwt.encode(claims, secret, algorithm="HS256", headers={"kid": oct_kid})))
        # The Ed25519 header cannot borrow it either.
        assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
        header = base64.urlsafe_b64encode(b'{"alg":"EdDSA","kid":"oct-key"}').rstrip(b"=").decode()
        hs = jwt.encode(claims, secret, algorithm="HS256").split(".")
        assert_401(get_with(f"{header}.{hs[1]}.{hs[2]}"))


# --- Both modes, and which iss/aud applies -------------------------------------------------


@pytest.mark.django_db
def test_both_modes_on_the_alg_picks_the_path(jwks_mode, ed25519_key):
    assert get_with(jwks_mode.sign(ed25519_key, sub="ba_jwks")).status_code == 200
    assert get_with(make_token(sub="ba_bridge")).status_code == 200

    assert set(User.objects.values_list("pk", flat=True)) == {"ba_jwks", "ba_bridge"}


@pytest.mark.django_db
def test_shared_secret_mode_alone_refuses_jwks_tokens_without_fetching(better_auth, ed25519_key):
    better_auth.publish(ed25519_key)

    assert_401(get_with(better_auth.sign(ed25519_key)))  # BETTER_AUTH_URL is not set

    assert better_auth.requests == 0


@pytest.mark.django_db
def test_hs256_bridge_tokens_need_no_iss_or_aud_implied_by_the_origin(jwks_mode):
    # The origin implies iss/aud for Better Auth's own tokens only; a bridge token is
    # checked against BETTER_AUTH_ISSUER/AUDIENCE only when those are set explicitly.
    assert get_with(make_token(sub="ba_bridge")).status_code == 200
    assert get_with(make_token(sub="ba_bridge", iss="https://elsewhere.example.com")).status_code == 200


@pytest.mark.django_db
def test_explicit_issuer_and_audience_override_the_origin_for_both_modes(jwks_mode, ed25519_key):
    with override_settings(BETTER_AUTH_ISSUER="https://issuer.example.com", BETTER_AUTH_AUDIENCE="todo-api"):
        assert_401(get_with(jwks_mode.sign(ed25519_key)))  # iss/aud = origin no longer enough
        good = jwks_mode.sign(ed25519_key, iss="https://issuer.example.com", aud="todo-api")
        assert get_with(good).status_code == 200
        assert_401(get_with(make_token(sub="ba_bridge")))
        assert (
            get_with(
                make_token(sub="ba_bridge", iss="https://issuer.example.com", aud="todo-api")
            ).status_code
            == 200
        )


@pytest.mark.django_db
def test_jwks_url_overrides_the_one_implied_by_the_origin(jwks_mode, ed25519_key):
    with override_settings(
        BETTER_AUTH_URL="https://app.example.com", BETTER_AUTH_JWKS_URL=jwks_mode.jwks_url
    ):
        token = jwks_mode.sign(ed25519_key, iss="https://app.example.com", aud="https://app.example.com")
        assert get_with(token).status_code == 200

    assert jwks_mode.requests == 1
