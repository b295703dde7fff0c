"""The OpenAPI document is valid and says what the API really does."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import transaction
from drf_spectacular.validation import validate_schema
from jsonschema import Draft202012Validator

from accounts.tests.factories import UserFactory
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import ORDERINGS, tags_url, tasks_url
from testing.helpers import make_token

pytestmark = pytest.mark.django_db

# The contract's routes, as the schema spells them (it shows the trailing-slash form).
CONTRACT = {
    "/api/{user_id}/tasks/": {"get", "post"},
    "/api/tasks/": {"get", "post"},
    "/api/{user_id}/tasks/{id}/": {"get", "put", "patch", "delete"},
    "/api/tasks/{id}/": {"get", "put", "patch", "delete"},
    "/api/{user_id}/tasks/{id}/complete/": {"patch"},
    "/api/tasks/{id}/complete/": {"patch"},
    "/api/{user_id}/tasks/changes/": {"get"},
    "/api/tasks/changes/": {"get"},
    "/api/{user_id}/tags/": {"get"},
    "/api/tags/": {"get"},
    "/api/{user_id}/tags/{name}/": {"get", "patch", "delete"},
    "/api/tags/{name}/": {"get", "patch", "delete"},
    "/api/health/": {"get"},
    "/api/ready/": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(sub='schema-reader')}")
        # The request creates its user; roll that back so no other test ever sees it.
        with transaction.atomic():
            response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
            transaction.set_rollback(True)
    assert response.status_code == 200
    return json.loads(response.content)


def as_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: ``nullable`` becomes a ``null`` type, and
    objects admit no undocumented property (so an undocumented field in a response fails)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        out["type"] = [node["type"], "null"] if "type" in node else None
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if out["type"] is None:
            out = {"anyOf": [{k: v for k, v in out.items() if k != "type"}, {"type": "null"}]}
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def response_validator(schema: dict, path: str, method: str, status: int, content_type: str):
    operation = schema["paths"][path][method]
    assert str(status) in operation["responses"], f"{method} {path} does not document {status}"
    content = operation["responses"][str(status)]["content"]
    assert content_type in content, f"{method} {path} {status} is not documented as {content_type}"
    root = {**content[content_type]["schema"], "components": as_json_schema(schema["components"])}
    return Draft202012Validator(as_json_schema(root))


def check(schema, path: str, method: str, response) -> None:
    content_type = response["Content-Type"]
    validator = response_validator(schema, path, method, response.status_code, content_type)
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == []


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_generation_has_no_warnings(tmp_path):
    # What CI can run: the management command, with warnings as errors.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_contract_route_and_method_is_documented(schema):
    documented = {path: set(item) & HTTP_METHODS for path, item in schema["paths"].items()}

    for path, methods in CONTRACT.items():
        assert path in documented, path
        assert methods <= documented[path], path
    api_paths = {path for path in documented if "/tasks" in path or "/tags" in path}
    assert api_paths == {path for path in CONTRACT if "/tasks" in path or "/tags" in path}
    for path in api_paths:
        assert documented[path] == CONTRACT[path]


def test_every_task_and_tag_operation_documents_its_errors_as_problem_json(schema):
    for path, methods in CONTRACT.items():
        if "/tasks" not in path and "/tags" not in path:
            continue
        for method in methods:
            responses = schema["paths"][path][method]["responses"]
            for status in ("401", "404", "422", "429", "500", "503"):
                assert list(responses[status]["content"]) == ["application/problem+json"], (path, method)
            assert any(
                security.get("BetterAuthJWT") == [] for security in schema["paths"][path][method]["security"]
            )


def test_the_completed_filter_is_a_plain_boolean(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/tasks/"]["get"]["parameters"]}

    assert parameters["completed"]["schema"] == {"type": "boolean"}
    assert set(parameters["status"]["schema"]["enum"]) == {"completed", "pending", "all"}
    assert set(parameters["ordering"]["schema"]["enum"]) == set(ORDERINGS)
    for name in ("search", "limit", "offset", "cursor"):
        assert name in parameters
    headers = schema["paths"]["/api/tasks/"]["get"]["responses"]["200"]["headers"]
    assert {"X-Total-Count", "Link"} <= set(headers)
    assert "Location" in schema["paths"]["/api/tasks/"]["post"]["responses"]["201"]["headers"]


def test_every_list_filter_and_bound_is_documented(schema):
    for path in ("/api/tasks/", "/api/{user_id}/tasks/"):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

        assert parameters["limit"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 500,
            "default": 100,
        }
        assert parameters["offset"]["schema"]["minimum"] == 0
        assert parameters["cursor"]["schema"]["maxLength"] == 1024
        for name in ("overdue", "has_due", "recurring"):
            assert parameters[name]["schema"] == {"type": "boolean"}, name
        for name in ("due_before", "due_after", "remind_before"):
            assert parameters[name]["schema"] == {"type": "string", "format": "date-time"}, name
        assert parameters["tag"]["schema"]["type"] == "array"
        assert parameters["tag"]["schema"]["items"] == {"type": "string", "minLength": 1, "maxLength": 50}
        assert parameters["tag"].get("explode", True) is True  # tag=a&tag=b
        pattern = re.compile(parameters["priority"]["schema"]["pattern"])
        assert pattern.match("high") and pattern.match("high,low")
        assert not pattern.match("urgent") and not pattern.match("high,")
        assert all(parameters[name]["description"] for name in parameters), path


def test_path_parameters_are_typed(schema):
    for path, item in schema["paths"].items():
        for method in set(item) & HTTP_METHODS:
            parameters = {p["name"]: p for p in item[method].get("parameters", []) if p["in"] == "path"}
            if "{id}" in path:
                assert parameters["id"]["schema"]["type"] == "integer", (path, method)
            if "{user_id}" in path:
                assert parameters["user_id"]["schema"]["type"] == "string", (path, method)


def test_every_task_field_is_required_in_responses(schema):
    task = schema["components"]["schemas"]["Task"]

    assert sorted(task["required"]) == sorted(task["properties"])


@pytest.mark.parametrize("family", ["token", "path"])
def test_real_responses_match_the_schema(schema, user, user_client, family):
    prefix = "/api/tasks/" if family == "token" else "/api/{user_id}/tasks/"
    TaskFactory(user=user, completed=True, description=None)
    TaskFactory(user=user, description="text")
    task = TaskFactory(user=user)

    check(schema, prefix, "get", user_client.get(tasks_url(family, user)))
    created = user_client.post(tasks_url(family, user), {"title": "t", "completed": True}, format="json")
    check(schema, prefix, "post", created)
    detail = prefix + "{id}/"
    check(schema, detail, "get", user_client.get(tasks_url(family, user, task.pk)))
    check(
        schema,
        detail,
        "put",
        user_client.put(tasks_url(family, user, task.pk), {"title": "x"}, format="json"),
    )
    check(schema, detail, "patch", user_client.patch(tasks_url(family, user, task.pk), {}, format="json"))
    check(
        schema,
        detail + "complete/",
        "patch",
        user_client.patch(tasks_url(family, user, task.pk, suffix="complete")),
    )
    # Errors: 404, 422 (with field and errors), 400, 415, 405.
    check(schema, detail, "get", user_client.get(tasks_url(family, user, 999_999)))
    check(schema, prefix, "post", user_client.post(tasks_url(family, user), {"title": ""}, format="json"))
    check(
        schema,
        prefix,
        "post",
        user_client.post(tasks_url(family, user), data="{", content_type="application/json"),
    )
    check(
        schema, prefix, "post", user_client.post(tasks_url(family, user), data="x", content_type="text/plain")
    )
    check(schema, prefix, "get", user_client.get(tasks_url(family, user), {"limit": 0}))
    # POST is not an operation of the detail path; its 405 is documented on every operation.
    check(schema, detail, "get", user_client.post(tasks_url(family, user, task.pk)))
    deleted = user_client.delete(tasks_url(family, user, task.pk))
    assert deleted.status_code == 204
    assert "204" in schema["paths"][detail]["delete"]["responses"]


@pytest.mark.parametrize("family", ["token", "path"])
def test_real_tag_and_filtered_list_responses_match_the_schema(schema, user, user_client, planned, family):
    tasks = "/api/tasks/" if family == "token" else "/api/{user_id}/tasks/"
    tags = "/api/tags/" if family == "token" else "/api/{user_id}/tags/"
    filtered = {"tag": ["work", "urgent"], "priority": "high,low", "overdue": "true", "ordering": "-due_at"}
    more = {"has_due": "false", "recurring": "false", "search": "o", "remind_before": "2030-01-01T00:00:00Z"}

    for query in (
        filtered,
        more,
        {"ordering": "remind_at", "limit": 2},
        {"due_after": "2020-01-01T00:00:00+02:00"},
    ):
        response = user_client.get(tasks_url(family, user), query)
        assert response.status_code == 200
        check(schema, tasks, "get", response)
    for query in ({"tag": ""}, {"priority": "urgent"}, {"due_before": "2026-01-01T12:00:00"}, {"limit": 501}):
        response = user_client.get(tasks_url(family, user), query)
        assert response.status_code == 422
        check(schema, tasks, "get", response)

    check(schema, tags, "get", user_client.get(tags_url(family, user)))
    detail = tags + "{name}/"
    for method, response in (
        ("get", user_client.get(tags_url(family, user, "WORK"))),
        ("get", user_client.get(tags_url(family, user, "nothing"))),
        ("patch", user_client.patch(tags_url(family, user, "home"), {"name": "House"}, format="json")),
        ("patch", user_client.patch(tags_url(family, user, "house"), {"name": ""}, format="json")),
        ("patch", user_client.patch(tags_url(family, user, "nothing"), {"name": "x"}, format="json")),
        ("delete", user_client.delete(tags_url(family, user, "nothing"))),
    ):
        check(schema, detail, method, response)
    assert {"200", "404", "422"} <= set(schema["paths"][detail]["patch"]["responses"])
    assert user_client.delete(tags_url(family, user, "house")).status_code == 204
    assert "204" in schema["paths"][detail]["delete"]["responses"]


def test_the_tag_schema_says_what_a_tag_and_a_rename_are(schema):
    tag = schema["components"]["schemas"]["Tag"]
    rename = schema["components"]["schemas"]["TagRenameRequest"]

    assert set(tag["required"]) == set(tag["properties"]) == {"name", "tasks", "open_tasks"}
    assert rename["properties"]["name"]["minLength"] == 1
    assert rename["properties"]["name"]["maxLength"] == 50
    assert "name" in rename["required"]
    responses = schema["paths"]["/api/tags/{name}/"]["patch"]["responses"]
    assert "tag" in responses["404"]["description"].lower()


def test_401_and_403_match_the_schema(schema, user, other_user, api_client, client_for):
    check(schema, "/api/tasks/", "get", api_client.get("/api/tasks"))
    check(schema, "/api/{user_id}/tasks/", "get", client_for(user).get(f"/api/{other_user.pk}/tasks"))
    check(schema, "/api/tags/", "get", api_client.get("/api/tags"))
    check(schema, "/api/{user_id}/tags/", "get", client_for(user).get(f"/api/{other_user.pk}/tags"))


def test_the_validation_ignores_nothing(schema, user, user_client):
    """The check itself fails on an undocumented field or a wrong type."""
    body = user_client.get(tasks_url("token", user, TaskFactory(user=user).pk)).json()
    validator = response_validator(schema, "/api/tasks/{id}/", "get", 200, "application/json")

    assert validator.is_valid(body)
    assert not validator.is_valid({**body, "secret": 1})
    assert not validator.is_valid({**body, "completed": "yes"})
    assert not validator.is_valid({key: value for key, value in body.items() if key != "description"})


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_not_public(client, path):
    # The contract: /api/health and /api/ready are the only public routes.
    response = client.get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_schema_takes_a_bearer_token(user_client):
    assert user_client.get("/api/schema/").status_code == 200


def test_docs_render_without_the_internet(client):
    # A browser has no bearer token: an admin session opens the page.
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/schema" in html
    # The sidecar serves Swagger UI from our own static files, not a CDN.
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html
    for asset in ("swagger-ui-dist/swagger-ui.css", "swagger-ui-dist/swagger-ui-bundle.js"):
        assert f"/static/drf_spectacular_sidecar/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/{asset}")
