"""Reading: the list's bare array and one task by its id, in both families."""

import pytest

from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, tasks_url

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("task_id", ["0", "9" * 18, "9" * 19, "9" * 40, "1" * 4301, "0" * 5000 + "1"])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_id_of_no_task_is_task_not_found_even_beyond_64_bits(user, user_client, family, task_id, method):
    # 4,301 digits is past what Python converts to an int at all (a 500 once).
    response = getattr(user_client, method)(tasks_url(family, user, task_id), {"title": "t"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "task_not_found"


def test_leading_zeros_name_the_same_task(user, user_client):
    task = TaskFactory(user=user)

    assert user_client.get(tasks_url("token", user, "0" * 30 + str(task.pk))).json()["id"] == task.pk
