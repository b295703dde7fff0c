"""The operators' commands about users, run through call_command."""

import jwt
import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import User
from accounts.roles import SUPPORT_GROUP_NAME
from accounts.tests.factories import UserFactory
from testing.helpers import STAFF_PASSWORD, command_help, make_token, run_command


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("issue_dev_token", ["--email", "--name", "--minutes", "--force"]),
        ("create_support_user", ["--email", "--password"]),
    ],
)
def test_help_describes_the_options(name, options):
    help_, text = command_help("accounts", name)
    assert help_.split()[0] in text
    for option in options:
        assert option in text


# --- issue_dev_token ---------------------------------------------------------------------------


@override_settings(DEBUG=True)
def test_issue_dev_token_prints_a_token_the_api_accepts(db, api_client):
    token = run_command(
        "issue_dev_token", "ba_dev", "--email", "dev@example.com", "--name", "Dev", "--minutes", "5"
    )
    token = token.strip()

    claims = jwt.decode(token, settings.BETTER_AUTH_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["email"], claims["name"]) == ("ba_dev", "dev@example.com", "Dev")
    assert claims["exp"] - claims["iat"] == 5 * 60
    response = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert User.objects.get(pk="ba_dev").email == "dev@example.com"


@override_settings(DEBUG=True)
def test_issue_dev_token_leaves_out_claims_not_given():
    claims = jwt.decode(
        run_command("issue_dev_token", "ba_dev").strip(), settings.BETTER_AUTH_SECRET, ["HS256"]
    )
    assert "email" not in claims
    assert "name" not in claims
    assert claims["exp"] - claims["iat"] == 60 * 60


@override_settings(DEBUG=False)
def test_issue_dev_token_refuses_with_debug_off_unless_forced():
    with pytest.raises(CommandError, match="--force"):
        run_command("issue_dev_token", "ba_dev")
    assert run_command("issue_dev_token", "ba_dev", "--force").count(".") == 2


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ba_dev", "--minutes", "0"], "--minutes"),
        (["ba_dev", "--minutes", "100000"], "--minutes"),
        (["ba_dev", "--minutes", "ten"], "invalid int value"),
        (["ba_dev", "--email", "not-an-email"], "not a valid email"),
        (["  "], "USER_ID"),
        (["a/b"], "USER_ID"),
        (["x" * 256], "USER_ID"),
        (["ba\x00dev"], "USER_ID"),
        (["ba\x1bdev"], "USER_ID"),
        (["ba\ndev"], "USER_ID"),
    ],
)
def test_issue_dev_token_rejects_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        run_command("issue_dev_token", *args)


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "user_id",
    [
        "ba_dev",
        "x" * 255,
        "ba dev",
        "bä_dév",
        "  ",
        "a/b",
        "x" * 256,
        "ba\x00dev",
        "ba\x07dev",
        "ba\tdev",
        "ba\u2028",
    ],
)
def test_issue_dev_token_issues_exactly_the_tokens_the_api_accepts(db, api_client, user_id):
    try:
        token = run_command("issue_dev_token", user_id).strip()
    except CommandError:
        token = None
    accepted = api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {make_token(sub=user_id)}")

    assert (token is not None) == (accepted.status_code == 200), accepted.content
    if token is not None:
        assert api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@override_settings(DEBUG=True, BETTER_AUTH_SECRET="")
def test_issue_dev_token_without_a_secret_says_so():
    with pytest.raises(CommandError, match="BETTER_AUTH_SECRET"):
        run_command("issue_dev_token", "ba_dev")


# --- create_support_user ---------------------------------------------------------------------


def test_create_support_user_makes_staff_in_the_support_group(db):
    output = run_command("create_support_user", "--email", "Help@Example.com", "--password", STAFF_PASSWORD)

    user = User.objects.get(email="help@example.com")
    assert "help@example.com" in output
    assert user.is_staff
    assert not user.is_superuser
    assert user.check_password(STAFF_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [SUPPORT_GROUP_NAME]
    assert user.has_perm("tasks.change_task")


def test_create_support_user_prompts_for_the_password(db, monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    run_command("create_support_user", "--email", "help@example.com")

    assert User.objects.get(email="help@example.com").check_password(STAFF_PASSWORD)


def test_create_support_user_refuses_differing_passwords(db, monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="differ"):
        run_command("create_support_user", "--email", "help@example.com")
    assert not User.objects.exists()


def test_create_support_user_without_a_terminal_fails_cleanly(db, monkeypatch):
    def no_input(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_input)
    with pytest.raises(CommandError, match="No password"):
        run_command("create_support_user", "--email", "help@example.com")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", STAFF_PASSWORD, "not a valid email"),
        ("", STAFF_PASSWORD, "not a valid email"),
        ("taken@example.com", STAFF_PASSWORD, "already exists"),
        ("TAKEN@example.com", STAFF_PASSWORD, "already exists"),
        ("help@example.com", "", "must not be empty"),
        ("help@example.com", "short", "too short"),
        ("help@example.com", "password123", "too common"),
    ],
)
def test_create_support_user_rejects_bad_input(db, email, password, message):
    UserFactory(email="taken@example.com")

    with pytest.raises(CommandError, match=message):
        run_command("create_support_user", "--email", email, "--password", password)
    assert not User.objects.filter(is_staff=True).exists()


def test_create_support_user_checks_the_email_before_asking_for_a_password(db, monkeypatch):
    def must_not_prompt(prompt=""):
        raise AssertionError("prompted")

    monkeypatch.setattr("getpass.getpass", must_not_prompt)
    with pytest.raises(CommandError, match="not a valid email"):
        run_command("create_support_user", "--email", "nope")
