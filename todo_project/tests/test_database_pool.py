"""DATABASE_POOL: psycopg's pool instead of persistent connections, against the local PostgreSQL."""

import json

from testing.helpers import run_django

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
QUERY_THROUGH_THE_POOL = """
import json
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    answer = cursor.fetchone()[0]
database = settings.DATABASES["default"]
print(json.dumps({"answer": answer, "pool": type(connection.pool).__name__,
                  "max_age": database["CONN_MAX_AGE"]}))
"""


def test_the_pool_serves_queries_and_replaces_persistent_connections():
    result = run_django(
        QUERY_THROUGH_THE_POOL, "todo_project.settings.local", DATABASE_URL=POSTGRES_URL, DATABASE_POOL="true"
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"answer": 1, "pool": "ConnectionPool", "max_age": 0}


def test_without_database_pool_connections_persist_instead():
    code = "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}).get('pool', False)))"
    result = run_django(f"import json; {code}", "todo_project.settings.local", DATABASE_URL=POSTGRES_URL)

    assert json.loads(result.stdout) is False, result.stderr
