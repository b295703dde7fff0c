"""Every client error is an RFC 9457 problem, whichever layer answers it."""

import pytest
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

from accounts.tests.factories import UserFactory
from accounts.tokens import IdentityProviderUnavailable, TokenInvalid
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import GENERATED_REQUEST_ID, assert_problem
from todo_project.problems import exception_handler

pytestmark = pytest.mark.django_db


# --- 404, 405 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/api/nope", "/api/tasks/1/nope", "/api/tasks/abc", "/api/", "/api/u/tasks/x/complete"]
)
def test_unknown_url_is_404(user_client, path):
    assert_problem(user_client.get(path), 404, "not_found")


def test_unknown_url_is_404_without_a_token_too(api_client):
    assert_problem(api_client.get("/api/nope"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/api/tasks"), ("put", "/api/tasks/"), ("post", "/api/tasks/1"), ("post", "/api/health")],
)
def test_method_not_allowed_is_405(user_client, user, method, path):
    TaskFactory(user=user, id=1)

    response = getattr(user_client, method)(path, {"title": "t"}, format="json")

    assert_problem(response, 405, "method_not_allowed")
    assert response["Allow"]


# --- Bodies: 400, 413, 415, 422 ------------------------------------------------------------------


def test_malformed_json_is_400(user_client):
    response = user_client.post("/api/tasks", data='{"title": ', content_type="application/json")

    assert_problem(response, 400, "malformed_json")


def test_body_over_the_limit_is_413(user_client):
    raw = '{"title": "' + "x" * settings.API_MAX_BODY_BYTES + '"}'

    response = user_client.post("/api/tasks", data=raw, content_type="application/json")

    assert_problem(response, 413, "payload_too_large")
    assert Task.objects.count() == 0


def test_a_lowered_limit_applies_at_once(user_client, settings):
    settings.API_MAX_BODY_BYTES = 20

    response = user_client.post("/api/tasks", {"title": "twenty-one bytes"}, format="json")

    assert_problem(response, 413, "payload_too_large")


def test_body_not_json_is_415(user_client):
    response = user_client.post(
        "/api/tasks", data="title=t", content_type="application/x-www-form-urlencoded"
    )

    assert_problem(response, 415, "unsupported_media_type")


def test_validation_error_is_422_with_field_and_errors(user_client):
    response = user_client.post("/api/tasks", {"title": ""}, format="json")

    body = assert_problem(response, 422, "validation_error")
    assert body["detail"] == "title: This field may not be blank."
    assert body["field"] == "title"
    assert body["errors"] == {"title": ["This field may not be blank."]}


# --- 401, 403 ---------------------------------------------------------------------------------


def test_no_token_is_401_with_www_authenticate(api_client):
    response = api_client.get("/api/tasks")

    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_another_users_path_is_403(user_client, other_user):
    assert_problem(user_client.get(f"/api/{other_user.pk}/tasks"), 403, "forbidden")


# --- 431 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_SOMETHING", "HTTP_COOKIE"])
def test_a_20_kb_header_is_431_not_5xx(api_client, user, header):
    value = "Bearer " + "a" * 20_000 if header == "HTTP_AUTHORIZATION" else "a" * 20_000

    response = api_client.get("/api/tasks", **{header: value})

    assert_problem(response, 431)
    assert GENERATED_REQUEST_ID.match(response["X-Request-ID"])


def test_a_header_at_the_limit_is_read(user_client, settings):
    response = user_client.get("/api/tasks", HTTP_X_SOMETHING="a" * settings.API_MAX_HEADER_BYTES)

    assert response.status_code == 200


# --- 429 --------------------------------------------------------------------------------------


@pytest.fixture
def low_rate(settings, tmp_path):
    """Two requests a minute, counted in a fresh file of the test's own."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/min"}}
    settings.REDIS_URL = ""
    settings.API_THROTTLE_SQLITE_PATH = str(tmp_path / "ratelimit.sqlite3")


def test_too_many_requests_is_429_with_retry_after(user_client, api_client, low_rate):
    assert [user_client.get("/api/tasks").status_code for _ in range(2)] == [200, 200]

    response = user_client.get("/api/tasks")

    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    # The probes are never throttled.
    assert api_client.get("/api/health").status_code == 200


def test_the_limit_is_per_user(user_client, client_for, other_user, low_rate):
    for _ in range(3):
        user_client.get("/api/tasks")

    assert client_for(other_user).get("/api/tasks").status_code == 200


@pytest.mark.filterwarnings("error::django.core.cache.backends.base.CacheKeyWarning")
def test_the_limit_counts_users_whose_ids_are_not_valid_cache_keys(client_for, low_rate):
    # Spaces and long ids are fine for Better Auth and invalid in a memcached key.
    client = client_for(UserFactory(id="an id with spaces " + "x" * 230))

    statuses = [client.get("/api/tasks").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_code_given_to_an_authentication_error_is_kept():
    # DRF keeps a code given to an exception on its message (an ErrorDetail), not on the class.
    response = exception_handler(AuthenticationFailed("Nope.", code="some_machine_code"), {})

    assert response.data["code"] == "some_machine_code"
    assert response.data["detail"] == "Nope."


def test_an_errors_own_headers_reach_the_response():
    # The handler knows no error by its code: each carries its own headers.
    invalid = exception_handler(TokenInvalid(), {})
    unavailable = exception_handler(IdentityProviderUnavailable(retry_after=7), {})

    assert (invalid.status_code, invalid.data["code"]) == (401, "token_invalid")
    assert invalid["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert (unavailable.status_code, unavailable.data["code"]) == (503, "service_unavailable")
    assert unavailable["Retry-After"] == "7"


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(user_client, settings):
    # The body is short; a server that trusted the header would wait for the rest.
    response = user_client.generic(
        "POST",
        "/api/tasks",
        b'{"title": "x"}',
        content_type="application/json",
        CONTENT_LENGTH=str(settings.API_MAX_BODY_BYTES + 1),
    )

    assert_problem(response, 413, "payload_too_large")
    assert not Task.objects.exists()


def test_a_chunked_body_without_length_is_411_not_silently_empty(user_client):
    response = user_client.generic(
        "POST",
        "/api/tasks",
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert_problem(response, 411, "length_required")
    assert not Task.objects.exists()


def test_the_admin_is_not_subject_to_the_api_body_limit(client, settings):
    # The admin's forms have Django's own limit; the API's applies to /api/ only.
    response = client.generic(
        "POST", "/admin/login/", b"", CONTENT_LENGTH=str(settings.API_MAX_BODY_BYTES + 1)
    )

    assert response.status_code != 413


# --- Errors of views that render something else than JSON ------------------------------------


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_errors_are_json_problems_too(api_client, path):
    # The schema renders YAML and the docs HTML; their errors are problems all the same.
    response = api_client.get(path)

    assert_problem(response, 401, "not_authenticated")


def test_a_method_the_schema_does_not_take_is_a_json_405(user_client):
    assert_problem(user_client.post("/api/schema/"), 405, "method_not_allowed")


def test_an_unservable_accept_header_is_a_json_406(user_client):
    response = user_client.get("/api/tasks", HTTP_ACCEPT="application/xml")

    assert_problem(response, 406, "not_acceptable")


@pytest.mark.parametrize("length", ["²", "١٢", "-5", "abc"])
def test_a_content_length_that_is_not_a_number_is_never_a_5xx(user_client, length):
    response = user_client.generic(
        "POST", "/api/tasks", b'{"title": "x"}', content_type="application/json", CONTENT_LENGTH=length
    )

    assert response.status_code < 500
