"""Fixtures shared by every test module: API clients, users and tokens (helpers: ``testing``)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.seen import user_seen_forget
from accounts.services import support_user_create
from accounts.tests.factories import UserFactory
from testing.helpers import STAFF_PASSWORD, make_token
from testing.races import race_database_settings


@pytest.fixture(autouse=True)
def _fresh_seen_users():
    """Each test starts with no user remembered as synced (its database starts empty too)."""
    user_seen_forget()
    yield
    user_seen_forget()


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


@pytest.fixture
def race_database(transactional_db, tmp_path):
    """Where racing threads meet (``testing.races``): None, the test database; or an SQLite file."""
    return race_database_settings(tmp_path)
