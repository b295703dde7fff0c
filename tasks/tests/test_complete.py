"""PATCH …/complete: toggles without a value, sets a given one idempotently."""

import pytest

from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, parse_time, tasks_url

pytestmark = pytest.mark.django_db


# --- PATCH …/complete ------------------------------------------------------------------------


def test_complete_without_a_body_toggles(user, user_client, family, slash):
    task = TaskFactory(user=user)
    url = tasks_url(family, user, task.pk, suffix="complete", slash=slash)

    first = user_client.patch(url)
    task.refresh_from_db()
    completed_at = task.completed_at

    assert first.status_code == 200
    assert first.json()["completed"] is True
    assert task.completed is True and completed_at is not None
    assert_task_shape(first.json(), task)

    second = user_client.patch(url)

    assert second.status_code == 200
    assert second.json()["completed"] is False
    assert second.json()["completed_at"] is None
    task.refresh_from_db()
    assert (task.completed, task.completed_at) == (False, None)


def test_complete_with_an_empty_object_toggles(user, user_client, family):
    task = TaskFactory(user=user, completed=True)
    url = tasks_url(family, user, task.pk, suffix="complete")

    response = user_client.patch(url, {}, format="json")

    assert response.status_code == 200
    assert response.json()["completed"] is False
    task.refresh_from_db()
    assert (task.completed, task.completed_at) == (False, None)


@pytest.mark.parametrize("start", [False, True])
@pytest.mark.parametrize("wanted", [False, True])
def test_complete_with_a_value_sets_it_idempotently(user, user_client, family, start, wanted):
    task = TaskFactory(user=user, completed=start)
    url = tasks_url(family, user, task.pk, suffix="complete")

    responses = [user_client.patch(url, {"completed": wanted}, format="json") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert [response.json()["completed"] for response in responses] == [wanted, wanted]
    task.refresh_from_db()
    assert task.completed is wanted
    assert (task.completed_at is not None) is wanted
    # A second "set" is no change: the completion time stays the first one.
    assert responses[0].json()["completed_at"] == responses[1].json()["completed_at"]


def test_complete_keeps_completed_at_of_an_already_completed_task(user, user_client, family):
    task = TaskFactory(user=user, completed=True)
    completed_at = task.completed_at

    response = user_client.patch(
        tasks_url(family, user, task.pk, suffix="complete"), {"completed": True}, format="json"
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.completed_at == completed_at
    assert parse_time(response.json()["completed_at"]) == completed_at


def test_complete_ignores_other_fields(user, user_client, family):
    task = TaskFactory(user=user, title="same")

    response = user_client.patch(
        tasks_url(family, user, task.pk, suffix="complete"),
        {"completed": True, "title": "changed", "user_id": "someone"},
        format="json",
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.completed, task.user_id) == ("same", True, user.pk)


@pytest.mark.parametrize("value", ["maybe", "true", 1, None, [], {}])
def test_complete_with_a_non_boolean_is_422(user, user_client, family, value):
    task = TaskFactory(user=user)

    response = user_client.patch(
        tasks_url(family, user, task.pk, suffix="complete"), {"completed": value}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["field"] == "completed"
    task.refresh_from_db()
    assert task.completed is False
