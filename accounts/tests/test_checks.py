"""``manage.py check --deploy`` reports a broken authentication configuration, without a fetch."""

from io import StringIO

import pytest
from django.core.checks import Error, Warning, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


def auth_messages(*, deploy: bool = True) -> list:
    """What the system checks say about authentication (``accounts.*``), in order."""
    messages = run_checks(include_deployment_checks=deploy)
    return [message for message in messages if message.id.startswith("accounts.")]


def summary(messages) -> list[tuple[type, str]]:
    return [(type(message), message.id) for message in messages]


def test_the_test_settings_are_clean():
    assert auth_messages() == []


def test_check_deploy_passes_with_the_test_settings():
    out = StringIO()

    call_command("check", "--deploy", stdout=out, stderr=StringIO())

    assert "accounts." not in out.getvalue()


@override_settings(BETTER_AUTH_SECRET="", BETTER_AUTH_URL="")
def test_no_mode_on_fails_check_deploy():
    with pytest.raises(SystemCheckError) as excinfo:
        call_command("check", "--deploy", stdout=StringIO(), stderr=StringIO())

    assert "accounts.E001" in str(excinfo.value)
    assert "No mode is on" in str(excinfo.value)
    assert summary(auth_messages()) == [(Error, "accounts.E001")]


@override_settings(BETTER_AUTH_URL="", BETTER_AUTH_JWKS_URL="https://app.example.com/api/auth/jwks")
def test_jwks_url_without_the_origin_is_an_error():
    (message,) = auth_messages()

    assert (type(message), message.id) == (Error, "accounts.E002")
    assert message.msg == "BETTER_AUTH_JWKS_URL is set but BETTER_AUTH_URL is not: JWKS mode is off."
    assert "auth_check" in message.hint


@pytest.mark.parametrize(
    ("algorithms", "expected"),
    [
        ([], [(Error, "accounts.E005")]),
        (["HS256", "none"], [(Warning, "accounts.W003"), (Error, "accounts.E005")]),
    ],
    ids=["empty", "only-symmetric"],
)
def test_no_public_key_algorithm_is_an_error(algorithms, expected):
    with override_settings(BETTER_AUTH_URL="https://app.example.com", BETTER_AUTH_JWKS_ALGORITHMS=algorithms):
        assert summary(auth_messages()) == expected


@override_settings(BETTER_AUTH_URL="https://app.example.com/api/auth", BETTER_AUTH_JWKS_TIMEOUT=0)
def test_an_origin_with_a_path_and_a_zero_timeout_are_errors():
    assert summary(auth_messages()) == [(Error, "accounts.E003"), (Error, "accounts.E006")]


@override_settings(BETTER_AUTH_SECRET="short", BETTER_AUTH_URL="http://auth.example.com")
def test_warnings_are_warnings_and_never_show_the_secret():
    with override_settings(BETTER_AUTH_JWKS_REFETCH_COOLDOWN=0):
        messages = auth_messages()
        call_command("check", "--deploy", stdout=StringIO(), stderr=StringIO())  # warnings only: passes

    assert summary(messages) == [
        (Warning, "accounts.W001"),
        (Warning, "accounts.W002"),
        (Warning, "accounts.W004"),
    ]
    assert not any("short" in message.msg.replace("shorter", "") for message in messages)


def test_the_check_never_fetches_the_jwks(jwks_mode):
    jwks_mode.status = 500  # auth_check with a fetch would fail

    assert auth_messages() == []  # loopback http is not warned about
    assert jwks_mode.requests == 0


@override_settings(BETTER_AUTH_SECRET="", BETTER_AUTH_URL="")
def test_plain_check_leaves_it_to_deploy():
    # ``check`` (and runserver's checks) stay quiet: a development machine may run without a mode.
    assert auth_messages(deploy=False) == []
    call_command("check", stdout=StringIO(), stderr=StringIO())
