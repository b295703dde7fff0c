"""The operators' commands about one user's data: ``export_user_data`` and ``delete_user_data``."""

import json
import stat

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError

from accounts.models import User
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import STAFF_PASSWORD, command_help, run_command
from userdata.services import user_delete_data, user_export_data


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("export_user_data", ["--output"]),
        ("delete_user_data", ["--yes", "--dry-run"]),
    ],
)
def test_help_describes_the_options(name, options):
    help_, text = command_help("userdata", name)
    assert help_.split()[0] in text
    for option in options:
        assert option in text


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
    TaskFactory.create_batch(30, user=user, tags=["a", "b"])
    # The user, the tasks, their tags, the user's tags.
    with django_assert_max_num_queries(4):
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
