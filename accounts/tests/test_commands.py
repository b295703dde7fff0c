"""The operators' commands about users, run through call_command."""

import json
import stat

import jwt
import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import User
from accounts.roles import SUPPORT_GROUP_NAME
from accounts.services import user_delete_data, user_export_data
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import STAFF_PASSWORD, command_help, make_token, run_command


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("issue_dev_token", ["--email", "--name", "--minutes", "--force"]),
        ("create_support_user", ["--email", "--password"]),
        ("export_user_data", ["--output"]),
        ("delete_user_data", ["--yes", "--dry-run"]),
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


# --- export_user_data --------------------------------------------------------------------------


def test_export_prints_the_user_and_all_their_tasks(user, other_user):
    done = TaskFactory(user=user, title="Done", completed=True, description=None)
    open_ = TaskFactory(user=user, title="Open", description="details")
    TaskFactory(user=other_user)

    data = json.loads(run_command("export_user_data", user.pk))

    assert data["user"]["id"] == user.pk
    assert data["user"]["email"] == user.email
    assert data["user"]["name"] == user.name
    assert "password" not in data["user"]
    assert [task["id"] for task in data["tasks"]] == [done.pk, open_.pk]
    first = data["tasks"][0]
    assert first["title"] == "Done"
    assert first["description"] is None
    assert first["completed"] is True
    assert first["completed_at"].endswith("Z")
    assert data["tasks"][1]["completed_at"] is None
    assert data["exported_at"].endswith("Z")


def test_export_writes_an_owner_only_file(user, tmp_path):
    TaskFactory(user=user, title="Ünïcode ✓")
    target = tmp_path / "export.json"

    output = run_command("export_user_data", user.pk, "--output", str(target))

    assert "1 tasks" in output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["tasks"][0]["title"] == "Ünïcode ✓"


def test_export_of_an_unknown_user_is_an_error_and_writes_nothing(db, tmp_path):
    target = tmp_path / "export.json"

    with pytest.raises(CommandError, match="No user with id 'ghost'"):
        run_command("export_user_data", "ghost", "--output", str(target))
    assert not target.exists()


def test_export_to_an_unwritable_place_is_an_error(user, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run_command("export_user_data", user.pk, "--output", str(tmp_path / "missing-dir" / "x.json"))


def test_export_queries_do_not_grow_with_tasks(user, django_assert_max_num_queries):
    TaskFactory.create_batch(30, user=user)
    with django_assert_max_num_queries(2):
        assert len(user_export_data(user_id=user.pk)["tasks"]) == 30


# --- delete_user_data --------------------------------------------------------------------------


def log_about(obj, staff):
    return LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[obj], action_flag=CHANGE, change_message="", single_object=True
    )


def test_delete_with_yes_erases_the_user_tasks_and_admin_history(user, other_user):
    TaskFactory.create_batch(3, user=user)
    kept = TaskFactory(user=other_user)
    staff = User.objects.create_user("staff@example.com", STAFF_PASSWORD, is_staff=True)
    log_about(user, staff)
    log_about(Task.objects.filter(user=user).first(), staff)
    log_about(kept, staff)

    output = run_command("delete_user_data", user.pk, "--yes")

    assert f"Deleted user {user.pk} ({user.email}), 3 tasks and 2 admin log entries." in output
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Task.objects.filter(user_id=user.pk).exists()
    assert Task.objects.filter(pk=kept.pk).exists()
    task_type = ContentType.objects.get_for_model(Task)
    assert list(LogEntry.objects.values_list("content_type", "object_id")) == [(task_type.pk, str(kept.pk))]


def test_delete_asks_first_and_stops_on_no(user, monkeypatch):
    TaskFactory(user=user)
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")

    with pytest.raises(CommandError, match="Aborted"):
        run_command("delete_user_data", user.pk)
    assert User.objects.filter(pk=user.pk).exists()
    assert Task.objects.filter(user=user).count() == 1


def test_delete_asks_first_and_goes_on_yes(user, monkeypatch):
    TaskFactory(user=user)
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or "yes")

    output = run_command("delete_user_data", user.pk)

    assert "This erases user" in output
    assert "1 tasks" in output
    assert prompts
    assert not User.objects.filter(pk=user.pk).exists()


def test_delete_without_a_terminal_deletes_nothing(user, monkeypatch):
    def no_input(prompt=""):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_input)
    with pytest.raises(CommandError, match="Aborted"):
        run_command("delete_user_data", user.pk)
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("yes", [[], ["--yes"]])
def test_delete_dry_run_says_what_would_go_and_deletes_nothing(user, other_user, monkeypatch, yes):
    tasks = TaskFactory.create_batch(2, user=user)
    staff = User.objects.create_user("staff@example.com", STAFF_PASSWORD, is_staff=True)
    log_about(user, staff)
    log_about(tasks[0], staff)

    def no_questions(prompt=""):
        raise AssertionError("a dry run asks nothing")

    monkeypatch.setattr("builtins.input", no_questions)

    output = run_command("delete_user_data", user.pk, "--dry-run", *yes)

    assert (
        f"Dry run: would delete user {user.pk} ({user.email}), 2 tasks and 2 admin log entries. "
        "Nothing was deleted." in output
    )
    assert "Deleted" not in output
    assert User.objects.filter(pk=user.pk).exists()
    assert Task.objects.filter(user=user).count() == 2
    assert LogEntry.objects.count() == 2


def test_delete_dry_run_of_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user with id 'ghost'"):
        run_command("delete_user_data", "ghost", "--dry-run")


def test_delete_of_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user with id 'ghost'"):
        run_command("delete_user_data", "ghost", "--yes")


def test_delete_is_one_transaction(user, monkeypatch):
    TaskFactory.create_batch(2, user=user)

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(User, "delete", fail)
    with pytest.raises(RuntimeError):
        user_delete_data(user_id=user.pk)
    assert Task.objects.filter(user=user).count() == 2
