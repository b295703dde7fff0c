"""The user-data services called directly: the export carries every field, erasure is exact."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import task_create, task_update
from tasks.tests.factories import TaskFactory
from userdata.services import user_data_summary, user_delete_data, user_export_data

pytestmark = pytest.mark.django_db


def test_the_export_carries_every_field_of_the_task_model():
    # Read from the model, not from the export's own list: a new field must show up here.
    user = UserFactory()
    TaskFactory(user=user, completed=True, tags=["Work", "home"])

    export = user_export_data(user_id=user.pk)
    (task,) = export["tasks"]

    assert set(task) == {field.attname for field in Task._meta.concrete_fields} | {
        field.name for field in Task._meta.many_to_many
    }
    assert task["user_id"] == user.pk
    assert task["tags"] == ["Work", "home"]
    assert export["tags"] == ["home", "Work"]


def test_the_export_carries_the_new_fields_as_json(django_assert_num_queries):
    user = UserFactory()
    due = timezone.now() + timedelta(days=1)
    first = task_create(user=user, title="t", due_at=due, recurrence="FREQ=DAILY", tags=["a"], priority=3)
    task_update(task=first, completed=True)
    TaskFactory.create_batch(5, user=user, tags=["b", "c"])

    with django_assert_num_queries(4):  # the user, the tasks, their tags, the user's tags
        export = user_export_data(user_id=user.pk)

    done, following = export["tasks"][:2]
    assert (done["priority"], done["recurrence"], done["spawned_next"]) == (3, "FREQ=DAILY", True)
    assert done["due_at"].endswith("Z") and done["series_start"] == done["due_at"]
    assert following["previous_occurrence_id"] == done["id"] and following["tags"] == ["a"]
    json.dumps(export)  # JSON-ready as it is


def test_the_export_writes_times_as_utc_with_a_z():
    user = UserFactory()
    TaskFactory(user=user, completed=True)

    (task,) = user_export_data(user_id=user.pk)["tasks"]

    for name in ("completed_at", "created_at", "updated_at"):
        assert task[name].endswith("Z"), name


def test_summary_and_erasure_count_only_that_users_tasks():
    user, bystander = UserFactory.create_batch(2)
    TaskFactory.create_batch(3, user=user)
    TaskFactory.create_batch(2, user=bystander)

    summary = user_data_summary(user_id=user.pk)
    removed = user_delete_data(user_id=user.pk)

    assert (summary.tasks, removed.tasks) == (3, 3)
    assert summary == removed
    assert not User.objects.filter(pk=user.pk).exists()
    assert Task.objects.filter(user=bystander).count() == 2


@pytest.mark.parametrize("service", [user_export_data, user_data_summary, user_delete_data])
def test_an_unknown_user_is_does_not_exist(service):
    with pytest.raises(User.DoesNotExist):
        service(user_id="ghost")
