"""The task services called directly, as the admin and the management commands call them."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services import task_update
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return TaskFactory(title="Original", description="Kept")


@pytest.mark.parametrize("field", ["user", "id", "completed_at", "created_at", "updated_at"])
def test_task_update_refuses_a_field_that_is_not_editable(task, field):
    other = {"user": UserFactory, "id": lambda: 987654321}.get(field, lambda: None)()
    owner, before = task.user, snapshot(task.user)

    with pytest.raises(TypeError, match=rf"^Not editable: {field}$"):
        task_update(task=task, **{field: other})

    assert snapshot(owner) == before


def test_task_update_refuses_the_whole_call_and_names_every_unknown_field(task):
    stranger = UserFactory()
    owner, before = task.user, snapshot(task.user)

    with pytest.raises(TypeError, match=r"^Not editable: id, user$"):
        task_update(task=task, title="Changed", user=stranger, id=task.pk + 1)

    assert snapshot(owner) == before
    assert not Task.objects.filter(user=stranger).exists()
    assert task.title == "Original"  # nothing was applied to the instance either
