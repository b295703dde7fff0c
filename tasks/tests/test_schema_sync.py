"""The OpenAPI document tells of versions, retries and sync: headers, statuses, the route."""

import pytest

from tasks.tests.test_schema import schema  # noqa: F401  (the module-scoped fixture)

pytestmark = pytest.mark.django_db

FAMILIES = ("/api/tasks", "/api/{user_id}/tasks")


def operation(schema, path, method):  # noqa: F811
    return schema["paths"][path][method]


def header_parameters(op) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}


@pytest.mark.parametrize("prefix", FAMILIES)
def test_writes_document_if_match_412_and_428(schema, prefix):  # noqa: F811
    for path, method in [
        (f"{prefix}/{{id}}/", "put"),
        (f"{prefix}/{{id}}/", "patch"),
        (f"{prefix}/{{id}}/", "delete"),
        (f"{prefix}/{{id}}/complete/", "patch"),
    ]:
        op = operation(schema, path, method)
        assert "If-Match" in header_parameters(op), (path, method)
        assert {"412", "428"} <= set(op["responses"]), (path, method)


@pytest.mark.parametrize("prefix", FAMILIES)
def test_create_and_complete_document_idempotency(schema, prefix):  # noqa: F811
    for path, method, status in [
        (f"{prefix}/", "post", "201"),
        (f"{prefix}/{{id}}/complete/", "patch", "200"),
    ]:
        op = operation(schema, path, method)
        assert "Idempotency-Key" in header_parameters(op)
        assert "409" in op["responses"]
        assert {"ETag", "Idempotent-Replayed"} <= set(op["responses"][status]["headers"])
        assert "Retry-After" in op["responses"]["409"]["headers"]


@pytest.mark.parametrize("prefix", FAMILIES)
def test_retrieve_documents_etag_and_304(schema, prefix):  # noqa: F811
    op = operation(schema, f"{prefix}/{{id}}/", "get")
    assert "If-None-Match" in header_parameters(op)
    assert "ETag" in op["responses"]["200"]["headers"]
    assert "304" in op["responses"]


@pytest.mark.parametrize("prefix", FAMILIES)
def test_the_sync_route_documents_its_query_body_and_410(schema, prefix):  # noqa: F811
    op = operation(schema, f"{prefix}/changes/", "get")
    query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert query == {"since", "limit"}
    assert "410" in op["responses"]
    body = op["responses"]["200"]["content"]["application/json"]["schema"]
    ref = body["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {
        "changed",
        "deleted",
        "next",
        "has_more",
    }
