"""Fixtures shared by every test module: API clients, users and tokens."""

import os
import subprocess
import sys
import time
from http import HTTPStatus
from io import StringIO
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import support_user_create
from accounts.tests.factories import UserFactory

STAFF_PASSWORD = "a-long-support-password-42"
ROOT = Path(__file__).resolve().parent


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


@pytest.fixture
def token_for():
    """``token_for(user, **claims)``: a shared-secret token for that user."""

    def _token_for(user, **claims):
        return make_token(sub=user.pk, email=user.email, name=user.name, **claims)

    return _token_for


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def client_for(token_for):
    """``client_for(user)``: an API client that sends that user's token."""

    def _client_for(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return _client_for


@pytest.fixture
def user_client(client_for, user):
    return client_for(user)


def run_command(name: str, *args, **options) -> str:
    """What a management command writes to stdout (stderr is swallowed)."""
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def command_help(app_label: str, name: str) -> tuple[str, str]:
    """A management command's ``help`` and the ``--help`` text its parser prints."""
    command = load_command_class(app_label, name)
    return command.help, command.create_parser("manage.py", name).format_help()


@pytest.fixture
def support_user(db):
    """A staff user in the Support group, as ``create_support_user`` makes one."""
    return support_user_create(email="support@example.com", password=STAFF_PASSWORD)


@pytest.fixture
def support_client(support_user):
    client = Client()
    client.force_login(support_user)
    return client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.com", STAFF_PASSWORD)


@pytest.fixture
def super_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture(params=["support_client", "super_client"])
def staff_client(request):
    """A support user's admin client, then a superuser's: both must see the same admin."""
    return request.getfixturevalue(request.param)
