"""The user-data services called directly: the export carries every field, erasure is exact."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from userdata.services import user_data_summary, user_delete_data, user_export_data

pytestmark = pytest.mark.django_db


def test_the_export_carries_every_field_of_the_task_model():
    # Read from the model, not from the export's own list: a new field must show up here.
    user = UserFactory()
    TaskFactory(user=user, completed=True)

    (task,) = user_export_data(user_id=user.pk)["tasks"]

    assert set(task) == {field.attname for field in Task._meta.concrete_fields}
    assert task["user_id"] == user.pk


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
