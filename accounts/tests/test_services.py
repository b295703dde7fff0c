"""Keeping the local user in step with the token's claims (``user_sync_from_claims``)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_sync_from_claims
from accounts.tests.factories import UserFactory
from testing.helpers import make_token
from testing.races import run_at_once

URL = "/api/tasks"


def get_with(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(URL)


def update_queries(context: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in context.captured_queries
        if query["sql"].lstrip().upper().startswith("UPDATE")
    ]


# --- First sight ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_sight_creates_the_user_without_a_usable_password():
    before = timezone.now()

    user = user_sync_from_claims(user_id="ba_new", email=" New@Example.COM ", name="  New User ")

    stored = User.objects.get(pk="ba_new")
    assert stored == user
    assert not stored.has_usable_password()
    assert stored.password  # an unusable marker, not empty
    assert (stored.email, stored.name) == ("new@example.com", "New User")
    assert stored.last_seen >= before
    assert stored.is_active and not stored.is_staff and not stored.is_superuser


@pytest.mark.django_db
def test_first_sight_without_email_or_name():
    user = user_sync_from_claims(user_id="ba_bare")

    assert (user.email, user.name) == (None, "")
    # A second such user does not collide on the empty email.
    user_sync_from_claims(user_id="ba_bare_2", email="", name=None)
    assert User.objects.filter(email__isnull=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("email", [123, ["a@example.com"], "x" * 250 + "@example.com", "   "])
def test_unusable_email_claims_are_ignored(email):
    user = user_sync_from_claims(user_id="ba_odd", email=email, name=42)

    assert (user.email, user.name) == (None, "")


@pytest.mark.django_db
def test_first_request_over_http_creates_the_user():
    response = get_with(make_token(sub="ba_http", email="http@example.com", name="Http"))

    assert response.status_code == 200
    user = User.objects.get(pk="ba_http")
    assert not user.has_usable_password()


# --- Later tokens --------------------------------------------------------------------------


@pytest.mark.django_db
def test_later_tokens_update_email_and_name():
    user = UserFactory(email="old@example.com", name="Old")

    response = get_with(make_token(sub=user.pk, email="New@Example.com", name="New"))

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.name) == ("new@example.com", "New")


@pytest.mark.django_db
def test_missing_claims_do_not_erase_what_is_known():
    user = UserFactory(email="kept@example.com", name="Kept")

    assert get_with(make_token(sub=user.pk)).status_code == 200

    user.refresh_from_db()
    assert (user.email, user.name) == ("kept@example.com", "Kept")


@pytest.mark.django_db
def test_last_seen_moves_at_most_once_per_interval(settings):
    settings.USER_LAST_SEEN_INTERVAL = 60
    user = UserFactory(email="a@example.com", name="A", last_seen=None)
    claims = {"user_id": user.pk, "email": "a@example.com", "name": "A"}

    with CaptureQueriesContext(connection) as first:
        user_sync_from_claims(**claims)
    user.refresh_from_db()
    seen = user.last_seen
    with CaptureQueriesContext(connection) as again:
        for _ in range(5):
            user_sync_from_claims(**claims)

    assert len(update_queries(first)) == 1
    assert update_queries(again) == []
    user.refresh_from_db()
    assert user.last_seen == seen

    # Once the interval has passed, one more write.
    User.objects.filter(pk=user.pk).update(last_seen=timezone.now() - timedelta(seconds=61))
    with CaptureQueriesContext(connection) as later:
        user_sync_from_claims(**claims)
        user_sync_from_claims(**claims)
    assert len(update_queries(later)) == 1
    user.refresh_from_db()
    assert timezone.now() - user.last_seen < timedelta(seconds=5)


@pytest.mark.django_db
def test_busy_client_over_http_writes_last_seen_once(settings, token_for):
    settings.USER_LAST_SEEN_INTERVAL = 60
    user = UserFactory(last_seen=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")

    with CaptureQueriesContext(connection) as context:
        for _ in range(3):
            assert client.get(URL).status_code == 200

    assert len([sql for sql in update_queries(context) if "accounts_user" in sql]) == 1


@pytest.mark.django_db
def test_email_taken_by_another_user_on_update_still_authenticates():
    UserFactory(email="taken@example.com")
    user = UserFactory(email="mine@example.com", name="Me")

    response = get_with(make_token(sub=user.pk, email="TAKEN@example.com", name="Renamed"))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "mine@example.com"  # kept, not stolen
    assert user.name == "Renamed"  # the other changes still land


@pytest.mark.django_db
def test_email_taken_by_another_user_on_first_sight_still_authenticates():
    staff = User.objects.create_user(email="Support@Example.com", password="a-long-password-123")

    response = get_with(make_token(sub="ba_newcomer", email="support@example.com", name="Newcomer"))

    assert response.status_code == 200
    newcomer = User.objects.get(pk="ba_newcomer")
    assert (newcomer.email, newcomer.name) == (None, "Newcomer")
    staff.refresh_from_db()
    assert staff.email == "support@example.com"


@pytest.mark.django_db
def test_deactivated_user_is_refused_and_not_reactivated():
    user = UserFactory(is_active=False)

    response = get_with(make_token(sub=user.pk, email=user.email))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "user_inactive"
    user.refresh_from_db()
    assert not user.is_active


# --- Two first requests at once (threads: testing.races) ------------------------------------


def stored_users(race_database) -> list[tuple]:
    """``(id, email)`` of every user, read where the threads wrote."""
    return run_at_once(race_database, 1, lambda: list(User.objects.values_list("pk", "email")))[0]


def test_two_first_requests_at_once_create_one_user(race_database):
    token = make_token(sub="ba_racer", email="racer@example.com", name="Racer")

    results = run_at_once(race_database, 2, lambda: get_with(token).status_code)

    assert results == [200, 200]
    assert stored_users(race_database) == [("ba_racer", "racer@example.com")]


def test_many_first_syncs_at_once_return_the_same_user(race_database):
    def sync():
        return user_sync_from_claims(user_id="ba_many", email="many@example.com", name="Many").pk

    results = run_at_once(race_database, 4, sync)

    assert results == ["ba_many"] * 4
    assert stored_users(race_database) == [("ba_many", "many@example.com")]


# --- Claims the database cannot store ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "ba_nul\x00user"},
        {"sub": "ba_nul_email", "email": "nul\x00@example.com"},
        {"sub": "ba_nul_name", "name": "Nul\x00Name"},
        {"sub": "ba_surrogate\ud800"},
        {"sub": "ba_surrogate_email", "email": "a\ud800@example.com", "name": "Lone\udc00"},
    ],
)
def test_nul_characters_in_claims_never_cause_a_5xx(claims):
    response = get_with(make_token(**claims))

    assert response.status_code in (200, 401)
    for user in User.objects.all():  # (a NUL in a query would fail on PostgreSQL itself)
        assert "\x00" not in f"{user.pk}{user.email}{user.name}"


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "two@@example.com"])
def test_invalid_email_claims_are_not_stored(email):
    user = user_sync_from_claims(user_id="ba_bad_email", email=email)

    assert user.email is None


def test_support_email_clean_normalises_and_refuses_a_positional_email(db):
    from accounts.services import support_email_clean

    assert support_email_clean(email=" Help@Example.COM ") == "help@example.com"
    with pytest.raises(TypeError):
        support_email_clean("help@example.com")
