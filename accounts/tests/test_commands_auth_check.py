"""``manage.py auth_check``: what is on, what the JWKS holds, and a non-zero exit when broken."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.diagnostics import auth_check
from accounts.tests.better_auth import make_key


def run(*args) -> str:
    out = StringIO()
    call_command("auth_check", *args, stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("auth_check", *args, stdout=out)
    return out.getvalue(), str(excinfo.value)


def test_shared_secret_mode_only():
    output = run()

    assert "Shared-secret mode (HS256): on" in output
    assert "JWKS mode: off" in output
    assert output.rstrip().endswith("OK")
    assert settings.BETTER_AUTH_SECRET not in output


def test_jwks_mode_lists_the_key_ids(jwks_mode, ed25519_key, rs256_key):
    jwks_mode.publish(ed25519_key, rs256_key)

    output = run()

    assert "JWKS mode: on" in output
    assert f"{jwks_mode.origin}/api/auth/jwks" in output
    assert ed25519_key.kid in output and rs256_key.kid in output
    assert f"iss must be {jwks_mode.origin!r}" in output
    assert settings.BETTER_AUTH_SECRET not in output
    assert jwks_mode.requests == 1


def test_the_report_is_callable_without_the_command(jwks_mode, ed25519_key):
    report = auth_check()

    assert report.ok
    assert report.key_ids == [ed25519_key.kid]
    assert auth_check(fetch=False).key_ids == []
    assert jwks_mode.requests == 1


def test_jwks_down_fails(jwks_mode):
    jwks_mode.status = 500

    output, message = run_failing()

    assert "cannot be fetched" in output
    assert "cannot work" in message


def test_no_fetch_skips_the_network(jwks_mode):
    jwks_mode.status = 500

    assert "OK" in run("--no-fetch")
    assert jwks_mode.requests == 0


@override_settings(BETTER_AUTH_SECRET="", BETTER_AUTH_URL="")
def test_no_mode_at_all_fails():
    output, _ = run_failing()

    assert "No mode is on" in output


@override_settings(BETTER_AUTH_URL="", BETTER_AUTH_JWKS_URL="https://app.example.com/api/auth/jwks")
def test_jwks_url_without_origin_fails():
    output, _ = run_failing()

    assert "BETTER_AUTH_URL is not" in output


@override_settings(BETTER_AUTH_URL="https://app.example.com/api/auth")
def test_origin_with_a_path_fails():
    output, _ = run_failing("--no-fetch")

    assert "without a path" in output


def test_no_allowed_algorithm_fails(jwks_mode):
    with override_settings(BETTER_AUTH_JWKS_ALGORITHMS=["HS256", "none"]):
        output, _ = run_failing()

    assert "Ignored in BETTER_AUTH_JWKS_ALGORITHMS" in output
    assert "allows no public-key algorithm" in output
    assert jwks_mode.requests == 0


def test_published_keys_that_fit_no_allowed_algorithm_fail(jwks_mode):
    jwks_mode.publish(make_key("ES256"))

    with override_settings(BETTER_AUTH_JWKS_ALGORITHMS=["EdDSA"]):
        output, _ = run_failing()

    assert "verifies nothing allowed" in output


def test_plain_http_to_another_host_is_a_warning():
    with override_settings(BETTER_AUTH_URL="http://auth.example.com"):
        output = run("--no-fetch")

    assert "plain http" in output


PLAIN_HTTP = "The JWKS URL is plain http: whoever is on the path could hand out keys. Use https."
ZERO_COOLDOWN = "BETTER_AUTH_JWKS_REFETCH_COOLDOWN is 0: tokens with random kids each cause a fetch."
BAD_TIMEOUT = "BETTER_AUTH_JWKS_TIMEOUT must be more than 0 seconds."


@pytest.mark.parametrize(
    ("origin", "jwks_url", "warned"),
    [
        ("http://auth.example.com", "", True),
        ("https://auth.example.com", "http://keys.example.com/jwks", True),
        ("https://auth.example.com", "", False),
        ("http://localhost:3000", "", False),
        ("http://127.0.0.1:3000", "", False),
        ("http://[::1]:3000", "", False),
        ("https://auth.example.com", "http://127.0.0.1:3000/jwks", False),
    ],
)
def test_plain_http_is_a_warning_only_off_loopback(origin, jwks_url, warned):
    with override_settings(BETTER_AUTH_URL=origin, BETTER_AUTH_JWKS_URL=jwks_url):
        report = auth_check(fetch=False)

    assert (("warning", PLAIN_HTTP) in report.lines) is warned
    assert report.ok


@override_settings(BETTER_AUTH_URL="https://auth.example.com")
def test_zero_refetch_cooldown_is_a_warning():
    with override_settings(BETTER_AUTH_JWKS_REFETCH_COOLDOWN=0):
        report = auth_check(fetch=False)
        output = run("--no-fetch")

    assert ("warning", ZERO_COOLDOWN) in report.lines
    assert report.ok
    assert f"Warning: {ZERO_COOLDOWN}" in output
    assert output.rstrip().endswith("OK")
    with override_settings(BETTER_AUTH_JWKS_REFETCH_COOLDOWN=1):
        assert ("warning", ZERO_COOLDOWN) not in auth_check(fetch=False).lines


@override_settings(BETTER_AUTH_URL="https://auth.example.com")
@pytest.mark.parametrize("timeout", [0, -1])
def test_zero_or_negative_timeout_is_an_error(timeout):
    with override_settings(BETTER_AUTH_JWKS_TIMEOUT=timeout):
        report = auth_check(fetch=False)
        output, message = run_failing("--no-fetch")

    assert ("error", BAD_TIMEOUT) in report.lines
    assert not report.ok
    assert f"Error: {BAD_TIMEOUT}" in output
    assert "cannot work" in message


def test_a_bad_timeout_fails_before_any_fetch(jwks_mode):
    with override_settings(BETTER_AUTH_JWKS_TIMEOUT=0):
        report = auth_check()

    assert ("error", BAD_TIMEOUT) in report.lines
    assert report.key_ids == []
    assert jwks_mode.requests == 0


@override_settings(BETTER_AUTH_URL="https://auth.example.com", BETTER_AUTH_JWKS_TIMEOUT=0.5)
def test_a_fractional_timeout_is_fine():
    assert ("error", BAD_TIMEOUT) not in auth_check(fetch=False).lines


@override_settings(BETTER_AUTH_SECRET="short")
def test_short_secret_is_a_warning_and_never_printed():
    output = run()

    assert "shorter than 32 bytes" in output
    assert "(5 bytes)" in output
    assert "short\n" not in output and "'short'" not in output


# --- URLs in the output: never their credentials or query -----------------------------------

SECRETS = ("alice", "s3cret", "t0ken")


def test_the_jwks_url_is_printed_without_credentials_or_query(jwks_mode):
    url = jwks_mode.jwks_url.replace("http://", "http://alice:s3cret@") + "?token=t0ken"
    shown = jwks_mode.jwks_url.replace("http://", "http://***@") + "?***"

    with override_settings(BETTER_AUTH_JWKS_URL=url):
        listed = run("--no-fetch")
        fetched, message = run_failing()  # urllib does not send credentials from a URL

    assert f"JWKS URL: {shown}" in listed
    assert f"The JWKS cannot be fetched from {shown}:" in fetched
    for secret in SECRETS:
        assert secret not in listed + fetched + message


@override_settings(BETTER_AUTH_URL="https://alice:s3cret@app.example.com")
def test_an_origin_with_credentials_is_printed_without_them():
    output = run("--no-fetch")

    assert "BETTER_AUTH_URL 'https://***@app.example.com'" in output
    assert "JWKS URL: https://***@app.example.com/api/auth/jwks (from the origin)." in output
    assert "iss must be 'https://***@app.example.com'" in output
    for secret in SECRETS:
        assert secret not in output


@override_settings(
    BETTER_AUTH_URL="https://app.example.com",
    BETTER_AUTH_JWKS_URL="ftp://alice:s3cret@files/jwks?token=t0ken",
)
def test_an_unusable_url_is_named_without_credentials_or_query():
    output, _ = run_failing("--no-fetch")

    assert "must be an http(s) URL, not 'ftp://***@files/jwks?***'" in output
    for secret in SECRETS:
        assert secret not in output


def test_the_minimum_secret_length_is_the_one_setting_production_enforces():
    size = len(settings.BETTER_AUTH_SECRET.encode())
    assert size >= settings.BETTER_AUTH_SECRET_MIN_BYTES  # the test secret passes by default
    assert "shorter than" not in run()

    with override_settings(BETTER_AUTH_SECRET_MIN_BYTES=size + 1):
        output = run()

    assert f"Warning: BETTER_AUTH_SECRET is shorter than {size + 1} bytes (production refuses it)." in output


def test_an_origin_with_a_trailing_slash_implies_the_same_urls():
    from accounts.conf import auth_config

    with override_settings(BETTER_AUTH_URL="https://app.example.com/"):
        config = auth_config()

    assert config.jwks_url == "https://app.example.com/api/auth/jwks"
    assert config.jwks_issuer == config.jwks_audience == "https://app.example.com"
