"""Shared-secret (HS256) authentication, seen over HTTP as the frontend sees it."""

import base64
import json
import time

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from testing.helpers import make_token

pytestmark = pytest.mark.django_db

URL = "/api/tasks"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def get(authorization: str | None):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(URL)


def get_with(token: str):
    return get(f"Bearer {token}")


def assert_401(response, code: str, *, token: str = ""):
    """A 401 problem with that code, a Bearer challenge, and nothing secret in the body."""
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == code
    assert body["type"] == "about:blank"
    raw = response.content.decode()
    assert settings.BETTER_AUTH_SECRET not in raw
    if token:
        # Neither the token nor any of its parts (header, payload, signature) is echoed.
        for part in token.split("."):
            if len(part) >= 8:
                assert part not in raw
    return body


# --- Accepted ------------------------------------------------------------------------------


def test_valid_token_is_accepted_and_creates_the_user():
    response = get_with(make_token(sub="ba_alice", email="alice@example.com", name="Alice"))

    assert response.status_code == 200, response.content
    assert response.json() == []
    user = User.objects.get(pk="ba_alice")
    assert (user.email, user.name) == ("alice@example.com", "Alice")


def test_existing_user_is_authenticated(user, token_for):
    response = get_with(token_for(user))

    assert response.status_code == 200
    assert User.objects.count() == 1


def test_bearer_scheme_is_case_insensitive():
    response = get(f"bearer {make_token(sub='ba_alice')}")

    assert response.status_code == 200


# --- Missing or not ours -------------------------------------------------------------------


def test_no_authorization_header_is_not_authenticated():
    body = assert_401(get(None), "not_authenticated")

    assert "credentials" in body["detail"].lower()


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNzd29yZA==", "Token abcdef0123456789", "Digest username=x", ""],
)
def test_header_of_another_scheme_is_not_ours(authorization):
    response = get(authorization)

    assert_401(response, "not_authenticated")
    assert 'error="invalid_token"' not in response["WWW-Authenticate"]


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer    ", "Bearer a.b.c extra"])
def test_bearer_with_zero_or_three_parts_is_invalid(authorization):
    response = get(authorization)

    assert_401(response, "token_invalid")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


@pytest.mark.parametrize("raw", ["garbage", "a.b", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30"])
def test_malformed_token_is_invalid(raw):
    assert_401(get_with(raw), "token_invalid")


# --- Time ----------------------------------------------------------------------------------


def test_expired_token_says_expired():
    token = make_token(sub="ba_alice", exp=int(time.time()) - 3600)

    response = get_with(token)

    assert_401(response, "token_expired", token=token)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert not User.objects.exists()


def test_token_without_exp_is_refused():
    token = make_token(sub="ba_alice", exp=None)

    body = assert_401(get_with(token), "token_invalid", token=token)

    assert "exp" in body["detail"]


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("kind", ["string", "bool"])
def test_time_claims_must_be_json_numbers(claim, kind):
    now = int(time.time())
    good = {"exp": now + 600, "nbf": now - 60, "iat": now - 60}[claim]
    token = make_token(sub="ba_alice", **{claim: str(good) if kind == "string" else True})

    # exp: true reads as 1970-01-01T00:00:01 to PyJWT, so it is refused as expired first.
    expected = "token_expired" if (claim, kind) == ("exp", "bool") else "token_invalid"
    body = assert_401(get_with(token), expected, token=token)

    assert expected == "token_expired" or claim in body["detail"]
    assert not User.objects.exists()


def test_fractional_time_claims_are_numbers_too():
    now = time.time()
    token = make_token(sub="ba_alice", exp=now + 600.5, iat=now - 1.25, nbf=now - 1.25)

    assert get_with(token).status_code == 200


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_not_yet_valid_is_invalid(claim):
    token = make_token(sub="ba_alice", **{claim: int(time.time()) + settings.JWT_LEEWAY + 120})

    assert_401(get_with(token), "token_invalid", token=token)


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_small_clock_skew_is_tolerated(claim):
    token = make_token(sub="ba_alice", **{claim: int(time.time()) + settings.JWT_LEEWAY // 2})

    assert get_with(token).status_code == 200


def test_expired_within_leeway_is_accepted():
    token = make_token(sub="ba_alice", exp=int(time.time()) - settings.JWT_LEEWAY // 2)

    assert get_with(token).status_code == 200


@override_settings(JWT_LEEWAY=0)
def test_leeway_comes_from_settings():
    token = make_token(sub="ba_alice", nbf=int(time.time()) + 15)

    assert_401(get_with(token), "token_invalid")


# --- Signature and algorithm ---------------------------------------------------------------


def test_wrong_secret_is_invalid():
    token = make_token(sub="ba_alice", key="another-secret-that-is-long-enough-0123456789")

    assert_401(get_with(token), "token_invalid", token=token)


def test_alg_none_is_refused():
    header = b64url_json({"alg": "none", "typ": "JWT"})
    payload = b64url_json({"sub": "ba_alice", "exp": int(time.time()) + 600})
    token = f"{header}.{payload}."

    assert_401(get_with(token), "token_invalid", token=token)
    assert not User.objects.exists()


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_with_a_signature_is_refused(alg):
    valid = make_token(sub="ba_alice")
    _, payload, signature = valid.split(".")
    token = f"{b64url_json({'alg': alg})}.{payload}.{signature}"

    assert_401(get_with(token), "token_invalid")


# PyJWT warns that the shared secret is short for these algorithms: that is the point.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("alg", ["HS512", "HS384"])
def test_other_hmac_algorithms_with_the_right_secret_are_refused(alg):
    token = make_token(sub="ba_alice", algorithm=alg)

    assert_401(get_with(token), "token_invalid", token=token)


def test_hs256_is_refused_when_no_shared_secret_is_configured():
    token = make_token(sub="ba_alice")

    with override_settings(BETTER_AUTH_SECRET=""):
        response = get_with(token)

    assert_401(response, "token_invalid")


def test_tampered_payload_is_invalid(user):
    token = make_token(sub="ba_mallory")
    header, _, signature = token.split(".")
    payload = b64url_json({"sub": user.pk, "exp": int(time.time()) + 600})

    assert_401(get_with(f"{header}.{payload}.{signature}"), "token_invalid")


def test_header_alg_swapped_keeping_signature_is_invalid():
    token = make_token(sub="ba_alice")
    _, payload, signature = token.split(".")

    assert_401(get_with(f"{b64url_json({'alg': 'HS512'})}.{payload}.{signature}"), "token_invalid")


def test_non_object_header_is_invalid():
    token = make_token(sub="ba_alice")
    _, payload, signature = token.split(".")

    assert_401(get_with(f"{b64url(b'[1,2]')}.{payload}.{signature}"), "token_invalid")


# --- The user claim ------------------------------------------------------------------------


def test_token_without_user_claim_is_invalid():
    token = make_token(email="nobody@example.com")

    body = assert_401(get_with(token), "token_invalid", token=token)

    assert "sub" in body["detail"]
    assert not User.objects.exists()


@pytest.mark.parametrize("claim", ["id", "user_id"])
def test_fallback_user_claims(claim):
    response = get_with(make_token(**{claim: "ba_fallback"}))

    assert response.status_code == 200
    assert User.objects.filter(pk="ba_fallback").exists()


def test_sub_wins_over_id_and_user_id():
    response = get_with(make_token(sub="ba_sub", id="ba_id", user_id="ba_user_id"))

    assert response.status_code == 200
    assert list(User.objects.values_list("pk", flat=True)) == ["ba_sub"]


def test_id_wins_over_user_id():
    assert get_with(make_token(id="ba_id", user_id="ba_user_id")).status_code == 200

    assert list(User.objects.values_list("pk", flat=True)) == ["ba_id"]


@pytest.mark.parametrize("sub", [123, ["ba_alice"], {"id": "ba_alice"}])
def test_non_string_sub_is_invalid(sub):
    assert_401(get_with(make_token(sub=sub)), "token_invalid")


@pytest.mark.parametrize("user_id", ["a" * 256, "ba/alice", "ba\x00alice", "ba\x1balice", "ba\nalice"])
def test_unusable_user_id_is_invalid(user_id):
    assert_401(get_with(make_token(sub=user_id)), "token_invalid")
    assert not User.objects.exists()


# --- Issuer and audience -------------------------------------------------------------------


ISSUER = "https://app.example.com"


@override_settings(BETTER_AUTH_ISSUER=ISSUER)
def test_issuer_checked_when_set():
    assert get_with(make_token(sub="ba_alice", iss=ISSUER)).status_code == 200
    assert_401(get_with(make_token(sub="ba_alice", iss="https://evil.example.com")), "token_invalid")
    assert_401(get_with(make_token(sub="ba_alice")), "token_invalid")  # iss missing


@override_settings(BETTER_AUTH_AUDIENCE=ISSUER)
def test_audience_checked_when_set():
    assert get_with(make_token(sub="ba_alice", aud=ISSUER)).status_code == 200
    assert get_with(make_token(sub="ba_alice", aud=["other", ISSUER])).status_code == 200
    assert_401(get_with(make_token(sub="ba_alice", aud="https://evil.example.com")), "token_invalid")
    assert_401(get_with(make_token(sub="ba_alice")), "token_invalid")  # aud missing


def test_issuer_and_audience_ignored_when_not_set():
    token = make_token(sub="ba_alice", iss="https://anyone.example.com", aud="https://anything.example.com")

    assert get_with(token).status_code == 200


# --- Size, and what a 401 looks like -------------------------------------------------------


def test_huge_authorization_header_is_431_not_5xx():
    token = make_token(sub="ba_alice", padding="x" * 20_000)

    response = get_with(token)

    assert response.status_code == 431
    assert response["Content-Type"] == "application/problem+json"
    assert token not in response.content.decode()
    assert not User.objects.exists()


def test_codes_tell_missing_from_invalid_from_expired():
    codes = {
        get(None).json()["code"],
        get_with(make_token(sub="ba_alice", key="wrong-secret-wrong-secret-wrong-secret")).json()["code"],
        get_with(make_token(sub="ba_alice", exp=int(time.time()) - 3600)).json()["code"],
    }

    assert codes == {"not_authenticated", "token_invalid", "token_expired"}


def test_deactivated_user_is_refused():
    user = UserFactory(is_active=False)
    token = make_token(sub=user.pk)

    body = assert_401(get_with(token), "user_inactive", token=token)

    assert "deactivated" in body["detail"]
