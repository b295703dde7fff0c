"""Erasing a user takes their sync and retry records along, and voids their sync tokens."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import IdempotencyKey, SyncCounter, Task, TaskTombstone
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url
from userdata.services import user_delete_data

pytestmark = pytest.mark.django_db


def changes(client, user, **query):
    response = client.get(tasks_url("token", user, suffix="changes"), query)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_token_from_before_an_erasure_is_410_for_the_user_made_anew(user, client_for):
    TaskFactory(user=user)
    token = changes(client_for(user), user)["next"]
    user_delete_data(user_id=user.pk)
    again = UserFactory(id=user.pk)

    response = client_for(again).get(tasks_url("token", again, suffix="changes"), {"since": token})

    assert response.status_code == 410


def test_an_erased_users_tombstones_keys_and_counter_go_with_them(user, other_user, client_for):
    for owner in (user, other_user):
        task = TaskFactory(user=owner)
        client_for(owner).delete(tasks_url("token", owner, task.pk))
        client_for(owner).post(
            tasks_url("token", owner), {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )

    user_delete_data(user_id=user.pk)

    for model in (TaskTombstone, SyncCounter, IdempotencyKey):
        assert set(model.objects.values_list("user_id", flat=True)) == {other_user.pk}
    assert not Task.objects.filter(user_id=user.pk).exists()
