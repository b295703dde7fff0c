"""The SQLite file's connection: kept between requests, write-ahead log, synchronous as configured."""

import json

from testing.helpers import run_django

# Two requests that use the database, then what the connection and SQLite say.
PRINT_CONNECTION = """
import json
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import RequestFactory
call_command("migrate", verbosity=0)
application = get_wsgi_application()  # the real handler: request_finished closes old connections
def ready():
    statuses = []
    environ = RequestFactory(HTTP_HOST="localhost").get("/api/ready").environ
    b"".join(application(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0])
first_status = ready()
first = connection.connection
second_status = ready()
with connection.cursor() as cursor:
    journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
kept = first is not None and connection.connection is first
print(json.dumps({"statuses": [first_status, second_status], "kept": kept,
                  "journal": journal, "synchronous": synchronous}))
"""
# SQLite's numbers for PRAGMA synchronous.
NORMAL, FULL, EXTRA = 1, 2, 3


def sqlite_connection(tmp_path, **env) -> dict:
    database = str(tmp_path / "db.sqlite3")
    result = run_django(PRINT_CONNECTION, "todo_project.settings.local", SQLITE_PATH=database, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_connection_is_kept_between_requests_in_write_ahead_mode(tmp_path):
    found = sqlite_connection(tmp_path)

    assert found["statuses"] == [200, 200]
    assert found["kept"] is True
    assert found["journal"] == "wal"
    assert found["synchronous"] == NORMAL


def test_zero_max_age_closes_it_after_each_request(tmp_path):
    assert sqlite_connection(tmp_path, DATABASE_CONN_MAX_AGE="0")["kept"] is False


def test_synchronous_full_or_extra_syncs_every_commit(tmp_path):
    assert sqlite_connection(tmp_path, SQLITE_SYNCHRONOUS="FULL")["synchronous"] == FULL
    assert sqlite_connection(tmp_path, SQLITE_SYNCHRONOUS="extra")["synchronous"] == EXTRA


def test_an_unknown_synchronous_mode_stops_start_up(tmp_path):
    result = run_django("print('started')", "todo_project.settings.local", SQLITE_SYNCHRONOUS="off")

    assert result.returncode != 0
    assert "SQLITE_SYNCHRONOUS must be one of normal, full, extra, not 'off'." in result.stderr
    assert "started" not in result.stdout
