"""Every refused authentication leaves one warning with its code and key id, never the token."""

import logging
import time

import pytest
from django.conf import settings
from django.test import override_settings

from accounts.tests.factories import UserFactory
from testing.helpers import make_token

pytestmark = pytest.mark.django_db


def refusals(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "accounts.auth"]


@pytest.mark.parametrize(
    ("token", "code", "kid"),
    [
        (make_token(sub="ba_x", exp=int(time.time()) - 600, headers={"kid": "k-1"}), "token_expired", "k-1"),
        (make_token(sub="ba_x", key="another-secret-of-sufficient-length-0123"), "token_invalid", "-"),
        ("not.a.jwt", "token_invalid", "-"),
        (make_token(sub="ba_x", headers={"kid": "bad\nkid\x00" + "x" * 100}), None, None),
    ],
    ids=["expired", "bad-signature", "garbage", "accepted"],
)
def test_a_refusal_is_logged_with_its_code_and_key_id(api_client, caplog, token, code, kid):
    caplog.set_level(logging.INFO, logger="accounts.auth")

    response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")

    if code is None:
        assert response.status_code == 200
        assert refusals(caplog) == []
        return
    assert response.status_code == 401
    (record,) = refusals(caplog)
    assert record.levelno == logging.WARNING
    assert (record.code, record.kid) == (code, kid)
    assert token not in record.getMessage()


def test_a_key_id_is_logged_printable_and_short(api_client, caplog):
    token = make_token(sub="ba_x", exp=int(time.time()) - 600, headers={"kid": "bad\nkid" + "x" * 100})

    api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")

    (record,) = refusals(caplog)
    assert record.kid == ("bad?kid" + "x" * 100)[:64]
    assert "\n" not in record.getMessage()


def test_a_deactivated_user_is_logged_without_the_secret(api_client, caplog):
    user = UserFactory(is_active=False)

    api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {make_token(sub=user.pk)}")

    (record,) = refusals(caplog)
    assert record.code == "user_inactive"
    assert settings.BETTER_AUTH_SECRET not in record.getMessage()


@override_settings(BETTER_AUTH_URL="http://127.0.0.1:9", BETTER_AUTH_JWKS_TIMEOUT=0.2)
def test_an_unreachable_identity_provider_is_logged(api_client, caplog):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    token = make_token(sub="ba_x", key=key, algorithm="EdDSA", headers={"kid": "k-9"})

    response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 503
    (record,) = refusals(caplog)
    assert (record.code, record.kid) == ("service_unavailable", "k-9")
