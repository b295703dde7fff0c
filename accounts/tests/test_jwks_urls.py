"""The JWKS URL in logs and errors: never its credentials or query."""

import logging

import pytest
from django.test import override_settings

from accounts import jwks
from accounts.conf import redact_url
from accounts.tests.better_auth import assert_503, get_with

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
