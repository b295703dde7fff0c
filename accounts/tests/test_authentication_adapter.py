"""The DRF authentication class as DRF calls it, and the exact challenge of each 401."""

import pytest
from rest_framework.test import APIClient, APIRequestFactory

from accounts.authentication import BetterAuthJWTAuthentication, UserInactive
from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tokens import Identity, TokenExpired, TokenInvalid
from testing.helpers import make_token

CHALLENGE = 'Bearer realm="api"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="api", error="invalid_token"'

factory = APIRequestFactory()


def authenticate(authorization: str | None):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    return BetterAuthJWTAuthentication().authenticate(factory.get("/api/tasks", **headers))


@pytest.mark.django_db
def test_a_bearer_token_gives_the_user_and_the_identity():
    token = make_token(sub="ba_alice", email="Alice@Example.com", name="Alice")

    user, identity = authenticate(f"Bearer {token}")

    assert identity == Identity(id="ba_alice", email="Alice@Example.com", name="Alice")
    assert user == User.objects.get(pk="ba_alice")
    assert (user.email, user.name) == ("alice@example.com", "Alice")  # cleaned by the services


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNzd29yZA==", "Token abc"])
def test_no_header_or_another_scheme_is_not_ours(authorization):
    assert authenticate(authorization) is None


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer a.b.c extra"])
def test_a_bearer_header_without_exactly_one_token_is_invalid(authorization):
    with pytest.raises(TokenInvalid) as excinfo:
        authenticate(authorization)

    assert str(excinfo.value.detail) == "The Authorization header must be 'Bearer <token>'."


@pytest.mark.django_db
def test_a_refused_token_never_reaches_the_database(django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(TokenExpired):
        authenticate(f"Bearer {make_token(sub='ba_alice', exp=1)}")

    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_inactive_user_is_refused():
    user = UserFactory(is_active=False)

    with pytest.raises(UserInactive):
        authenticate(f"Bearer {make_token(sub=user.pk)}")


def test_the_challenge_makes_drf_answer_401():
    assert BetterAuthJWTAuthentication().authenticate_header(factory.get("/")) == CHALLENGE


# --- The exact WWW-Authenticate of each 401 ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("authorization", "code", "challenge"),
    [
        (None, "not_authenticated", CHALLENGE),
        ("Basic dXNlcjpwYXNzd29yZA==", "not_authenticated", CHALLENGE),
        ("Bearer garbage", "token_invalid", INVALID_TOKEN_CHALLENGE),
        ("Bearer a b", "token_invalid", INVALID_TOKEN_CHALLENGE),
        (f"Bearer {make_token(sub='ba_alice', exp=1)}", "token_expired", INVALID_TOKEN_CHALLENGE),
    ],
    ids=["none", "basic", "garbage", "two-tokens", "expired"],
)
def test_each_401_has_its_challenge(authorization, code, challenge):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = client.get("/api/tasks")

    assert (response.status_code, response.json()["code"]) == (401, code)
    assert response["WWW-Authenticate"] == challenge


@pytest.mark.django_db
def test_an_inactive_users_401_has_the_plain_challenge():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(sub=UserFactory(is_active=False).pk)}")

    response = client.get("/api/tasks")

    assert (response.status_code, response.json()["code"]) == (401, "user_inactive")
    assert response["WWW-Authenticate"] == CHALLENGE
