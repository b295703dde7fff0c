"""Prometheus metrics at /api/metrics: what they count, and who may read them."""

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from testing.helpers import assert_problem

TOKEN = "scraper-token-for-the-tests-0123456789"
HEALTH = "^api/health/?$"


def scrape(client, token=TOKEN) -> str:
    response = client.get("/api/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a scrape (0 when the series does not exist yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
def test_requests_are_counted_by_route_method_and_status(metrics_on, api_client, user_client):
    before = scrape(api_client)
    for _ in range(3):
        api_client.get("/api/health")
    user_client.post("/api/tasks", {"title": "one"}, format="json")
    api_client.get("/api/tasks")  # no token: 401
    after = scrape(api_client)

    def moved(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("http_requests_total", method="GET", route=HEALTH, status="200") == 3
    assert moved("http_requests_total", method="POST", route="api/tasks/?$", status="201") == 1
    assert moved("http_requests_total", method="GET", route="api/tasks/?$", status="401") == 1
    # The first scrape itself is counted once it has been answered.
    assert moved("http_requests_total", method="GET", route="^api/metrics/?$", status="200") == 1


@pytest.mark.django_db
def test_latency_is_a_histogram_by_route(metrics_on, api_client):
    before = scrape(api_client)
    api_client.get("/api/health")
    api_client.get("/api/health")
    after = scrape(api_client)
    labels = {"method": "GET", "route": HEALTH}
    name = "http_request_duration_seconds"
    assert sample(after, f"{name}_count", **labels) - sample(before, f"{name}_count", **labels) == 2
    assert sample(after, f"{name}_sum", **labels) > sample(before, f"{name}_sum", **labels)
    infinite = sample(after, f"{name}_bucket", **labels, le="+Inf")
    assert infinite == sample(after, f"{name}_count", **labels)
    assert sample(after, f"{name}_bucket", **labels, le="0.005") <= infinite


@pytest.mark.django_db
def test_unknown_methods_and_paths_mint_no_series(metrics_on, api_client):
    api_client.generic("BREW", "/api/health")
    api_client.get("/api/user-7f3a/nothing/here")
    text = scrape(api_client)
    assert sample(text, "http_requests_total", method="other", route=HEALTH, status="405") >= 1
    assert sample(text, "http_requests_total", method="GET", route="<unmatched>", status="404") >= 1
    assert "BREW" not in text and "user-7f3a" not in text


# --- Who may read them ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN],
)
def test_without_the_right_token_the_scrape_is_refused(metrics_on, api_client, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = api_client.get("/api/metrics", **headers)
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"http_requests" not in response.content
    assert TOKEN.encode() not in response.content


@pytest.mark.django_db
def test_a_users_valid_token_does_not_open_the_metrics(metrics_on, user_client):
    assert_problem(user_client.get("/api/metrics"), 401, "not_authenticated")


@pytest.mark.django_db
def test_the_token_is_compared_whole_and_the_scheme_case_blind(metrics_on, api_client):
    response = api_client.get("/api/metrics/", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_only_reads_are_allowed(metrics_on, api_client):
    response = api_client.post("/api/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert_problem(response, 405, "method_not_allowed")
    # Without the token the method says nothing: 401 first.
    assert_problem(api_client.post("/api/metrics"), 401)


@pytest.mark.django_db
def test_without_a_token_configured_the_route_answers_like_an_unknown_address(settings, api_client):
    settings.METRICS_TOKEN = ""
    metrics = api_client.get("/api/metrics", HTTP_AUTHORIZATION="Bearer ")
    unknown = api_client.get("/api/nothing-here")
    assert_problem(metrics, 404, "not_found")
    assert metrics.content == unknown.content


@pytest.mark.django_db
def test_without_a_token_configured_nothing_is_counted(settings, api_client):
    settings.METRICS_TOKEN = ""
    labels = {"method": "GET", "route": HEALTH, "status": "200"}
    before = REGISTRY.get_sample_value("http_requests_total", labels) or 0
    api_client.get("/api/health")
    assert (REGISTRY.get_sample_value("http_requests_total", labels) or 0) == before
