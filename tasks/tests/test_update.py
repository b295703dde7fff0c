"""PUT replaces a task and PATCH changes part of it; a repeated value saves nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import Priority, Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, parse_time, snapshot, tasks_url

pytestmark = pytest.mark.django_db


# --- PUT: title and description replaced, the rest kept unless given ----------------------


def test_put_replaces_the_task(user, user_client, family, slash):
    task = TaskFactory(user=user, title="old", description="old text")

    response = user_client.put(
        tasks_url(family, user, task.pk, slash=slash),
        {"title": "new", "description": "new text", "completed": True},
        format="json",
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.description, task.completed) == ("new", "new text", True)
    assert task.completed_at is not None
    assert_task_shape(response.json(), task)


def test_put_resets_only_the_description_and_keeps_every_other_omitted_field(user, user_client, family):
    # What two real edit forms send: title and description, nothing about completion.
    due = timezone.now() + timedelta(days=2)
    task = TaskFactory(
        user=user, title="old", description="keep me?", completed=True, priority=Priority.HIGH,
        due_at=due, remind_at=due - timedelta(hours=1), recurrence="FREQ=WEEKLY", series_start=due,
        tags=["Work", "home"],
    )  # fmt: skip
    completed_at = task.completed_at

    response = user_client.put(tasks_url(family, user, task.pk), {"title": "only a title"}, format="json")

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.title == "only a title"
    assert task.description is None
    assert (task.completed, task.completed_at) == (True, completed_at)
    assert (task.priority, task.due_at, task.remind_at) == (Priority.HIGH, due, due - timedelta(hours=1))
    assert task.recurrence == "FREQ=WEEKLY"
    assert response.json()["description"] is None
    assert response.json()["tags"] == ["Work", "home"]
    assert_task_shape(response.json(), task)


def test_put_without_a_title_is_422_and_changes_nothing(user, user_client, family):
    task = TaskFactory(user=user, title="old", description="d")

    response = user_client.put(tasks_url(family, user, task.pk), {"description": "new"}, format="json")

    assert response.status_code == 422
    assert response.json()["field"] == "title"
    task.refresh_from_db()
    assert (task.title, task.description) == ("old", "d")


def test_put_keeps_completed_at_when_the_task_stays_completed(user, user_client, family):
    task = TaskFactory(user=user, completed=True)
    completed_at = task.completed_at

    response = user_client.put(
        tasks_url(family, user, task.pk), {"title": "t", "completed": True}, format="json"
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.completed_at == completed_at


def test_put_moves_updated_at_but_not_created_at(user, user_client, family):
    task = TaskFactory(user=user)
    created_at, updated_at = task.created_at, task.updated_at

    response = user_client.put(tasks_url(family, user, task.pk), {"title": "t2"}, format="json")

    task.refresh_from_db()
    assert task.created_at == created_at
    assert task.updated_at > updated_at
    assert parse_time(response.json()["updated_at"]) == task.updated_at


# --- PATCH: partial update -----------------------------------------------------------------


def test_patch_changes_only_the_given_fields(user, user_client, family, slash):
    task = TaskFactory(user=user, title="old", description="keep", completed=True)
    completed_at = task.completed_at

    response = user_client.patch(
        tasks_url(family, user, task.pk, slash=slash), {"title": "new"}, format="json"
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.description, task.completed, task.completed_at) == (
        "new",
        "keep",
        True,
        completed_at,
    )
    assert_task_shape(response.json(), task)


def test_patch_description_to_null(user, user_client, family):
    task = TaskFactory(user=user, title="keep", description="text")

    response = user_client.patch(tasks_url(family, user, task.pk), {"description": None}, format="json")

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.description) == ("keep", None)


def test_patch_completed_sets_and_clears_completed_at(user, user_client, family):
    task = TaskFactory(user=user)
    url = tasks_url(family, user, task.pk)

    done = user_client.patch(url, {"completed": True}, format="json").json()
    again = user_client.patch(url, {"completed": True}, format="json").json()
    reopened = user_client.patch(url, {"completed": False}, format="json").json()

    assert done["completed"] is True and done["completed_at"] is not None
    assert again["completed_at"] == done["completed_at"]
    assert reopened["completed"] is False and reopened["completed_at"] is None
    task.refresh_from_db()
    assert task.completed_at is None


@pytest.mark.parametrize("body", [{}, {"colour": "red", "updated_at": "2001-01-01T00:00:00Z"}])
def test_patch_with_an_empty_body_changes_nothing(user, user_client, family, body):
    task = TaskFactory(user=user, title="same", description="same")
    before = snapshot(user)

    response = user_client.patch(tasks_url(family, user, task.pk), body, format="json")

    assert response.status_code == 200
    assert snapshot(user) == before  # updated_at too: nothing was saved
    assert parse_time(response.json()["updated_at"]) == task.updated_at


@pytest.mark.parametrize("completed", [False, True])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_that_repeats_the_current_values_saves_nothing(
    user, user_client, family, method, completed
):
    task = TaskFactory(user=user, title="same", description=None, completed=completed)
    before = snapshot(user)

    response = getattr(user_client, method)(
        tasks_url(family, user, task.pk),
        {"title": "same", "description": None, "completed": completed},
        format="json",
    )

    assert response.status_code == 200
    assert snapshot(user) == before  # updated_at and completed_at too
    assert parse_time(response.json()["updated_at"]) == task.updated_at


def test_an_update_saves_only_the_fields_that_change(user, user_client, family):
    task = TaskFactory(user=user, title="same", description="old", completed=True)
    completed_at = task.completed_at

    response = user_client.put(
        tasks_url(family, user, task.pk),
        {"title": "same", "description": "new", "completed": True},
        format="json",
    )

    assert response.status_code == 200
    updated = Task.objects.get(pk=task.pk)
    assert (updated.title, updated.description, updated.completed) == ("same", "new", True)
    assert updated.completed_at == completed_at
    assert updated.updated_at > task.updated_at


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_ignores_read_only_and_unknown_fields(user, other_user, user_client, family, method):
    task = TaskFactory(user=user, title="old")
    other_task = TaskFactory(user=other_user)
    before = Task.objects.values().get(pk=task.pk)

    response = getattr(user_client, method)(
        tasks_url(family, user, task.pk),
        {
            "title": "new",
            "id": other_task.pk,
            "user_id": other_user.pk,
            "user": other_user.pk,
            "created_at": "2001-01-01T00:00:00Z",
            "updated_at": "2001-01-01T00:00:00Z",
            "completed_at": "2001-01-01T00:00:00Z",
            "colour": "red",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == task.pk
    assert body["user_id"] == user.pk
    assert body["completed_at"] is None
    assert "colour" not in body
    after = Task.objects.values().get(pk=task.pk)
    assert after["user_id"] == user.pk
    assert after["created_at"] == before["created_at"]
    assert after["completed_at"] is None
    assert after["title"] == "new"
    assert Task.objects.get(pk=other_task.pk).title == other_task.title
