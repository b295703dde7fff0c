"""A new task's INSERT: the row ``save()`` stores, its owner's change number in the same
statement on PostgreSQL, and nothing at all for an account that is not active."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import SyncCounter, Task
from tasks.services import task_create
from tasks.stamped_writes import task_insert, task_update_columns
from tasks.tests.factories import TaskFactory
from testing.races import run_at_once, there

pytestmark = pytest.mark.django_db

# What the database or the clock decide; every other column must be the same.
OWN = {"id", "version", "created_at", "updated_at"}
COLUMNS = [field.attname for field in Task._meta.concrete_fields if field.attname not in OWN]
DUE = datetime(2027, 3, 1, 9, 30, 0, 250000, tzinfo=UTC)


def stored(task: Task) -> dict:
    return Task.objects.filter(pk=task.pk).values(*COLUMNS).get()


def counter(user) -> int | None:
    return SyncCounter.objects.filter(user=user).values_list("seq", flat=True).first()


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "plain"},
        {"title": 'café "quoted"', "description": "x" * 1000, "completed": True, "priority": 3},
        {"title": "due", "description": None, "due_at": DUE, "remind_at": DUE - timedelta(hours=1)},
        {"title": "recurring", "due_at": DUE, "recurrence": "FREQ=WEEKLY;BYDAY=MO"},
    ],
    ids=["plain", "every-scalar", "dates", "recurring"],
)
def test_the_row_is_the_one_save_stores(user, fields):
    inserted = task_create(user=user, **fields)
    saved = Task(user=user, **fields)
    saved.completed_at, saved.series_start = inserted.completed_at, inserted.series_start
    saved.version = inserted.version
    saved.save()

    assert stored(inserted) == stored(saved)
    fresh = Task.objects.get(pk=inserted.pk)
    assert (fresh.version, fresh.created_at, fresh.updated_at) == (
        inserted.version,
        inserted.created_at,
        inserted.updated_at,
    )


def test_each_insert_takes_the_owners_next_change_number(user):
    task_create(user=user, title="zero")
    before = counter(user)

    first = task_create(user=user, title="one")
    second = task_create(user=user, title="two")

    assert (first.version, second.version) == (before + 1, before + 2)
    assert counter(user) == before + 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no data-modifying WITH")
def test_on_postgresql_number_and_insert_are_one_statement(user):
    with CaptureQueriesContext(connection) as context:
        task = task_create(user=user, title="one", user_active=True)

    [statement] = context.captured_queries
    assert "WITH" in statement["sql"] and task.pk is not None


@pytest.mark.parametrize("owner", ["deactivated", "deleted"])
def test_with_the_account_check_nothing_is_written_for_a_user_who_is_not_active(owner):
    user = UserFactory(is_active=owner != "deactivated")
    TaskFactory(user=user)
    before = counter(user)
    if owner == "deleted":
        user = User(pk=user.pk)  # the id a token carries, of a user no longer stored
        User.objects.filter(pk=user.pk).delete()

    assert task_create(user=user, title="refused", user_active=True) is None

    assert not Task.objects.filter(title="refused").exists()
    assert counter(user) == (before if owner == "deactivated" else None)


def test_without_the_account_check_a_deactivated_users_task_is_still_created():
    """The admin and the commands act for users whatever their state: no check asked, none made."""
    user = UserFactory(is_active=False)

    task = task_create(user=user, title="by support")

    assert Task.objects.filter(pk=task.pk, user=user).exists()


def test_task_insert_sets_what_the_database_gave(user):
    task = Task(user=user, title="direct", completed_at=None)

    assert task_insert(task=task) is True

    assert not task._state.adding and task.pk == Task.objects.get(title="direct").pk


def test_twenty_creates_at_once_take_twenty_distinct_numbers(race_database):
    user = there(race_database, UserFactory)

    def create():
        return task_create(user=user, title="racing", user_active=True).version

    versions = run_at_once(race_database, 20, create)

    assert sorted(versions) == list(range(1, 21))
    rows = there(
        race_database, lambda: sorted(Task.objects.filter(user=user).values_list("version", flat=True))
    )
    assert rows == list(range(1, 21))


def test_an_update_stores_what_save_stores_with_the_next_number(user):
    ours, theirs = task_create(user=user, title="a"), task_create(user=user, title="b")
    before = counter(user)
    changes = {"title": "changed", "description": None, "due_at": DUE, "completed": True}
    for task in (ours, theirs):
        for name, value in changes.items():
            setattr(task, name, value)
        task.completed_at = DUE

    with transaction.atomic():
        task_update_columns(task=ours, names=[*changes, "completed_at"])
    theirs.save(update_fields=[*changes, "completed_at", "updated_at"])

    assert {**stored(ours), "title": "b"} == {**stored(theirs), "title": "b"}
    fresh = Task.objects.get(pk=ours.pk)
    assert (
        (fresh.version, fresh.updated_at) == (ours.version, ours.updated_at) == (before + 1, ours.updated_at)
    )
    assert fresh.updated_at > fresh.created_at and counter(user) == before + 1


def test_an_update_writes_only_the_columns_named(user):
    task = task_create(user=user, title="kept", description="kept too")
    task.title, task.description = "saved", "not saved"

    with transaction.atomic():
        task_update_columns(task=task, names=["title"])

    assert Task.objects.values_list("title", "description").get(pk=task.pk) == ("saved", "kept too")


@pytest.mark.django_db(transaction=True)
def test_an_update_outside_a_transaction_is_refused():
    task = task_create(user=UserFactory(), title="a")

    with pytest.raises(RuntimeError, match="inside the transaction"):
        task_update_columns(task=task, names=["title"])


@pytest.mark.django_db(transaction=True)
def test_an_insert_of_two_statements_outside_a_transaction_is_refused():
    task = Task(user=UserFactory(), title="alone")
    if connection.vendor == "postgresql":
        assert task_insert(task=task) is True  # one statement: a transaction of its own
    else:
        with pytest.raises(RuntimeError, match="two statements"):
            task_insert(task=task)
        assert not Task.objects.filter(title="alone").exists()
