"""The settings modules, loaded in a fresh interpreter with a controlled environment."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys

import pytest

from testing.helpers import ROOT, run_django

GOOD_DJANGO_KEY = secrets.token_urlsafe(50)
GOOD_SHARED_SECRET = secrets.token_urlsafe(32)


def production(code: str = "print('ok')", **env: str) -> subprocess.CompletedProcess:
    return run_django(code, "todo_project.settings.production", **env)


def test_production_starts_with_real_secrets():
    result = production(DJANGO_SECRET_KEY=GOOD_DJANGO_KEY, BETTER_AUTH_SECRET=GOOD_SHARED_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("secret", ["", "s" * 31])
def test_production_refuses_a_missing_or_short_shared_secret(secret):
    result = production(DJANGO_SECRET_KEY=GOOD_DJANGO_KEY, BETTER_AUTH_SECRET=secret)
    assert result.returncode != 0
    assert "BETTER_AUTH_SECRET is missing or shorter than 32 bytes" in result.stderr
    assert GOOD_DJANGO_KEY not in result.stderr


def test_production_secret_length_is_counted_in_bytes():
    # 16 two-byte characters are 32 bytes.
    result = production(DJANGO_SECRET_KEY=GOOD_DJANGO_KEY, BETTER_AUTH_SECRET="é" * 16)
    assert result.returncode == 0, result.stderr


def test_production_without_shared_secret_is_fine_in_jwks_only_mode():
    result = production(DJANGO_SECRET_KEY=GOOD_DJANGO_KEY, BETTER_AUTH_URL="https://app.example.com")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", ["", "short", "k" * 60, "django-insecure-" + secrets.token_urlsafe(50)])
def test_production_refuses_a_weak_django_secret_key(key):
    result = production(DJANGO_SECRET_KEY=key, BETTER_AUTH_SECRET=GOOD_SHARED_SECRET)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = production(
        DJANGO_SECRET_KEY=GOOD_DJANGO_KEY, BETTER_AUTH_SECRET=GOOD_SHARED_SECRET, DJANGO_DEBUG="true"
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off in production" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
        "DJANGO_SECRET_KEY": GOOD_DJANGO_KEY,
        "BETTER_AUTH_SECRET": GOOD_SHARED_SECRET,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked():
    code = "print(json.dumps(settings.DEBUG))"
    off = run_django(f"import json; {code}", "todo_project.settings.local")
    on = run_django(f"import json; {code}", "todo_project.settings.local", DJANGO_DEBUG="yes")
    assert (json.loads(off.stdout), json.loads(on.stdout)) == (False, True), off.stderr + on.stderr


def test_a_vague_boolean_is_a_configuration_error():
    result = run_django("print(settings.DEBUG)", "todo_project.settings.local", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("API_MAX_BODY_BYTES", "abc", "API_MAX_BODY_BYTES must be a whole number, not 'abc'."),
        ("API_MAX_BODY_BYTES", "1.5", "API_MAX_BODY_BYTES must be a whole number, not '1.5'."),
        ("API_MAX_BODY_BYTES", "-1", "API_MAX_BODY_BYTES must not be negative."),
        ("BETTER_AUTH_JWKS_TIMEOUT", "-3", "BETTER_AUTH_JWKS_TIMEOUT must not be negative."),
    ],
)
def test_a_bad_whole_number_is_a_configuration_error(name, value, message):
    result = run_django(f"print(settings.{name})", "todo_project.settings.local", **{name: value})
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_whole_number_from_the_environment_is_read():
    result = run_django(
        "print(settings.API_MAX_BODY_BYTES)", "todo_project.settings.local", API_MAX_BODY_BYTES=" 0 "
    )
    assert result.stdout.strip() == "0", result.stderr


def test_times_are_utc():
    result = run_django("print(settings.TIME_ZONE, settings.USE_TZ)", "todo_project.settings.local")
    assert result.stdout.split() == ["UTC", "True"], result.stderr


def test_no_database_url_means_a_sqlite_file():
    result = run_django(
        "import json; print(json.dumps(settings.DATABASES['default']))", "todo_project.settings.local"
    )
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("db.sqlite3")


def test_the_sqlite_file_keeps_a_write_ahead_log(tmp_path):
    # Readers do not wait for the one writer, and a commit is one append to the log (README).
    code = (
        "from django.db import connection; connection.ensure_connection(); "
        "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])"
    )
    result = run_django(code, "todo_project.settings.local", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.stdout.split() == ["wal"], result.stderr
    # Kept in the file itself: any other client of it (sqlite3, a backup tool) sees the same.
    with sqlite3.connect(tmp_path / "db.sqlite3") as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_neon_url_with_sslmode_require_works_unchanged():
    url = "postgresql://alice:pw@ep-cool-name-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require"
    result = run_django(
        "import json; print(json.dumps(settings.DATABASES['default']))",
        "todo_project.settings.local",
        DATABASE_URL=url,
    )
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "ep-cool-name-123456.eu-central-1.aws.neon.tech"
    assert database["NAME"] == "neondb"
    assert database["OPTIONS"]["sslmode"] == "require"
    # Persistent connections, checked before reuse (serverless Postgres drops idle ones).
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] > 0


def test_cors_origins_come_from_the_environment():
    result = run_django(
        "print(','.join(settings.CORS_ALLOWED_ORIGINS))",
        "todo_project.settings.local",
        CORS_ORIGINS=" https://app.example.com ,https://staging.example.com,",
    )
    assert result.stdout.strip() == "https://app.example.com,https://staging.example.com"


def test_production_redirects_to_https_unless_told_not_to():
    secrets_env = {"DJANGO_SECRET_KEY": GOOD_DJANGO_KEY, "BETTER_AUTH_SECRET": GOOD_SHARED_SECRET}
    code = "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS > 0)"
    default = production(code, **secrets_env)
    off = production(code, DJANGO_SECURE_SSL_REDIRECT="false", **secrets_env)
    assert default.stdout.split() == ["True", "True"], default.stderr
    assert off.stdout.split() == ["False", "True"], off.stderr


def test_development_settings_never_redirect_to_https():
    result = run_django("print(settings.SECURE_SSL_REDIRECT)", "todo_project.settings.local")
    assert result.stdout.strip() == "False", result.stderr


def test_redis_url_gives_every_worker_one_shared_cache():
    # A real round trip through the Redis on loopback: the backend and its client are installed.
    code = (
        "from django.core.cache import cache; import secrets; key = 'settings-test-' + secrets.token_hex(8);"
        "cache.set(key, 'shared', 5); print(settings.CACHES['default']['BACKEND'], cache.get(key));"
        "cache.delete(key)"
    )
    result = run_django(code, "todo_project.settings.local", REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "shared"], result.stderr


def test_without_redis_url_the_cache_is_per_process():
    result = run_django("print(settings.CACHES['default']['BACKEND'])", "todo_project.settings.local")
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False False 30"),
        (
            {"CORS_ALLOW_CREDENTIALS": "true", "API_REQUIRE_IF_MATCH": "1", "SYNC_RETENTION_DAYS": "7"},
            "True True 7",
        ),
    ],
    ids=["defaults", "set"],
)
def test_credentials_if_match_and_sync_retention_come_from_the_environment(env, expected):
    code = (
        "print(settings.CORS_ALLOW_CREDENTIALS, settings.API_REQUIRE_IF_MATCH, settings.SYNC_RETENTION_DAYS)"
    )
    result = run_django(code, "todo_project.settings.local", **env)
    assert result.stdout.strip() == expected, result.stderr
