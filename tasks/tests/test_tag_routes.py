"""The tag routes over HTTP, in both families: list, read, rename (merge), delete, and errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from tasks.models import Tag, TaskTag
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_validation_error, make_task, put_tags, snapshot, tag_names, tags_url

pytestmark = pytest.mark.django_db


def tag_rows(user) -> list[tuple]:
    """Every tag and tag placement of ``user``, and every task column: what a refused write keeps."""
    tags = list(Tag.objects.filter(user=user).order_by("pk").values_list())
    placed = list(TaskTag.objects.filter(user=user).order_by("pk").values_list())
    return [tags, placed, snapshot(user)]


def patch(client, url: str, body) -> object:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def send(client, method: str, url: str):
    """GET or DELETE as they are, PATCH with a valid rename body."""
    return patch(client, url, {"name": "x"}) if method == "patch" else getattr(client, method)(url)


def test_the_list_shows_counts_by_name_in_any_case(user, user_client, planned, family, slash):
    Tag.objects.create(user=user, name="Idle", key="idle")

    response = user_client.get(tags_url(family, user, slash=slash))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == [
        {"name": "Family", "tasks": 1, "open_tasks": 1},
        {"name": "health", "tasks": 1, "open_tasks": 1},
        {"name": "home", "tasks": 1, "open_tasks": 1},
        {"name": "homework", "tasks": 1, "open_tasks": 1},
        {"name": "Idle", "tasks": 0, "open_tasks": 0},
        {"name": "shopping", "tasks": 1, "open_tasks": 1},
        {"name": "urgent", "tasks": 1, "open_tasks": 1},
        {"name": "Work", "tasks": 2, "open_tasks": 1},
    ]


def test_a_user_without_tags_gets_an_empty_list(user_client, user, family):
    assert user_client.get(tags_url(family, user)).json() == []


def test_the_list_costs_the_same_for_any_number_of_tags(user, user_client):
    user_client.get(tags_url("token", user))  # the user is seen: no write while counting

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert user_client.get(tags_url("token", user)).status_code == 200
        return len(context.captured_queries)

    put_tags(TaskFactory(user=user), "one")
    few = count()
    for index, task in enumerate(TaskFactory.create_batch(20, user=user)):
        put_tags(task, *(f"t{index}-{n}" for n in range(5)))

    assert count() == few == 2  # the user, the tags with their counts


@pytest.mark.parametrize("spelling", ["work", "WORK", "Work"])
def test_a_tag_is_read_by_its_name_in_any_case(user, user_client, planned, family, slash, spelling):
    response = user_client.get(tags_url(family, user, spelling, slash=slash))

    assert response.status_code == 200
    assert response.json() == {"name": "Work", "tasks": 2, "open_tasks": 1}


@pytest.mark.parametrize("name", ["a/b", "with space", "100%", "é?#&=+", "tasks", "tags", "..", "日本"])
def test_any_name_works_url_encoded(user, user_client, family, name):
    task = make_task(user, minutes=0, title="t")
    put_tags(task, name, "other")

    assert user_client.get(tags_url(family, user, name)).json()["name"] == name
    renamed = patch(user_client, tags_url(family, user, name), {"name": f"{name}!"})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json() == {"name": f"{name}!", "tasks": 1, "open_tasks": 1}
    assert user_client.delete(tags_url(family, user, f"{name}!")).status_code == 204
    assert tag_names(task) == ["other"]


def test_rename_answers_the_renamed_tag_and_every_task_shows_it(user, user_client, planned, family):
    response = patch(user_client, tags_url(family, user, "WORK"), {"name": "  Job  "})

    assert response.status_code == 200
    assert response.json() == {"name": "Job", "tasks": 2, "open_tasks": 1}
    assert tag_names(planned["report"])[0] == "Job"
    assert tag_names(planned["taxes"]) == ["Job"]


def test_rename_onto_an_existing_name_merges(user, user_client, planned, family):
    put_tags(planned["groceries"], "home", "urgent")

    response = patch(user_client, tags_url(family, user, "urgent"), {"name": "HOME"})

    assert response.json() == {"name": "HOME", "tasks": 2, "open_tasks": 2}
    assert tag_names(planned["groceries"]) == ["HOME"]
    assert tag_names(planned["report"]) == ["Work", "HOME", "homework"]
    assert user_client.get(tags_url(family, user, "urgent")).status_code == 404


def test_delete_is_204_and_the_tasks_stay(user, user_client, planned, family, slash):
    response = user_client.delete(tags_url(family, user, "work", slash=slash))

    assert response.status_code == 204
    assert response.content == b""
    assert tag_names(planned["report"]) == ["urgent", "homework"]
    assert planned["taxes"].__class__.objects.filter(pk=planned["taxes"].pk).exists()
    assert user_client.delete(tags_url(family, user, "work")).status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_an_unknown_or_anothers_tag_is_404_tag_not_found(
    user, other_user, user_client, planned, family, method
):
    put_tags(make_task(other_user, minutes=0, title="theirs"), "private")
    before = tag_rows(other_user)

    for name in ("nothing", "private", "wor"):
        response = send(user_client, method, tags_url(family, user, name))

        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert (body["code"], body["detail"], body["status"]) == ("tag_not_found", "Tag not found.", 404)
    assert tag_rows(other_user) == before


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_the_path_family_is_403_for_another_user(user, other_user, user_client, method):
    put_tags(make_task(other_user, minutes=0, title="theirs"), "private")
    before = tag_rows(other_user)

    for url in (tags_url("path", other_user), tags_url("path", other_user, "private")):
        response = send(user_client, method, url)

        # Before any tag is looked up, and before the method is (DELETE on the list is 405 else).
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "forbidden"
    assert tag_rows(other_user) == before


def test_user_ids_that_are_route_words(client_for):
    # A user called "tasks" has both families; /api/tags/{name} is always a tag of the
    # token's user, so a user called "tags" lists its tasks under /api/tasks (README).
    tasks_user, tags_user = UserFactory(id="tasks"), UserFactory(id="tags")
    put_tags(make_task(tasks_user, minutes=0, title="t"), "mine")
    put_tags(make_task(tags_user, minutes=0, title="t"), "tasks")

    assert client_for(tasks_user).get("/api/tasks/tags").json() == [
        {"name": "mine", "tasks": 1, "open_tasks": 1}
    ]
    assert client_for(tasks_user).get("/api/tasks/tags/MINE").json()["name"] == "mine"
    assert client_for(tags_user).get("/api/tags/tasks").json() == {
        "name": "tasks",
        "tasks": 1,
        "open_tasks": 1,
    }
    assert [task["title"] for task in client_for(tags_user).get("/api/tasks").json()] == ["t"]


def test_the_tag_routes_need_a_token(api_client, user, planned):
    for url in (tags_url("token", user), tags_url("token", user, "work"), tags_url("path", user)):
        assert api_client.get(url).status_code == 401
    assert api_client.delete(tags_url("token", user, "work")).status_code == 401
    assert Tag.objects.filter(user=user, key="work").exists()


def test_other_methods_are_405(user, user_client, planned):
    assert user_client.put(tags_url("token", user, "work"), {"name": "x"}, format="json").status_code == 405
    assert user_client.post(tags_url("token", user), {"name": "x"}, format="json").status_code == 405
    assert user_client.delete(tags_url("token", user)).status_code == 405
    assert tag_names(planned["taxes"]) == ["Work"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "A tag may not be blank."),
        ({"name": "   "}, "A tag may not be blank."),
        ({"name": "x" * 51}, None),
        ({"name": "a\nb"}, None),
        ({"name": "a\x00b"}, None),
        ({"name": 42}, "A tag must be a string."),
        ({"name": None}, None),
        ({"name": ["work"]}, "A tag must be a string."),
        ({}, "This field is required."),
        ({"title": "work"}, "This field is required."),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_a_bad_new_name_is_422_on_name_and_changes_nothing(user, user_client, planned, family, body, message):
    before = tag_rows(user)

    response = patch(user_client, tags_url(family, user, "work"), body)

    assert_validation_error(response, "name", message)
    assert tag_rows(user) == before


def test_a_50_character_name_is_accepted(user, user_client, planned):
    response = patch(user_client, tags_url("token", user, "work"), {"name": "x" * 50})

    assert response.status_code == 200
    assert response.json()["name"] == "x" * 50
