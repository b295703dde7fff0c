"""The operators' commands about tasks, run through call_command, and their services."""

import re
from datetime import timedelta

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tasks.demo import demo_seed, demo_task_title, demo_user_id
from tasks.models import Priority, Tag, Task
from tasks.recurrence import recurrence_check
from tasks.services import task_purge_completed
from tasks.tags import tag_names_by_task
from tasks.tests.factories import TaskFactory
from testing.helpers import command_help, run_command


@pytest.mark.parametrize(
    ("name", "options"),
    [("seed_demo", ["--users", "--tasks"]), ("purge_completed", ["--older-than", "--dry-run"])],
)
def test_help_describes_the_options(name, options):
    help_, text = command_help("tasks", name)
    assert help_.split()[0] in text
    for option in options:
        assert option in text


# --- purge_completed -------------------------------------------------------------------------


def completed_days_ago(days: float, **fields) -> Task:
    return TaskFactory(completed=True, completed_at=timezone.now() - timedelta(days=days), **fields)


@pytest.fixture
def tasks_by_age(db):
    return {
        "old": completed_days_ago(40),
        "older": completed_days_ago(400),
        "recent": completed_days_ago(5),
        "open": TaskFactory(),  # open tasks are never purged, however old
    }


def remaining(tasks_by_age) -> set[str]:
    left = set(Task.objects.values_list("pk", flat=True))
    return {name for name, task in tasks_by_age.items() if task.pk in left}


def test_purge_deletes_completed_tasks_older_than_days(tasks_by_age):
    output = run_command("purge_completed", "--older-than", "30")

    assert "Deleted 2 completed tasks completed more than 30 days ago." in output
    assert remaining(tasks_by_age) == {"recent", "open"}


def test_purge_dry_run_counts_and_deletes_nothing(tasks_by_age):
    output = run_command("purge_completed", "--older-than", "30", "--dry-run")

    assert "Dry run: 2 completed tasks" in output
    assert remaining(tasks_by_age) == set(tasks_by_age)


def test_purge_with_zero_days_deletes_every_completed_task(tasks_by_age):
    run_command("purge_completed", "--older-than", "0")

    assert remaining(tasks_by_age) == {"open"}


def test_purge_with_nothing_to_do_says_so(tasks_by_age):
    assert "Deleted 0 completed tasks" in run_command("purge_completed", "--older-than", "1000")


def test_purge_is_a_constant_number_of_queries(tasks_by_age):
    with CaptureQueriesContext(connection) as captured:
        assert task_purge_completed(older_than=timedelta(days=30)) == 2
    deletes = [
        query["sql"] for query in captured.captured_queries if query["sql"].upper().startswith("DELETE")
    ]
    # The tag rows' and the tasks'; beside them the lock, the linked tasks' lock (none here, so
    # no UPDATE), the owners' change numbers and the tombstones: one statement each.
    assert len(deletes) == 2
    assert len(captured.captured_queries) == 8  # with the test's SAVEPOINT and RELEASE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "-1"], "between 0 and"),
        (["--older-than", "ten"], "invalid int value"),
        (["--older-than", "999999"], "between 0 and"),
        ([], "--older-than"),
    ],
)
def test_purge_rejects_bad_input(tasks_by_age, args, message):
    with pytest.raises(CommandError, match=message):
        run_command("purge_completed", *args)
    assert remaining(tasks_by_age) == set(tasks_by_age)


def test_purge_service_refuses_a_negative_age(db):
    with pytest.raises(ValueError, match="negative"):
        task_purge_completed(older_than=timedelta(days=-1))


# --- seed_demo --------------------------------------------------------------------------------


def test_seed_demo_creates_users_and_tasks(db):
    output = run_command("seed_demo", "--users", "2", "--tasks", "6")

    assert "Created 2 demo users and 12 tasks" in output
    assert "issue_dev_token demo_user_0001" in output
    users = User.objects.filter(pk__in=[demo_user_id(1), demo_user_id(2)])
    assert users.count() == 2
    assert all(not user.has_usable_password() and not user.is_staff for user in users)
    assert Task.objects.filter(user__in=users).count() == 12
    done = Task.objects.filter(completed=True)
    assert done.count() == 4  # every third task
    assert not done.filter(completed_at__isnull=True).exists()
    assert not Task.objects.filter(completed=False, completed_at__isnull=False).exists()


def test_seed_demo_is_idempotent(db):
    run_command("seed_demo", "--users", "2", "--tasks", "3")
    before = sorted(Task.objects.values_list("pk", "user_id", "title"))

    output = run_command("seed_demo", "--users", "2", "--tasks", "3")

    assert "Created 0 demo users and 0 tasks" in output
    assert sorted(Task.objects.values_list("pk", "user_id", "title")) == before


def test_seed_demo_with_larger_numbers_adds_only_the_difference(db):
    demo_seed(users=1, tasks=2)

    result = demo_seed(users=2, tasks=3)

    assert (result.users_created, result.tasks_created) == (1, 4)
    assert Task.objects.count() == 6
    assert Task.objects.filter(user_id=demo_user_id(1), title=demo_task_title(3)).exists()


def test_seed_demo_defaults(db):
    run_command("seed_demo")

    assert User.objects.count() == 3
    assert Task.objects.count() == 30


def test_seed_demo_does_not_touch_other_users_tasks(user):
    mine = TaskFactory(user=user, title=demo_task_title(1))

    run_command("seed_demo", "--users", "1", "--tasks", "1")

    assert Task.objects.filter(user=user).get() == mine


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "0"], "users must be between 1 and 1000, not 0."),
        (["--users", "-3"], "users must be between 1 and 1000, not -3."),
        (["--users", "100000"], "users must be between 1 and 1000, not 100000."),
        (["--tasks", "0"], "tasks must be between 1 and 1000, not 0."),
        (["--tasks", "1001"], "tasks must be between 1 and 1000, not 1001."),
        (["--tasks", "many"], "invalid int value"),
    ],
)
def test_seed_demo_rejects_bad_counts(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run_command("seed_demo", *args)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"users": 0}, "users must be between 1 and 1000, not 0."),
        ({"users": 1001}, "users must be between 1 and 1000, not 1001."),
        ({"tasks": 0}, "tasks must be between 1 and 1000, not 0."),
        ({"tasks": 1001}, "tasks must be between 1 and 1000, not 1001."),
    ],
)
def test_demo_seed_refuses_counts_out_of_range(db, counts, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        demo_seed(**counts)
    assert not User.objects.exists()


def test_seed_demo_seeds_a_realistic_mix(db, django_assert_max_num_queries):
    now = timezone.now()
    with django_assert_max_num_queries(12):  # the same for 3 users as for 30
        demo_seed(users=3, tasks=10)

    tasks = Task.objects.filter(user_id=demo_user_id(1))
    assert set(tasks.values_list("priority", flat=True)) == {Priority.LOW, Priority.MEDIUM, Priority.HIGH}
    assert tasks.filter(due_at__lt=now).exists() and tasks.filter(due_at__gt=now).exists()
    assert tasks.filter(due_at__isnull=True).exists() and tasks.filter(remind_at__isnull=False).exists()
    recurring = tasks.filter(recurrence__isnull=False)
    assert recurring.count() == 3 and not recurring.filter(series_start__isnull=True).exists()
    names = tag_names_by_task(tasks.values_list("pk", flat=True))
    assert names[tasks.get(title__startswith="Buy milk").pk] == ["shopping", "home"]
    assert Tag.objects.filter(user_id=demo_user_id(1)).count() == 8  # distinct names of _TASKS
    # What the API would accept: every seeded recurring task recurs after its due date.
    for task in recurring:
        recurrence_check(rule=task.recurrence, due_at=task.due_at, series_start=task.series_start)
