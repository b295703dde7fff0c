"""The new fields over HTTP: what is accepted, how it is stored and shown, on both families."""

from datetime import UTC, datetime

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import Priority, Tag, Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, tasks_url

pytestmark = pytest.mark.django_db


def test_a_new_task_has_the_contract_defaults(user, user_client, family):
    response = user_client.post(tasks_url(family, user), {"title": "t"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["priority"] == "medium"
    assert body["tags"] == []
    assert (body["due_at"], body["remind_at"], body["recurrence"]) == (None, None, None)
    assert (body["previous_occurrence_id"], body["next_occurrence_id"]) == (None, None)
    assert_task_shape(body, Task.objects.get(pk=body["id"]))


def test_every_field_is_stored_and_returned_in_the_contract_shape(user, user_client, family):
    body = {
        "title": "Buy milk",
        "priority": "high",
        "tags": ["shopping", "home"],
        "due_at": "2030-11-23T18:00:00+01:00",
        "remind_at": "2030-11-23T16:30:00Z",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO",
    }

    response = user_client.post(tasks_url(family, user), body, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["priority"] == "high"
    assert created["tags"] == ["shopping", "home"]
    assert created["due_at"] == "2030-11-23T17:00:00Z"  # stored and returned in UTC
    assert created["remind_at"] == "2030-11-23T16:30:00Z"
    assert created["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    task = Task.objects.get(pk=created["id"])
    assert task.priority == Priority.HIGH
    assert task.due_at == datetime(2030, 11, 23, 17, tzinfo=UTC)
    assert_task_shape(created, task)
    assert_task_shape(user_client.get(tasks_url(family, user, task.pk)).json(), task)
    [listed] = user_client.get(tasks_url(family, user)).json()
    assert listed == user_client.get(tasks_url(family, user, task.pk)).json()


@pytest.mark.parametrize("name", ["low", "medium", "high"])
def test_each_priority_name_round_trips(user, user_client, name):
    task = TaskFactory(user=user)
    response = user_client.patch(tasks_url("token", user, task.pk), {"priority": name}, format="json")
    assert response.json()["priority"] == name
    task.refresh_from_db()
    assert Priority(task.priority).name.lower() == name


def test_tags_are_trimmed_deduplicated_case_insensitively_in_the_given_order(user, user_client):
    tags = ["  Work ", "home", "WORK", "Home", "errands", "work"]
    response = user_client.post(tasks_url("token", user), {"title": "t", "tags": tags}, format="json")

    assert response.json()["tags"] == ["Work", "home", "errands"]
    assert sorted(Tag.objects.filter(user=user).values_list("key", flat=True)) == ["errands", "home", "work"]


def test_a_tag_is_spelled_as_first_given_for_the_user_and_found_by_any_case(user, user_client):
    TaskFactory(user=user, tags=["Work"])
    response = user_client.post(tasks_url("token", user), {"title": "t", "tags": ["WORK"]}, format="json")

    # One tag per user and name: the second task reuses it, with its first spelling.
    assert response.json()["tags"] == ["Work"]
    assert Tag.objects.filter(user=user).count() == 1


def test_one_users_tags_never_meet_anothers(user, user_client):
    other = UserFactory()
    TaskFactory(user=other, tags=["work"])
    response = user_client.post(tasks_url("token", user), {"title": "t", "tags": ["Work"]}, format="json")

    mine = Tag.objects.get(user=user)
    assert mine.name == "Work"
    assert Tag.objects.get(user=other).name == "work"
    assert list(Task.objects.get(pk=response.json()["id"]).tags.all()) == [mine]


def test_tags_at_the_bounds_are_accepted(user, user_client):
    tags = ["x" * 50, "é" * 50, "👨‍👩‍👧", *[f"t{n}" for n in range(17)]]
    response = user_client.post(tasks_url("token", user), {"title": "t", "tags": tags}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == tags


def test_patch_tags_replaces_them_and_an_empty_list_clears_them(user, user_client):
    task = TaskFactory(user=user, tags=["a", "b"])
    url = tasks_url("token", user, task.pk)

    # "A" is the user's tag "a": its spelling is the tag's (renaming is the tag route's).
    assert user_client.patch(url, {"tags": ["c", "A"]}, format="json").json()["tags"] == ["c", "a"]
    assert user_client.patch(url, {"tags": []}, format="json").json()["tags"] == []
    assert not task.tags.exists()


def test_a_patch_without_tags_keeps_them(user, user_client):
    task = TaskFactory(user=user, tags=["a", "b"])
    response = user_client.patch(tasks_url("token", user, task.pk), {"title": "new"}, format="json")
    assert response.json()["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("daily", "FREQ=DAILY"),
        ("Weekly", "FREQ=WEEKLY"),
        ("monthly", "FREQ=MONTHLY"),
        ("yearly", "FREQ=YEARLY"),
        ("FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=2"),
        ("rrule:freq=weekly;byday=mo,we;count=10", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"),
        ("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20351231T235959Z", "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20351231T235959Z"),
    ],
)
def test_recurrence_is_normalised(user, user_client, given, stored):
    body = {"title": "t", "due_at": "2030-01-07T09:00:00Z", "recurrence": given}
    response = user_client.post(tasks_url("token", user), body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["recurrence"] == stored
    assert Task.objects.get(pk=response.json()["id"]).series_start == datetime(2030, 1, 7, 9, tzinfo=UTC)


def test_recurrence_can_be_cleared_and_then_the_due_date_too(user, user_client):
    task = TaskFactory(user=user, due_at=datetime(2030, 1, 7, tzinfo=UTC), recurrence="FREQ=DAILY")
    url = tasks_url("token", user, task.pk)

    assert user_client.patch(url, {"recurrence": None}, format="json").status_code == 200
    assert user_client.patch(url, {"due_at": None}, format="json").status_code == 200
    task.refresh_from_db()
    assert (task.recurrence, task.due_at, task.series_start) == (None, None, None)


def test_date_times_with_fractions_and_offsets_are_kept_to_the_microsecond(user, user_client):
    body = {"title": "t", "due_at": "2030-06-30T23:30:00.123456-02:00", "remind_at": "2030-07-01T01:00Z"}
    created = user_client.post(tasks_url("token", user), body, format="json").json()

    assert created["due_at"] == "2030-07-01T01:30:00.123456Z"
    assert created["remind_at"] == "2030-07-01T01:00:00Z"


def test_put_carries_the_new_fields_when_given(user, user_client):
    task = TaskFactory(user=user, priority=Priority.LOW, tags=["old"])
    body = {"title": "t", "priority": "high", "tags": ["new"], "due_at": "2030-01-01T00:00:00Z"}

    response = user_client.put(tasks_url("token", user, task.pk), body, format="json")

    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["tags"]) == ("high", ["new"])
    assert_task_shape(response.json(), task)
