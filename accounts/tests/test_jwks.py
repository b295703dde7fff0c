"""JWKS mode over HTTP: Better Auth's own tokens, keys from a real server on loopback."""

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from accounts import jwks
from accounts.conf import redact_url
from accounts.models import User
from accounts.tests.better_auth import make_key
from testing.helpers import make_token

URL = "/api/tasks"


# One client for the module: each new client loads the middleware again (WhiteNoise
# scans the static files), which would dominate these tests' time.
_client = APIClient()


def get_with(token: str, client: APIClient = _client):
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_401(response, code: str = "token_invalid") -> dict:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


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
def test_keys_are_fetched_once_and_cached(jwks_mode, ed25519_key):
    for index in range(5):
        assert get_with(jwks_mode.sign(ed25519_key, sub=f"ba_{index}")).status_code == 200

    assert jwks_mode.requests == 1


@pytest.mark.django_db
def test_key_set_is_refetched_when_the_cache_expires(jwks_mode, ed25519_key, clock):
    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200
    clock.advance(settings.BETTER_AUTH_JWKS_CACHE_SECONDS + 1)

    assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200

    assert jwks_mode.requests == 2


@pytest.mark.django_db
def test_rsa_key_without_alg_verifies_rs256_and_ps256(jwks_mode):
    key = make_key("RS256", declare_alg=False)
    jwks_mode.publish(key)

    assert get_with(jwks_mode.sign(key, alg="RS256")).status_code == 200
    assert get_with(jwks_mode.sign(key, alg="PS256")).status_code == 200


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


# --- The identity provider is down ----------------------------------------------------------


def assert_503(response) -> dict:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "WWW-Authenticate" not in response
    return body


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


# --- The JWKS URL in logs: never its credentials or query --------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://app.example.com/api/auth/jwks", "https://app.example.com/api/auth/jwks"),
        ("https://alice:s3cret@app.example.com/jwks", "https://***@app.example.com/jwks"),
        ("https://alice@app.example.com:8443/jwks", "https://***@app.example.com:8443/jwks"),
        ("https://app.example.com/jwks?token=t0ken&x=1", "https://app.example.com/jwks?***"),
        ("https://app.example.com/jwks#t0ken", "https://app.example.com/jwks#***"),
        ("https://alice:s3cret@app.example.com/jwks?token=t0ken", "https://***@app.example.com/jwks?***"),
        # Raw "@", "/", "?" in a password fool a URL parser; everything up to the last "@" goes.
        ("https://alice:s3@cret@app.example.com/jwks", "https://***@app.example.com/jwks"),
        ("https://alice:s3/cr?et@app.example.com/jwks", "https://***@app.example.com/jwks"),
        ("alice:s3cret@app.example.com/jwks", "***@app.example.com/jwks"),
        ("", ""),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_a_failed_fetch_logs_the_jwks_url_without_credentials_or_query(jwks_mode, ed25519_key, caplog):
    url = jwks_mode.jwks_url.replace("http://", "http://alice:s3cret@") + "?token=t0ken"
    caplog.set_level(logging.INFO, logger="accounts.jwks")

    with override_settings(BETTER_AUTH_JWKS_URL=url):
        assert_503(get_with(jwks_mode.sign(ed25519_key)))

    (record,) = [record for record in caplog.records if record.name == "accounts.jwks"]
    assert record.levelname == "WARNING"
    shown = jwks_mode.jwks_url.replace("http://", "http://***@") + "?***"
    assert shown in record.getMessage()
    for secret in ("alice", "s3cret", "t0ken"):
        assert secret not in caplog.text


@pytest.mark.django_db
def test_a_fetch_logs_the_jwks_url_without_its_query(jwks_mode, ed25519_key, caplog):
    caplog.set_level(logging.INFO, logger="accounts.jwks")

    with override_settings(BETTER_AUTH_JWKS_URL=f"{jwks_mode.jwks_url}?token=t0ken"):
        assert get_with(jwks_mode.sign(ed25519_key)).status_code == 200

    assert f"JWKS fetched from {jwks_mode.jwks_url}?***: key ids" in caplog.text
    assert "t0ken" not in caplog.text


def test_a_fetch_error_quoting_the_url_does_not_carry_its_secrets(monkeypatch):
    url = "https://alice:s3cret@app.example.com/jwks?token=t0ken"

    class QuotingClient:
        def __init__(self, url, **kwargs):
            self.url = url

        def get_jwk_set(self):
            raise ValueError(f"unknown url type: {self.url!r}")

    monkeypatch.setattr(jwks, "PyJWKClient", QuotingClient)

    with pytest.raises(jwks.JWKSError) as excinfo:
        jwks.fetch_signing_keys(url, timeout=1)

    assert "https://***@app.example.com/jwks?***" in str(excinfo.value)
    assert "s3cret" not in str(excinfo.value) and "t0ken" not in str(excinfo.value)
