"""``token_verify`` called directly: the verification rules without HTTP or a database.

No test here is marked for the database: pytest-django fails one that touches it, which
is how these tests also show that verification never looks a user up.
"""

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import override_settings

from accounts.tokens import (
    Identity,
    IdentityProviderUnavailable,
    TokenExpired,
    TokenInvalid,
    token_verify,
)
from testing.helpers import make_token

INVALID_TOKEN_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_signed(header: dict, claims: dict, secret: bytes) -> str:
    """A token with any header, HMAC-SHA256-signed with any bytes (PyJWT refuses some keys)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def refused(raw_token, error=TokenInvalid) -> TokenInvalid | TokenExpired:
    with pytest.raises(error) as excinfo:
        token_verify(raw_token=raw_token)
    return excinfo.value


# --- Accepted -------------------------------------------------------------------------------


def test_a_valid_token_gives_the_identity_with_raw_claims():
    token = make_token(sub="ba_alice", email="  Alice@Example.COM ", name=["not", "a", "name"])

    identity = token_verify(raw_token=token)

    # Cleaning email and name is the user services' job: the identity passes them as sent.
    assert identity == Identity(id="ba_alice", email="  Alice@Example.COM ", name=["not", "a", "name"])


def test_absent_email_and_name_are_none():
    assert token_verify(raw_token=make_token(sub="ba_alice")) == Identity(id="ba_alice")


def test_bytes_and_str_tokens_alike():
    token = make_token(sub="ba_alice")

    assert token_verify(raw_token=token.encode()) == token_verify(raw_token=token)


def test_the_identity_is_frozen():
    identity = token_verify(raw_token=make_token(sub="ba_alice"))

    with pytest.raises(AttributeError):
        identity.id = "ba_mallory"


# --- Refused: what each error says and carries ------------------------------------------------


def test_expired():
    error = refused(make_token(sub="ba_alice", exp=int(time.time()) - 3600), TokenExpired)

    assert (error.status_code, error.get_codes(), str(error.detail)) == (
        401,
        "token_expired",
        "The token has expired.",
    )
    assert error.headers == INVALID_TOKEN_CHALLENGE


def test_bad_signature():
    error = refused(make_token(sub="ba_alice", key="another-secret-that-is-long-enough-0123456789"))

    assert (error.status_code, error.get_codes(), str(error.detail)) == (
        401,
        "token_invalid",
        "The token's signature does not match.",
    )
    assert error.headers == INVALID_TOKEN_CHALLENGE


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(alg):
    claims = {"sub": "ba_alice", "exp": int(time.time()) + 600}
    token = f"{b64url(json.dumps({'alg': alg}).encode())}.{b64url(json.dumps(claims).encode())}."

    assert str(refused(token).detail) == f"Tokens signed with {alg!r} are not accepted."


def test_missing_exp():
    assert str(refused(make_token(sub="ba_alice", exp=None)).detail) == "The token has no 'exp' claim."


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_string_time_claim(claim):
    now = int(time.time())
    good = {"exp": now + 600, "nbf": now - 60, "iat": now - 60}[claim]
    token = make_token(sub="ba_alice", **{claim: str(good)})

    assert str(refused(token).detail) == f"The token's {claim!r} claim is not a number."


def test_not_yet_valid():
    token = make_token(sub="ba_alice", nbf=int(time.time()) + 3600)

    assert str(refused(token).detail) == "The token is not valid yet."


def test_not_a_jwt():
    assert str(refused("garbage").detail) == "The token is not a well-formed JWT."


@override_settings(BETTER_AUTH_ISSUER="https://app.example.com", BETTER_AUTH_AUDIENCE="todo-api")
def test_issuer_and_audience_when_set():
    good = {"iss": "https://app.example.com", "aud": "todo-api"}

    assert token_verify(raw_token=make_token(sub="ba_alice", **good)).id == "ba_alice"
    wrong_iss = make_token(sub="ba_alice", **{**good, "iss": "https://evil.example.com"})
    assert str(refused(wrong_iss).detail) == "The token was issued by someone else."
    wrong_aud = make_token(sub="ba_alice", **{**good, "aud": "another-api"})
    assert str(refused(wrong_aud).detail) == "The token is meant for another audience."


# --- An HMAC secret where a public key is meant, and the other way round ----------------------


def test_rs256_header_signed_with_the_shared_secret_is_refused_without_jwks_mode(settings):
    claims = {"sub": "ba_alice", "exp": int(time.time()) + 600}
    token = hmac_signed({"alg": "RS256", "kid": "k1"}, claims, settings.BETTER_AUTH_SECRET.encode())

    assert str(refused(token).detail) == "Tokens signed with 'RS256' are not accepted."


def test_rs256_header_signed_with_the_shared_secret_is_refused_in_jwks_mode(settings, jwks_mode, rs256_key):
    jwks_mode.publish(rs256_key)
    claims = {
        "sub": "ba_alice",
        "exp": int(time.time()) + 600,
        "iss": jwks_mode.origin,
        "aud": jwks_mode.origin,
    }
    token = hmac_signed({"alg": "RS256", "kid": rs256_key.kid}, claims, settings.BETTER_AUTH_SECRET.encode())

    assert str(refused(token).detail) == "The token's signature does not match."


def test_hs256_signed_with_the_public_key_is_refused_without_a_fetch(jwks_mode, rs256_key):
    jwks_mode.publish(rs256_key)
    pem = rs256_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {
        "sub": "ba_alice",
        "exp": int(time.time()) + 600,
        "iss": jwks_mode.origin,
        "aud": jwks_mode.origin,
    }

    token = hmac_signed({"alg": "HS256", "kid": rs256_key.kid}, claims, pem)

    assert str(refused(token).detail) == "The token's signature does not match."
    assert jwks_mode.requests == 0


def test_jwks_unreachable_is_unavailable_with_retry_after(ed25519_key):
    with override_settings(BETTER_AUTH_URL="http://127.0.0.1:9", BETTER_AUTH_JWKS_REFETCH_COOLDOWN=30):
        token = make_token(
            sub="ba_alice", key=ed25519_key.private_key, algorithm="EdDSA", headers={"kid": "k"}
        )
        with pytest.raises(IdentityProviderUnavailable) as excinfo:
            token_verify(raw_token=token)

    error = excinfo.value
    assert (error.status_code, error.get_codes()) == (503, "service_unavailable")
    assert error.headers == {"Retry-After": "30"}


# --- The user id claim --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "user_id"),
    [
        ({"sub": "ba_sub", "id": "ba_id", "user_id": "ba_user_id"}, "ba_sub"),
        ({"id": "ba_id", "user_id": "ba_user_id"}, "ba_id"),
        ({"user_id": "ba_user_id"}, "ba_user_id"),
        # A blank claim is passed over for the next one.
        ({"sub": "  ", "id": "ba_id"}, "ba_id"),
        ({"sub": "", "id": "", "user_id": "ba_user_id"}, "ba_user_id"),
    ],
)
def test_user_id_claims_in_order(claims, user_id):
    assert token_verify(raw_token=make_token(**claims)).id == user_id


@pytest.mark.parametrize("user_id", ["a" * 256, "ba/alice", "ba\x00alice", "ba\nalice"])
def test_unusable_user_id(user_id):
    assert str(refused(make_token(sub=user_id)).detail) == "The token's user id is not usable."


def test_an_unusable_sub_is_not_passed_over_for_a_usable_id():
    assert (
        str(refused(make_token(sub="ba/alice", id="ba_alice")).detail) == "The token's user id is not usable."
    )


def test_a_non_string_sub_is_refused_not_passed_over():
    # PyJWT requires ``sub`` to be a string (RFC 7519) before the id claims are read.
    assert str(refused(make_token(sub=123, id="ba_id")).detail) == "The token is invalid."


def test_no_user_id():
    assert (
        str(refused(make_token(email="x@example.com")).detail)
        == "The token names no user (sub, id or user_id)."
    )
