"""Migration 0003: existing tasks come out valid (medium, no tags, no dates), and it reverses;
on PostgreSQL the database itself keeps one user's tags off another user's tasks."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from tasks.models import Tag, TaskTag
from tasks.tests.factories import TaskFactory
from tasks.tests.migrations_helpers import migrate

BEFORE = [("tasks", "0002_support_permissions")]
AFTER = [("tasks", "0003_task_fields_tags_recurrence")]


@pytest.mark.django_db(transaction=True)
def test_existing_tasks_become_medium_with_no_tags_or_dates_and_it_reverses(back_to_latest):
    old_apps = migrate(BEFORE)
    OldUser, OldTask = old_apps.get_model("accounts", "User"), old_apps.get_model("tasks", "Task")
    owner = OldUser.objects.create(id="before-0003", email="b@example.com")
    OldTask.objects.create(user=owner, title="Old", description=None)

    new_apps = migrate(AFTER)
    task = new_apps.get_model("tasks", "Task").objects.get(title="Old")

    assert (task.priority, task.due_at, task.remind_at, task.recurrence) == (2, None, None, None)
    assert (task.series_start, task.previous_occurrence_id, task.spawned_next) == (None, None, False)
    assert not new_apps.get_model("tasks", "TaskTag").objects.filter(task=task).exists()

    migrate(BEFORE)  # reverses with data in place
    assert OldTask.objects.filter(title="Old").exists()
    migrate(AFTER)
    assert "tasks_tasktag" in connection.introspection.table_names()


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL constraint (SQLite cannot add it)"
)
def test_postgresql_refuses_another_users_tag_on_a_task():
    mine, theirs = UserFactory(), UserFactory()
    task = TaskFactory(user=mine)
    their_tag = Tag.objects.create(user=theirs, name="x", key="x")

    for user in (mine, theirs):  # the row names either owner: one of the two keys breaks
        with pytest.raises(IntegrityError), transaction.atomic():
            TaskTag.objects.create(task=task, tag=their_tag, user=user, position=0)
            connection.check_constraints()  # the keys are deferred to the commit
    assert not TaskTag.objects.exists()
