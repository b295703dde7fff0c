"""One user can never see, change or learn about another user's tasks.

Each route is tried three ways against another user's data, and afterwards the other
user's rows must be exactly as they were.
"""

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import snapshot, tasks_url
from testing.helpers import assert_problem

pytestmark = pytest.mark.django_db

BODIES = {"title": "hijacked", "description": "hijacked", "completed": True}

# (method, target, body); a body of None sends nothing.
ROUTES = [
    ("get", "list", None),
    ("post", "list", BODIES),
    ("get", "detail", None),
    ("put", "detail", BODIES),
    ("patch", "detail", BODIES),
    ("patch", "detail", {}),
    ("delete", "detail", None),
    ("patch", "complete", None),
    ("patch", "complete", {}),
    ("patch", "complete", {"completed": True}),
    ("patch", "complete", {"completed": False}),
]
DETAIL_ROUTES = [route for route in ROUTES if route[1] != "list"]


def route_id(route) -> str:
    method, target, body = route
    return f"{method}-{target}-{'nobody' if body is None else ','.join(body) or 'empty'}"


def send(client, method: str, url: str, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


def url_for(route, path_user, task_id) -> str:
    _, target, _ = route
    if target == "list":
        return tasks_url("path", path_user)
    return tasks_url("path", path_user, task_id, suffix="complete" if target == "complete" else "")


@pytest.fixture
def theirs(other_user):
    """The other user's tasks: an open one and a completed one."""
    return [TaskFactory(user=other_user, title="open"), TaskFactory(user=other_user, completed=True)]


@pytest.fixture
def mine(user):
    return TaskFactory(user=user, title="mine")


@pytest.mark.parametrize("slash", [False, True], ids=["no-slash", "slash"])
@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=route_id)
@pytest.mark.parametrize("victim", [0, 1], ids=["open", "completed"])
def test_another_users_task_id_is_not_found(
    user, other_user, user_client, theirs, mine, route, victim, slash
):
    before_theirs, before_mine = snapshot(other_user), snapshot(user)
    method, target, body = route
    url = tasks_url(
        "token", user, theirs[victim].pk, suffix="complete" if target == "complete" else "", slash=slash
    )

    response = send(user_client, method, url, body)

    assert_problem(response, 404, "task_not_found")
    # Exactly what a missing id answers: nothing tells that the task exists.
    assert response.json()["detail"] == "Task not found."
    assert snapshot(other_user) == before_theirs
    assert snapshot(user) == before_mine


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=route_id)
@pytest.mark.parametrize("victim", [0, 1], ids=["open", "completed"])
def test_own_path_with_another_users_task_id_is_not_found(
    user, other_user, user_client, theirs, mine, route, victim
):
    before_theirs, before_mine = snapshot(other_user), snapshot(user)
    method, _, body = route

    response = send(user_client, method, url_for(route, user, theirs[victim].pk), body)

    assert_problem(response, 404, "task_not_found")
    assert snapshot(other_user) == before_theirs
    assert snapshot(user) == before_mine


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
@pytest.mark.parametrize("whose_task", ["theirs", "mine", "missing"])
def test_another_users_path_is_forbidden(user, other_user, user_client, theirs, mine, route, whose_task):
    before_theirs, before_mine = snapshot(other_user), snapshot(user)
    task_id = {"theirs": theirs[0].pk, "mine": mine.pk, "missing": 999_999_999}[whose_task]
    method, _, body = route

    response = send(user_client, method, url_for(route, other_user, task_id), body)

    assert_problem(response, 403, "forbidden")
    assert snapshot(other_user) == before_theirs
    assert snapshot(user) == before_mine


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_a_path_user_that_does_not_exist_is_forbidden(user, user_client, mine, route):
    before = snapshot(user)
    method, _, body = route
    url = url_for(route, user, mine.pk).replace(f"/api/{user.pk}/", "/api/nobody-at-all/")

    response = send(user_client, method, url, body)

    assert_problem(response, 403, "forbidden")
    assert snapshot(user) == before
    assert Task.objects.count() == 1


def test_the_list_never_shows_another_users_tasks(user, user_client, theirs, mine):
    for url in (tasks_url("token", user), tasks_url("path", user)):
        for query in ("", "?status=all", "?completed=true", "?search=open", "?limit=500"):
            response = user_client.get(url + query)

            assert response.status_code == 200
            assert {task["user_id"] for task in response.json()} <= {user.pk}
            assert int(response["X-Total-Count"]) <= 1


@pytest.mark.parametrize("family", ["token", "path"])
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"],
    ids=["no-header", "bare-bearer", "garbage", "basic"],
)
def test_every_route_needs_a_token(api_client, user, mine, family, route, authorization):
    before = snapshot(user)
    method, target, body = route
    task_id = None if target == "list" else mine.pk
    url = tasks_url(family, user, task_id, suffix="complete" if target == "complete" else "")
    if authorization:
        api_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = send(api_client, method, url, body)

    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] in {"not_authenticated", "token_invalid"}
    assert snapshot(user) == before
    assert Task.objects.count() == 1


def test_an_expired_token_is_401_token_expired(client_for, token_for, api_client, user, mine):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, exp=1)}")

    response = api_client.get(tasks_url("token", user, mine.pk))

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
