"""Every route of the contract, in both families, with and without a trailing slash."""

import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot, tasks_url

pytestmark = pytest.mark.django_db

UTC_ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
# Unreserved, sub-delims, ":", "@", "/" or a percent-escape: nothing a client would misread.
RFC3986_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")
TASK_KEYS = {"id", "user_id", "title", "description", "completed", "completed_at", "created_at", "updated_at"}


def parse_time(text: str) -> datetime:
    assert UTC_ISO_Z.match(text), text
    return datetime.fromisoformat(text)


def assert_task_shape(body: dict, task: Task) -> None:
    assert set(body) == TASK_KEYS
    task.refresh_from_db()
    assert body["id"] == task.pk
    assert body["user_id"] == task.user_id
    assert body["title"] == task.title
    assert body["description"] == task.description
    assert body["completed"] is task.completed
    assert parse_time(body["created_at"]) == task.created_at
    assert parse_time(body["updated_at"]) == task.updated_at
    if task.completed_at is None:
        assert body["completed_at"] is None
    else:
        assert parse_time(body["completed_at"]) == task.completed_at


# --- List ---------------------------------------------------------------------------------


def test_list_returns_a_bare_array_of_own_tasks(user, other_user, user_client, family, slash):
    mine = TaskFactory(user=user, title="mine")
    TaskFactory(user=other_user)

    response = user_client.get(tasks_url(family, user, slash=slash))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert_task_shape(body[0], mine)
    assert response["X-Total-Count"] == "1"
    assert "Link" not in response


def test_list_of_a_new_user_is_empty(user_client, user, family):
    response = user_client.get(tasks_url(family, user))

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "0"


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
        "priority": "high",
    }

    response = user_client.post(tasks_url(family, user), body, format="json")

    assert response.status_code == 201
    created = response.json()
    assert created["id"] != existing.pk
    assert created["user_id"] == user.pk
    assert created["completed_at"] is None
    assert not created["created_at"].startswith("2001")
    assert not created["updated_at"].startswith("2001")
    assert "priority" not in created
    assert Task.objects.get(pk=created["id"]).user == user
    existing_before = (existing.user_id, existing.title)
    existing.refresh_from_db()
    assert (existing.user_id, existing.title) == existing_before


# --- Retrieve -----------------------------------------------------------------------------


def test_retrieve_answers_the_task(user, user_client, family, slash):
    task = TaskFactory(user=user, description=None, completed=True)

    response = user_client.get(tasks_url(family, user, task.pk, slash=slash))

    assert response.status_code == 200
    assert_task_shape(response.json(), task)


def test_retrieve_a_missing_task_is_404(user, user_client, family):
    task = TaskFactory(user=user)
    missing_id = task.pk
    task.delete()

    response = user_client.get(tasks_url(family, user, missing_id))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "task_not_found"
    assert response.json()["detail"] == "Task not found."


@pytest.mark.parametrize("task_id", ["0", "9" * 18, "9" * 19, "9" * 40])
def test_an_id_of_no_task_is_task_not_found_even_beyond_64_bits(user, user_client, family, task_id):
    response = user_client.get(tasks_url(family, user, task_id))

    assert response.status_code == 404
    assert response.json()["code"] == "task_not_found"


# --- PUT: full replacement -----------------------------------------------------------------


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


def test_put_resets_omitted_optional_fields_to_their_defaults(user, user_client, family):
    task = TaskFactory(user=user, title="old", description="keep me?", completed=True)

    response = user_client.put(tasks_url(family, user, task.pk), {"title": "only a title"}, format="json")

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.title == "only a title"
    assert task.description is None
    assert task.completed is False
    assert task.completed_at is None
    assert response.json()["description"] is None


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


# --- DELETE -------------------------------------------------------------------------------


def test_delete_answers_204_with_no_body(user, user_client, family, slash):
    task = TaskFactory(user=user)
    keep = TaskFactory(user=user)

    response = user_client.delete(tasks_url(family, user, task.pk, slash=slash))

    assert response.status_code == 204
    assert response.content == b""
    assert list(Task.objects.filter(user=user)) == [keep]
    assert user_client.delete(tasks_url(family, user, task.pk)).status_code == 404


# --- Routing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("get", "list"),
        ("post", "list"),
        ("get", "detail"),
        ("put", "detail"),
        ("patch", "detail"),
        ("delete", "detail"),
        ("patch", "complete"),
    ],
)
def test_every_route_answers_without_a_redirect(user, user_client, family, slash, method, target):
    task = TaskFactory(user=user)
    task_id = None if target == "list" else task.pk
    url = tasks_url(family, user, task_id, suffix="complete" if target == "complete" else "", slash=slash)

    response = getattr(user_client, method)(url, {"title": "t"}, format="json")

    assert 200 <= response.status_code < 300, response.content
    assert "Location" not in response or method == "post"


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("put", "list"),
        ("patch", "list"),
        ("delete", "list"),
        ("post", "detail"),
        ("get", "complete"),
        ("put", "complete"),
        ("post", "complete"),
        ("delete", "complete"),
    ],
)
def test_other_methods_are_405(user, user_client, family, method, target):
    task = TaskFactory(user=user, title="same")
    task_id = None if target == "list" else task.pk
    url = tasks_url(family, user, task_id, suffix="complete" if target == "complete" else "")

    response = getattr(user_client, method)(url, {"title": "changed"}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
    assert "Allow" in response
    assert list(Task.objects.values_list("title", flat=True)) == ["same"]


def test_a_user_whose_id_is_tasks_reaches_the_path_family(db, client_for):
    from accounts.tests.factories import UserFactory

    tasks_user = UserFactory(id="tasks")
    TaskFactory(user=tasks_user, title="theirs")

    response = client_for(tasks_user).get("/api/tasks/tasks")

    assert response.status_code == 200
    assert [task["title"] for task in response.json()] == ["theirs"]


# --- The list's query parameters do not reach a task's own URL ----------------------------------


@pytest.mark.parametrize(
    "query",
    ["completed=true", "status=completed", "search=zzz", "completed=maybe", "ordering=nonsense"],
)
@pytest.mark.parametrize(
    ("method", "suffix", "body", "status"),
    [
        ("get", "", None, 200),
        ("put", "", {"title": "new"}, 200),
        ("patch", "", {"title": "new"}, 200),
        ("patch", "complete", None, 200),
        ("delete", "", None, 204),
    ],
    ids=["get", "put", "patch", "complete", "delete"],
)
def test_list_filters_do_not_apply_to_a_task_s_own_url(
    user, user_client, family, query, method, suffix, body, status
):
    # An open task titled "Task …": each query above would exclude it from the list.
    task = TaskFactory(user=user, completed=False)
    url = f"{tasks_url(family, user, task.pk, suffix=suffix)}?{query}"

    response = getattr(user_client, method)(url, body, format="json")

    assert response.status_code == status, response.content
    if method != "delete":
        assert response.json()["id"] == task.pk
    else:
        assert not Task.objects.filter(pk=task.pk).exists()
