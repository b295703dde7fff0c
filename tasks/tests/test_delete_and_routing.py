"""DELETE, which methods each route answers, and query strings a task's own URL ignores."""

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url

pytestmark = pytest.mark.django_db


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
