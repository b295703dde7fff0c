"""DATABASE_URL in SQLAlchemy's driver forms reads as plain PostgreSQL; other databases stop start-up."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from testing.helpers import run_django
from todo_project.database_url import ACCEPTED_FORMS, database_url_normalise

LOCAL_POSTGRES = "postgres@127.0.0.1:5432/postgres"
SHOW_DATABASE = "import json; print(json.dumps(settings.DATABASES['default']))"


@pytest.mark.parametrize(
    "scheme",
    [
        "postgresql+asyncpg",
        "postgresql+psycopg",
        "postgresql+psycopg2",
        "postgres+psycopg2",
        "Postgresql+Asyncpg",
    ],
)
def test_a_driver_form_is_plain_postgresql(scheme):
    url = f"{scheme}://alice:p%40ss@db.example.com:6543/todo?sslmode=require"
    assert (
        database_url_normalise(url=url)
        == "postgresql://alice:p%40ss@db.example.com:6543/todo?sslmode=require"
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://h/db?sslmode=require",
        "postgres://h/db",
        "sqlite:////var/lib/todo/db.sqlite3",
        "sqlite://:memory:",
    ],
)
def test_plain_forms_pass_unchanged(url):
    assert database_url_normalise(url=url) == url


def test_asyncpgs_ssl_parameter_becomes_libpqs_sslmode():
    url = "postgresql+asyncpg://alice:pw@ep-name-123456.eu-central-1.aws.neon.tech/neondb?ssl=require&application_name=x"
    assert database_url_normalise(url=url) == (
        "postgresql://alice:pw@ep-name-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require&application_name=x"
    )


def test_an_ssl_value_libpq_does_not_know_is_refused():
    with pytest.raises(ImproperlyConfigured, match=r"ssl= must be one of .*require.*, not 'true'\.$"):
        database_url_normalise(url="postgresql+asyncpg://h/db?ssl=true")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://root:hunter2@db/todo", "mysql://"),
        ("mysql+pymysql://root:hunter2@db/todo", "mysql+pymysql://"),
        ("sqlite+pysqlite:///db.sqlite3", "sqlite+pysqlite://"),
        ("postgresql+://h/db", "postgresql+://"),
        ("root:hunter2@db/todo", "a URL without a scheme"),
    ],
)
def test_another_database_is_refused_naming_the_accepted_forms_and_never_the_password(url, shown):
    with pytest.raises(ImproperlyConfigured) as raised:
        database_url_normalise(url=url)
    message = str(raised.value)
    assert message == f"DATABASE_URL must start with {ACCEPTED_FORMS}, not {shown}."
    assert "\n" not in message
    assert "hunter2" not in message


def test_settings_read_a_driver_form_with_neons_sslmode():
    url = (
        "postgresql+asyncpg://alice:pw@ep-cool-name-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require"
    )
    result = run_django(SHOW_DATABASE, "todo_project.settings.local", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "ep-cool-name-123456.eu-central-1.aws.neon.tech",
        "neondb",
        "alice",
    )
    assert database["OPTIONS"]["sslmode"] == "require"


def test_a_driver_form_connects_to_the_local_postgresql():
    code = (
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('select current_user, current_database()'); print(*cursor.fetchone())"
    )
    result = run_django(
        code, "todo_project.settings.local", DATABASE_URL=f"postgresql+asyncpg://{LOCAL_POSTGRES}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgres", "postgres"]


def test_an_unknown_scheme_stops_start_up_with_one_line_not_dj_database_urls_error():
    result = run_django(
        SHOW_DATABASE, "todo_project.settings.local", DATABASE_URL="mongodb://root:hunter2@db/todo"
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        f"django.core.exceptions.ImproperlyConfigured: DATABASE_URL must start with {ACCEPTED_FORMS}, not mongodb://."
    )
    assert "UnknownSchemeError" not in result.stderr
    assert "hunter2" not in result.stderr
