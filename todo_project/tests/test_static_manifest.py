"""Without ``collectstatic``'s manifest the server refuses to start, instead of a 500 per admin page."""

import re
import secrets
import subprocess
import sys

import pytest

from testing.helpers import ROOT, run_django

PRODUCTION = "todo_project.settings.production"
ADMIN_LOGIN_THROUGH_WSGI = """
from wsgiref.util import setup_testing_defaults
from todo_project.wsgi import application
environ = {"PATH_INFO": "/admin/login/"}
setup_testing_defaults(environ)
statuses = []
body = b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
print(statuses[0])
print(body.decode())
"""


@pytest.fixture
def production_env(tmp_path):
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }


def missing_manifest_message(static_root) -> str:
    return (
        "django.core.exceptions.ImproperlyConfigured: No static files manifest at "
        f"{static_root}/staticfiles.json: run manage.py collectstatic --no-input before starting the server."
    )


@pytest.mark.parametrize("entry_point", ["todo_project.wsgi", "todo_project.asgi"])
def test_production_without_a_manifest_stops_at_start_up_with_one_line(production_env, entry_point):
    result = run_django(f"import {entry_point}; print('started')", PRODUCTION, **production_env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert result.stderr.strip().splitlines()[-1] == missing_manifest_message(
        production_env["DJANGO_STATIC_ROOT"]
    )


def test_after_collectstatic_under_production_settings_the_admin_is_served_with_hashed_files(production_env):
    # The deploy order: settings load without a manifest (collectstatic needs them), then it serves.
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={"PATH": "", "DJANGO_SETTINGS_MODULE": PRODUCTION, "DJANGO_ENV_FILE": "", **production_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    result = run_django(ADMIN_LOGIN_THROUGH_WSGI, PRODUCTION, **production_env)
    assert result.returncode == 0, result.stderr
    status, _, page = result.stdout.partition("\n")
    assert status == "200 OK"
    assert re.search(r'href="/static/admin/css/base\.[0-9a-f]{12}\.css"', page)


@pytest.mark.parametrize(("debug", "starts"), [("true", True), ("false", False)])
def test_development_needs_the_manifest_only_with_debug_off(production_env, debug, starts):
    # With DEBUG on, the storage serves unhashed names and reads no manifest.
    env = {**production_env, "DJANGO_DEBUG": debug}
    result = run_django("import todo_project.wsgi; print('started')", "todo_project.settings.local", **env)
    assert (result.stdout.strip() == "started") is starts, result.stderr
    if not starts:
        assert result.stderr.strip().splitlines()[-1] == missing_manifest_message(env["DJANGO_STATIC_ROOT"])
