"""Creating a task: 201, its Location, the defaults, completed_at and ignored fields."""

import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.test.utils import override_script_prefix

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, parse_time, tasks_url

pytestmark = pytest.mark.django_db

# Unreserved, sub-delims, ":", "@", "/" or a percent-escape: nothing a client would misread.
RFC3986_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")


# --- Create -------------------------------------------------------------------------------


def test_create_answers_201_with_the_task_and_its_location(user, user_client, family, slash):
    url = tasks_url(family, user, slash=slash)

    response = user_client.post(url, {"title": "Buy milk", "description": "2 litres"}, format="json")

    assert response.status_code == 201
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert task.user == user
    assert (task.title, task.description, task.completed, task.completed_at) == (
        "Buy milk",
        "2 litres",
        False,
        None,
    )
    assert_task_shape(body, task)
    assert response["Location"] == f"http://testserver{tasks_url(family, user, task.pk)}"
    assert user_client.get(response["Location"]).json() == body


def test_the_location_follows_the_prefix_the_api_is_mounted_under(user, user_client, family):
    url = tasks_url(family, user)

    with override_script_prefix("/todo/"):  # what the WSGI handler sets from SCRIPT_NAME
        mounted = user_client.post(url, {"title": "a"}, format="json")
    plain = user_client.post(url, {"title": "b"}, format="json")

    assert mounted.status_code == plain.status_code == 201
    assert mounted["Location"] == f"http://testserver/todo{tasks_url(family, user, mounted.json()['id'])}"
    assert plain["Location"] == f"http://testserver{tasks_url(family, user, plain.json()['id'])}"


@pytest.mark.parametrize("user_id", ["a?b", "100%", "a b", "usér_ü", "x?y=1&z#%2F"])
def test_create_location_escapes_the_user_id(db, client_for, slash, user_id):
    from accounts.tests.factories import UserFactory

    owner = UserFactory(id=user_id)
    client = client_for(owner)
    collection = f"/api/{quote(user_id, safe='')}/tasks"

    response = client.post(collection + ("/" if slash else ""), {"title": "t"}, format="json")

    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.query, location.fragment) == (
        "http",
        "testserver",
        "",
        "",
    )
    assert RFC3986_PATH.fullmatch(location.path), location.path
    assert unquote(location.path) == f"/api/{user_id}/tasks/{task_id}"
    found = client.get(response["Location"])
    assert found.status_code == 200, found.content
    assert found.json()["id"] == task_id


def test_create_with_only_a_title_uses_the_defaults(user, user_client, family):
    response = user_client.post(tasks_url(family, user), {"title": "x"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["description"] is None
    assert body["completed"] is False
    assert body["completed_at"] is None


def test_create_completed_sets_completed_at(user, user_client, family):
    before = datetime.now(UTC)

    response = user_client.post(tasks_url(family, user), {"title": "x", "completed": True}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["completed"] is True
    assert before <= parse_time(body["completed_at"]) <= datetime.now(UTC)


def test_create_ignores_read_only_and_unknown_fields(user, other_user, user_client, family):
    existing = TaskFactory(user=other_user)
    body = {
        "title": "mine",
        "id": existing.pk,
        "user_id": other_user.pk,
        "user": other_user.pk,
        "created_at": "2001-01-01T00:00:00Z",
        "updated_at": "2001-01-01T00:00:00Z",
        "completed_at": "2001-01-01T00:00:00Z",
        "colour": "red",
        "next_occurrence_id": existing.pk,
        "previous_occurrence_id": existing.pk,
    }

    response = user_client.post(tasks_url(family, user), body, format="json")

    assert response.status_code == 201
    created = response.json()
    assert created["id"] != existing.pk
    assert created["user_id"] == user.pk
    assert created["completed_at"] is None
    assert not created["created_at"].startswith("2001")
    assert not created["updated_at"].startswith("2001")
    assert "colour" not in created
    assert created["next_occurrence_id"] is None
    assert created["previous_occurrence_id"] is None
    assert Task.objects.get(pk=created["id"]).user == user
    existing_before = (existing.user_id, existing.title)
    existing.refresh_from_db()
    assert (existing.user_id, existing.title) == existing_before
