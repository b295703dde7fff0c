"""Metrics across worker processes (multiprocess mode), and with the database gone.

Each scenario runs in fresh interpreters: prometheus-client picks its storage when it is
imported, from ``PROMETHEUS_MULTIPROC_DIR``, as a server's workers do at start.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from testing.helpers import run_django

TOKEN = "scraper-token-for-the-tests-0123456789"

SERVE_SCRIPT = """
import os
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for _ in range({count}):
    assert client.get("/api/health").status_code == 200
assert client.get("/api/nothing-here").status_code == 404
print(os.getpid())
"""

SCRAPE_SCRIPT = """
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/api/metrics", HTTP_AUTHORIZATION="Bearer {token}")
assert response.status_code == 200, response.status_code
print(response.content.decode())
"""


def samples(text: str) -> dict:
    return {
        (found.name, tuple(sorted(found.labels.items()))): found.value
        for family in text_string_to_metric_families(text)
        for found in family.samples
    }


def health(**extra) -> tuple:
    return tuple(sorted({"method": "GET", "route": "^api/health/?$", **extra}.items()))


def test_a_scrape_adds_up_every_worker(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {"METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    # Two workers at once, as a server runs them.
    with ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(run_django, SERVE_SCRIPT.format(count=count), "todo_project.settings.test", **env)
            for count in (3, 4)
        ]
    workers = [run.result() for run in runs]
    for worker in workers:
        assert worker.returncode == 0, worker.stderr
    pids = {worker.stdout.split()[-1] for worker in workers}
    assert len(pids) == 2
    # Each worker wrote its own files; both have exited, and their counts must stay.
    assert {path.name for path in folder.iterdir()} >= {f"counter_{pid}.db" for pid in pids}

    scraper = run_django(SCRAPE_SCRIPT.format(token=TOKEN), "todo_project.settings.test", **env)
    assert scraper.returncode == 0, scraper.stderr
    found = samples(scraper.stdout)
    assert found[("http_requests_total", health(status="200"))] == 7
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert found[("http_requests_total", unmatched)] == 2
    assert found[("http_request_duration_seconds_count", health())] == 7
    assert found[("http_request_duration_seconds_bucket", health(le="+Inf"))] == 7


def test_a_missing_multiprocess_folder_stops_the_start(tmp_path):
    script = "from django.core.wsgi import get_wsgi_application; get_wsgi_application()"
    result = run_django(
        script,
        "todo_project.settings.test",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "absent"),
    )
    assert result.returncode != 0
    assert "PROMETHEUS_MULTIPROC_DIR" in result.stderr and "is not a folder" in result.stderr


DATABASE_DOWN_SCRIPT = """
import json, time
import jwt
from django.test import Client
claims = {{"sub": "u1", "exp": int(time.time()) + 60}}
token = jwt.encode(claims, settings.BETTER_AUTH_SECRET, algorithm="HS256")
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
statuses = [client.get("/api/tasks", HTTP_AUTHORIZATION="Bearer " + token).status_code for _ in range(2)]
statuses.append(client.get("/api/ready").status_code)
scrape = client.get("/api/metrics", HTTP_AUTHORIZATION="Bearer {token}").content.decode()
print(json.dumps({{"statuses": statuses, "scrape": scrape}}))
"""


def run_with_the_database_down(*, outage_cooldown: str) -> dict:
    """Two task requests, a readiness probe and a scrape, in a process whose database is gone."""
    result = run_django(
        DATABASE_DOWN_SCRIPT.format(token=TOKEN),
        "todo_project.settings.test",
        METRICS_TOKEN=TOKEN,
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing_listens_here",
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_OUTAGE_COOLDOWN=outage_cooldown,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def database_down():
    # Every request tries the database (the outage breaker would answer the second itself).
    return run_with_the_database_down(outage_cooldown="0")


def test_database_failures_are_counted(database_down):
    assert database_down["statuses"] == [503, 503, 503]
    found = samples(database_down["scrape"])
    assert found[("database_errors_total", (("error", "OperationalError"),))] == 2
    tasks_503 = (("method", "GET"), ("route", "api/tasks/?$"), ("status", "503"))
    assert found[("http_requests_total", tasks_503)] == 2
    # The probe answers its own 503: counted by status, not as a failed request.
    ready_503 = (("method", "GET"), ("route", "^api/ready/?$"), ("status", "503"))
    assert found[("http_requests_total", ready_503)] == 1


def test_the_scrape_answers_while_the_outage_breaker_is_open():
    # The first failure opens the breaker: the next task request is a 503 without a try,
    # and the metrics, which need no database, are still served.
    outcome = run_with_the_database_down(outage_cooldown="30")

    assert outcome["statuses"][:2] == [503, 503]
    found = samples(outcome["scrape"])
    assert found[("database_errors_total", (("error", "OperationalError"),))] == 1
