"""Fixtures shared by every test module: API clients, users and tokens."""

import time

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


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
