"""The PostgreSQL connection's timeouts and keepalives, as read from the environment."""

import json

from testing.helpers import run_django

URL = "postgresql://postgres@127.0.0.1:5/app"
PRINT_DATABASE = (
    "import json; database = settings.DATABASES['default']; "
    "print(json.dumps({'options': database['OPTIONS'], 'deadline': settings.DATABASE_QUERY_DEADLINE, "
    "'cooldown': settings.DATABASE_OUTAGE_COOLDOWN}))"
)
# Connects for real and reports what the server and libpq agreed on.
PRINT_SESSION = """
import json, time
from django.db import OperationalError, connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    timeout = cursor.fetchone()[0]
    started = time.monotonic()
    try:
        cursor.execute("SELECT pg_sleep(3)")
        slept = "finished"
    except OperationalError as error:
        slept = type(error.__cause__).__name__
parameters = connection.connection.info.get_parameters()
print(json.dumps({"statement_timeout": timeout, "slept": slept, "seconds": time.monotonic() - started,
                  "keepalives_idle": parameters.get("keepalives_idle"),
                  "tcp_user_timeout": parameters.get("tcp_user_timeout")}))
"""


def database_settings(**env) -> dict:
    result = run_django(PRINT_DATABASE, "todo_project.settings.local", **{"DATABASE_URL": URL, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_bound_every_phase_of_a_connection():
    found = database_settings()

    assert found["options"] == {
        "connect_timeout": 2,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
        "options": "-c statement_timeout=1000",
        "prepare_threshold": 2**31 - 1,
    }
    assert found["deadline"] == 2
    assert found["cooldown"] == 2


def test_each_bound_is_configurable_and_zero_turns_the_optional_ones_off():
    found = database_settings(
        DATABASE_CONNECT_TIMEOUT="7",
        DATABASE_STATEMENT_TIMEOUT="0",
        DATABASE_QUERY_DEADLINE="0",
        DATABASE_OUTAGE_COOLDOWN="0",
    )

    assert found["options"]["connect_timeout"] == 7
    # No startup option at all, for a pooler that refuses them.
    assert "options" not in found["options"]
    assert found["deadline"] == 0
    assert found["cooldown"] == 0


def test_the_url_may_set_libpq_parameters_and_startup_options_of_its_own():
    url = f"{URL}?keepalives_idle=120&options=-c%20search_path%3Dapp"
    found = database_settings(DATABASE_URL=url, DATABASE_STATEMENT_TIMEOUT="5")

    assert found["options"]["keepalives_idle"] == 120
    assert found["options"]["options"] == "-c search_path=app -c statement_timeout=5000"


def test_prepared_statements_can_be_turned_off_for_a_pooler_without_them():
    assert "prepare_threshold" not in database_settings(DATABASE_PREPARED_STATEMENTS="false")["options"]


def test_the_pool_waits_briefly_for_a_connection():
    assert database_settings(DATABASE_POOL="true")["options"]["pool"] == {"timeout": 2}
    longer = database_settings(DATABASE_POOL="true", DATABASE_POOL_TIMEOUT="5")
    assert longer["options"]["pool"] == {"timeout": 5}


def test_the_server_applies_the_statement_timeout_and_libpq_the_keepalives(private_server):
    result = run_django(
        PRINT_SESSION,
        "todo_project.settings.local",
        DATABASE_URL=private_server.url(),
        DATABASE_STATEMENT_TIMEOUT="1",
    )
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout.strip().splitlines()[-1])

    assert session["statement_timeout"] == "1s"
    assert session["slept"] == "QueryCanceled"
    assert 1 <= session["seconds"] < 2.5
    assert session["keepalives_idle"] == "30"
    assert session["tcp_user_timeout"] == "10000"
