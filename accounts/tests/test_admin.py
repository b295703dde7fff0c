"""The user admin, and the Support group: who may see and change what."""

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import support_user_create, user_sync_from_claims
from accounts.tests.factories import UserFactory
from testing.helpers import STAFF_PASSWORD, make_token

CHANGELIST = reverse("admin:accounts_user_changelist")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[quote(user.pk)])


def rows(response) -> dict:
    return {user.pk: user for user in response.context["cl"].result_list}


# --- The list and the change page ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("alice@example.com", True),
        ("ALICE@", True),
        ("Wonderland", True),
        ("ba_alice_7", True),
        ("ba_al", False),  # the id matches exactly, not by prefix
    ],
)
def test_search_by_email_name_and_exact_id(staff_client, query, found):
    alice = UserFactory(id="ba_alice_7", email="alice@example.com", name="Alice Wonderland")
    UserFactory(id="ba_bob", email="bob@example.com", name="Bob")

    response = staff_client.get(CHANGELIST, {"q": query})

    assert list(rows(response)) == ([alice.pk] if found else [])


def test_superuser_adds_a_staff_account(super_client):
    response = super_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Staff@Example.com",
            "usable_password": "true",
            "password1": STAFF_PASSWORD,
            "password2": STAFF_PASSWORD,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new.staff@example.com")
    assert created.check_password(STAFF_PASSWORD)
    assert created.id.startswith("local_")


@pytest.mark.parametrize("email", ["", "   "], ids=["empty", "blank"])
def test_a_staff_account_added_in_the_admin_needs_an_email(super_client, email):
    before = User.objects.count()

    response = super_client.post(
        reverse("admin:accounts_user_add"),
        {"email": email, "usable_password": "true", "password1": STAFF_PASSWORD, "password2": STAFF_PASSWORD},
    )

    assert response.status_code == 200  # the form again, not a redirect to the new user
    assert response.context["adminform"].form.errors["email"] == [
        "Staff sign in with their email: it is required."
    ]
    assert "Staff sign in with their email: it is required." in response.content.decode()
    assert User.objects.count() == before


# --- The Support group ------------------------------------------------------------------------


def test_support_may_view_users_but_not_change_add_or_delete_them(support_client):
    user = UserFactory(name="Unchanged")

    assert support_client.get(CHANGELIST).status_code == 200
    page = support_client.get(change_url(user))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    support_client.post(change_url(user), {"email": user.email, "name": "Changed"})
    user.refresh_from_db()
    assert user.name == "Unchanged"
    assert support_client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert support_client.get(reverse("admin:accounts_user_delete", args=[quote(user.pk)])).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[quote(user.pk)])
    assert support_client.get(password_url).status_code == 403


# --- Look-alike emails -------------------------------------------------------------------------


@pytest.mark.parametrize("look_alike", ["\u017fupport@example.com", "SUPPORT@example.com"])
def test_a_look_alike_app_email_cannot_lock_staff_out(support_user, look_alike, api_client):
    # PostgreSQL's UPPER("\u017f") is "S": a case-insensitive lookup would find two accounts.
    token = make_token(sub="ba_mallory", email=look_alike)
    assert api_client.get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "Support@Example.com", "password": STAFF_PASSWORD}
    )

    assert response.status_code == 302, response.content[:300]
    assert client.session["_auth_user_id"] == support_user.pk


def test_a_look_alike_app_email_does_not_reserve_a_staff_email(db):
    user_sync_from_claims(user_id="ba_mallory", email="\u017fupport@example.com", name="")

    staff = support_user_create(email="support@example.com", password=STAFF_PASSWORD)

    assert staff.email == "support@example.com"
