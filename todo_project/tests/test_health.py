"""The public probes, with the database up and with it gone."""

import json

import pytest

from testing.helpers import run_django


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/health", "/api/health/"])
def test_health_is_public_and_says_ok(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/ready", "/api/ready/"])
def test_ready_answers_when_the_database_does(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


# With the database gone. A closed port on loopback refuses at once; a fresh interpreter
# is the only honest way to start Django against it.
DATABASE_DOWN_SCRIPT = """
import json, time
import jwt
from django.test import Client
CLAIMS = {"sub": "u1", "exp": int(time.time()) + 60}
TOKEN = jwt.encode(CLAIMS, settings.BETTER_AUTH_SECRET, algorithm="HS256")
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
out = {}
requests = [
    ("get", "/api/health", {}),
    ("get", "/api/ready", {}),
    ("get", "/api/tasks", {"HTTP_AUTHORIZATION": "Bearer " + TOKEN}),
    ("post", "/admin/login/", {"data": {"username": "support@example.com", "password": "x"}}),
]
for method, path, options in requests:
    response = getattr(client, method)(path, **options)
    out[path] = {
        "status": response.status_code,
        "type": response["Content-Type"],
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def database_down():
    result = run_django(
        DATABASE_DOWN_SCRIPT,
        "todo_project.settings.test",
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing_listens_here",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_health_does_not_need_the_database(database_down):
    assert database_down["/api/health"]["status"] == 200


@pytest.mark.parametrize("path", ["/api/ready", "/api/tasks", "/admin/login/"])
def test_a_missing_database_is_503_with_retry_after(database_down, path):
    answer = database_down[path]
    assert answer["status"] == 503
    assert answer["type"] == "application/problem+json"
    assert int(answer["retry_after"]) > 0
    body = json.loads(answer["body"])
    assert body["code"] == "service_unavailable"
    # Nothing about the connection (host, port, driver message) reaches the client.
    assert "127.0.0.1" not in answer["body"]
    assert "psycopg" not in answer["body"].lower()
