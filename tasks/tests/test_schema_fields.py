"""The OpenAPI document on the new fields: every one documented with its bounds, real
responses carrying them valid against it, and the title rules a schema fuzzer missed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from tasks.pagination import PageParameters
from tasks.serializers import TaskInputSerializer, TaskSerializer
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import tasks_url
from tasks.tests.test_schema import as_json_schema, check, schema  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def request_property(schema, name: str) -> dict:  # noqa: F811
    return schema["components"]["schemas"]["TaskRequest"]["properties"][name]


def test_every_new_field_is_documented_with_its_bounds(schema):  # noqa: F811
    task = schema["components"]["schemas"]["Task"]["properties"]
    enum = schema["components"]["schemas"]["PriorityEnum"]

    assert enum["enum"] == ["low", "medium", "high"]
    assert task["tags"]["maxItems"] == 20
    assert (task["tags"]["items"]["minLength"], task["tags"]["items"]["maxLength"]) == (1, 50)
    for name in ("due_at", "remind_at"):
        assert (task[name]["format"], task[name]["nullable"]) == ("date-time", True)
        assert "UTC offset" in task[name]["description"]
    assert task["recurrence"]["nullable"] and "RRULE" in task["recurrence"]["description"]
    for name in ("previous_occurrence_id", "next_occurrence_id"):
        assert task[name] == {**task[name], "type": "integer", "readOnly": True, "nullable": True}
    assert "next_occurrence_id" not in schema["components"]["schemas"]["TaskRequest"]["properties"]


@pytest.mark.parametrize(
    ("title", "valid"),
    [("Buy milk", True), ("  padded  ", True), ("x", True), ("", False), ("   ", False), ("a\x00b", False)],
)
def test_the_title_rules_are_in_the_schema_as_the_api_applies_them(schema, user, user_client, title, valid):  # noqa: F811
    validator = Draft202012Validator(as_json_schema(request_property(schema, "title")))
    response = user_client.post(tasks_url("token", user), {"title": title}, format="json")

    assert validator.is_valid(title) is valid
    assert response.status_code == (201 if valid else 422)


@pytest.mark.parametrize(
    ("tag", "valid"), [("work", True), ("x" * 50, True), ("x" * 51, False), ("a\tb", False)]
)
def test_the_tag_rules_are_in_the_schema_as_the_api_applies_them(schema, user, user_client, tag, valid):  # noqa: F811
    validator = Draft202012Validator(as_json_schema(request_property(schema, "tags")))
    response = user_client.post(tasks_url("token", user), {"title": "t", "tags": [tag]}, format="json")

    assert validator.is_valid([tag]) is valid
    assert response.status_code == (201 if valid else 422)
    assert not validator.is_valid([f"t{n}" for n in range(21)])


@pytest.mark.parametrize("family", ["token", "path"])
def test_responses_with_every_new_field_match_the_schema(schema, user, user_client, family):  # noqa: F811
    prefix = "/api/tasks/" if family == "token" else "/api/{user_id}/tasks/"
    due = timezone.now() + timedelta(days=1)
    body = {
        "title": "Stand-up",
        "priority": "high",
        "tags": ["work", "daily"],
        "due_at": due.isoformat(),
        "remind_at": (due - timedelta(minutes=10)).isoformat(),
        "recurrence": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
    }
    created = user_client.post(tasks_url(family, user), body, format="json")
    check(schema, prefix, "post", created)
    task_id = created.json()["id"]
    completed = user_client.patch(tasks_url(family, user, task_id, suffix="complete"))
    check(schema, prefix + "{id}/complete/", "patch", completed)
    following = completed.json()["next_occurrence_id"]
    assert following is not None
    check(schema, prefix + "{id}/", "get", user_client.get(tasks_url(family, user, following)))
    TaskFactory(user=user, tags=["x"])
    check(schema, prefix, "get", user_client.get(tasks_url(family, user)))
    bad = user_client.post(tasks_url(family, user), {**body, "recurrence": "FREQ=NEVER"}, format="json")
    check(schema, prefix, "post", bad)


def test_the_views_check_bodies_with_exactly_the_documented_request_fields():
    """The views validate with ``TaskInputSerializer``; the schema's ``TaskRequest`` comes from
    ``TaskSerializer``: the same fields, the same declarations (inherited, not copied)."""
    documented = {name: field for name, field in TaskSerializer().fields.items() if not field.read_only}
    checked = TaskInputSerializer().fields

    assert checked.keys() == documented.keys()
    for name, field in checked.items():
        assert type(field) is type(documented[name])
        assert field._kwargs == documented[name]._kwargs


def test_each_input_serializer_binds_its_own_copies_of_the_declared_fields():
    declared_before = {
        name: dict(vars(field)) for name, field in TaskInputSerializer._declared_fields.items()
    }
    first, second = TaskInputSerializer(data={"title": ""}), TaskInputSerializer(data={"title": "ok"})

    for name, declared in TaskInputSerializer._declared_fields.items():
        assert first.fields[name] is not declared and first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and first.fields[name].field_name == name
    tags = first.fields["tags"]
    assert tags.child.parent is tags and tags.child is not second.fields["tags"].child
    assert not first.is_valid() and set(first.errors) == {"title"}
    assert second.is_valid(), second.errors
    declared_after = {name: dict(vars(field)) for name, field in TaskInputSerializer._declared_fields.items()}
    assert declared_after == declared_before


def test_the_page_parameters_bind_their_own_copies_too():
    declared_before = {name: dict(vars(field)) for name, field in PageParameters._declared_fields.items()}
    first, second = PageParameters(data={"limit": "0"}), PageParameters(data={"limit": "5", "offset": "2"})

    for name, declared in PageParameters._declared_fields.items():
        assert first.fields[name] is not declared and first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and first.fields[name].field_name == name
    assert not first.is_valid() and set(first.errors) == {"limit"}
    assert second.is_valid(), second.errors
    assert second.validated_data == {"limit": 5, "offset": 2}
    defaults = PageParameters(data={})
    assert defaults.is_valid() and defaults.validated_data == {"limit": 100}
    declared_after = {name: dict(vars(field)) for name, field in PageParameters._declared_fields.items()}
    assert declared_after == declared_before
