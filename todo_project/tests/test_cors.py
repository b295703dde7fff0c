"""Cross-origin requests from the frontend's origins (CORS_ORIGINS), and no others."""

import pytest

ALLOWED = "https://app.example.com"  # the test settings' CORS_ORIGINS


def preflight(client, origin, headers="authorization, content-type"):
    return client.options(
        "/api/tasks",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


@pytest.mark.django_db
def test_preflight_from_an_allowed_origin_allows_authorization_and_content_type(api_client):
    response = preflight(api_client, ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    allowed_headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers


@pytest.mark.django_db
def test_other_origins_get_no_cors_headers(api_client):
    response = preflight(api_client, "https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_the_contract_headers_are_exposed(user_client):
    response = user_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {
        *("location", "link", "x-total-count", "etag", "retry-after", "x-request-id"),
        "idempotent-replayed",
    }


@pytest.mark.django_db
def test_error_responses_carry_cors_headers_too(api_client):
    # Without them the browser hides the 401 from the frontend, which then cannot refresh.
    response = api_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.django_db
def test_an_oversized_header_answer_is_readable_cross_origin(api_client):
    response = api_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED, HTTP_AUTHORIZATION="Bearer " + "a" * 20_000)
    assert response.status_code == 431
    assert response["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.django_db
def test_preflight_allows_the_version_and_retry_headers(api_client):
    response = preflight(api_client, ALLOWED, headers="if-match, if-none-match, idempotency-key")
    assert response.status_code == 200
    allowed_headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "idempotency-key"} <= allowed_headers


@pytest.mark.django_db
def test_credentialed_requests_are_not_answered_by_default(user_client):
    response = user_client.get("/api/tasks", HTTP_ORIGIN=ALLOWED)
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_cors_allow_credentials_answers_credentialed_requests_from_allowed_origins_only(settings, api_client):
    settings.CORS_ALLOW_CREDENTIALS = True
    allowed = preflight(api_client, ALLOWED)
    other = preflight(api_client, "https://evil.example.net")

    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED  # never "*" with credentials
    assert "Access-Control-Allow-Credentials" not in other
