"""Plain functions the tests import: problem assertions, tokens, commands, fresh interpreters."""

import os
import re
import subprocess
import sys
import time
from http import HTTPStatus
from io import StringIO
from pathlib import Path

import jwt
from django.conf import settings
from django.core.management import call_command, load_command_class

STAFF_PASSWORD = "a-long-support-password-42"
ROOT = Path(__file__).resolve().parent.parent
# The X-Request-ID the server makes when the caller sent none it could echo.
GENERATED_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def run_django(code: str, settings_module: str, **env: str) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter after ``django.setup()``, with only ``env`` set.

    For what only a new process can show: settings read at import, a database that is gone.
    No .env file is read, so a developer's own cannot change what the test sees.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_ENV_FILE": "",
        **env,
    }
    script = f"import django; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is ``status`` as application/problem+json with the contract's members."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    return body


def make_token(*, key=None, algorithm="HS256", headers=None, **claims) -> str:
    """A JWT with a valid ``exp`` unless the claims say otherwise; ``None`` removes a claim."""
    payload = {"exp": int(time.time()) + 600, **claims}
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or settings.BETTER_AUTH_SECRET, algorithm=algorithm, headers=headers)


def run_command(name: str, *args, **options) -> str:
    """What a management command writes to stdout (stderr is swallowed)."""
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def command_help(app_label: str, name: str) -> tuple[str, str]:
    """A management command's ``help`` and the ``--help`` text its parser prints."""
    command = load_command_class(app_label, name)
    return command.help, command.create_parser("manage.py", name).format_help()


def bearer_client(user):
    """An API client that sends a valid token for ``user`` on every request."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(sub=user.pk, email=user.email)}")
    return api
