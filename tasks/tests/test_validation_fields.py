"""A bad title, description or completed is a 422 naming the field, and changes nothing."""

import pytest

from tasks.models import Task
from tasks.tests.helpers import assert_unchanged, assert_validation_error, tasks_url

pytestmark = pytest.mark.django_db


# --- title --------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 200])
def test_title_of_1_to_200_characters_is_accepted(write, length):
    response = write({"title": "é" * length})

    assert response.status_code in (200, 201)
    assert response.json()["title"] == "é" * length
    assert Task.objects.get(pk=response.json()["id"]).title == "é" * length


def test_empty_title_is_the_contracts_example_error(write, task):
    response = write({"title": ""})

    body = assert_validation_error(response, "title", "This field may not be blank.")
    assert body["detail"] == "title: This field may not be blank."
    assert body["errors"] == {"title": ["This field may not be blank."]}
    assert_unchanged(task)


@pytest.mark.parametrize("title", [" ", "   \t\n ", "\u3000\u2003"], ids=["space", "mixed", "unicode"])
def test_whitespace_only_title_is_blank(write, task, title):
    assert_validation_error(write({"title": title}), "title", "This field may not be blank.")
    assert_unchanged(task)


def test_title_over_200_characters_is_422(write, task):
    body = assert_validation_error(write({"title": "x" * 201}), "title")

    assert "200" in body["errors"]["title"][0]
    assert_unchanged(task)


def test_title_is_stripped_before_its_length_is_checked(write):
    response = write({"title": "  " + "x" * 200 + "\n"})

    assert response.status_code in (200, 201)
    assert response.json()["title"] == "x" * 200
    assert Task.objects.get(pk=response.json()["id"]).title == "x" * 200


def test_title_is_stripped_of_surrounding_white_space(write):
    response = write({"title": "\t Buy  milk \n"})

    assert response.json()["title"] == "Buy  milk"


@pytest.mark.parametrize("route", ["create", "put"])
def test_missing_title_is_required(user, user_client, task, route):
    method, url = (
        ("post", tasks_url("token", user))
        if route == "create"
        else ("put", tasks_url("token", user, task.pk))
    )

    response = getattr(user_client, method)(url, {"description": "no title"}, format="json")

    assert_validation_error(response, "title", "This field is required.")
    assert_unchanged(task)


def test_null_title_is_422(write, task):
    assert_validation_error(write({"title": None}), "title", "This field may not be null.")
    assert_unchanged(task)


@pytest.mark.parametrize("title", [42, 1.5, True, ["a"], {"a": "b"}], ids=repr)
def test_title_of_another_json_type_is_422(write, task, title):
    assert_validation_error(write({"title": title}), "title")
    assert_unchanged(task)


@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_character_is_422(write, task, field):
    body = {"title": "ok", field: "a\x00b"}

    assert_validation_error(write(body), field)
    assert_unchanged(task)


# --- description --------------------------------------------------------------------------


def test_description_of_1000_characters_is_accepted(write):
    response = write({"title": "t", "description": "d" * 1000})

    assert response.status_code in (200, 201)
    assert Task.objects.get(pk=response.json()["id"]).description == "d" * 1000


def test_description_over_1000_characters_is_422(write, task):
    body = assert_validation_error(write({"title": "t", "description": "d" * 1001}), "description")

    assert "1000" in body["errors"]["description"][0]
    assert_unchanged(task)


@pytest.mark.parametrize("description", [None, "", "  padded  "], ids=["null", "empty", "padded"])
def test_description_is_stored_as_given(write, description):
    response = write({"title": "t", "description": description})

    assert response.status_code in (200, 201)
    assert response.json()["description"] == description
    assert Task.objects.get(pk=response.json()["id"]).description == description


@pytest.mark.parametrize("description", [7, False, ["x"], {"x": 1}], ids=repr)
def test_description_of_another_json_type_is_422(write, task, description):
    assert_validation_error(write({"title": "t", "description": description}), "description")
    assert_unchanged(task)


# --- completed ----------------------------------------------------------------------------


@pytest.mark.parametrize("completed", ["maybe", "true", "false", 1, 0, None, []], ids=repr)
def test_completed_must_be_a_json_boolean(write, task, completed):
    assert_validation_error(write({"title": "t", "completed": completed}), "completed")
    assert_unchanged(task)


def test_every_failing_field_is_listed_and_the_first_is_named(write, task):
    body = assert_validation_error(
        write({"title": "", "description": "d" * 1001, "completed": "maybe"}), "title"
    )

    assert set(body["errors"]) == {"title", "description", "completed"}
    assert_unchanged(task)
