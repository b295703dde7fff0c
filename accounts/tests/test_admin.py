"""The user admin, and the Support group: who may see and change what."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import SUPPORT_GROUP_NAME, SUPPORT_GROUP_PERMISSIONS, support_group_ensure
from accounts.services import support_user_create, user_sync_from_claims
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import STAFF_PASSWORD, make_token

CHANGELIST = reverse("admin:accounts_user_changelist")
support_migration = importlib.import_module("accounts.migrations.0002_support_group")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def rows(response) -> dict:
    return {user.pk: user for user in response.context["cl"].result_list}


# --- The list and the change page ---------------------------------------------------------


def test_changelist_shows_ids_emails_and_task_counts(staff_client):
    alice = UserFactory(id="ba_alice", email="alice@example.com", name="Alice", last_seen=timezone.now())
    TaskFactory.create_batch(3, user=alice)
    TaskFactory.create_batch(2, user=alice, completed=True)
    UserFactory(id="ba_idle")

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    listed = rows(response)
    assert (listed["ba_alice"]._task_count, listed["ba_alice"]._open_task_count) == (5, 3)
    assert (listed["ba_idle"]._task_count, listed["ba_idle"]._open_task_count) == (0, 0)
    html = response.content.decode()
    for text in ("ba_alice", "alice@example.com", "Alice", "Date joined", "Last seen", "Open tasks"):
        assert text in html


def test_changelist_query_count_does_not_grow_with_rows(super_client):
    TaskFactory(user=UserFactory())
    with CaptureQueriesContext(connection) as one:
        super_client.get(CHANGELIST)
    for user in UserFactory.create_batch(49):
        TaskFactory.create_batch(2, user=user)

    with CaptureQueriesContext(connection) as fifty:
        response = super_client.get(CHANGELIST)

    assert len(rows(response)) == 51  # 49, the first one and the superuser
    assert len(fifty) == len(one)


def test_changelist_sorts_by_task_count(super_client):
    busy = UserFactory()
    TaskFactory.create_batch(3, user=busy)

    response = super_client.get(CHANGELIST, {"o": "-6"})  # the "Tasks" column, descending

    assert next(iter(rows(response))) == busy.pk


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


def test_change_page_shows_counts_last_seen_and_tasks_inline_read_only(staff_client):
    user = UserFactory(last_seen=timezone.now())
    TaskFactory(user=user, title="Inline task")
    TaskFactory(user=user, completed=True)

    response = staff_client.get(change_url(user))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Inline task" in html
    assert f"/admin/tasks/task/?user__id__exact={user.pk}" in html
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert response.context["adminform"].form.instance._task_count == 2


def test_inline_shows_only_the_newest_tasks(super_client):
    from accounts.admin import INLINE_TASKS

    user = UserFactory()
    TaskFactory.create_batch(INLINE_TASKS + 5, user=user)

    response = super_client.get(change_url(user))

    (inline,) = response.context["inline_admin_formsets"]
    assert len(inline.formset.forms) == INLINE_TASKS


def test_superuser_edits_a_user_without_touching_tasks(super_client):
    user = UserFactory(name="Old")
    task = TaskFactory(user=user)
    form = {"email": user.email, "name": "New", "is_active": "on"}
    # The inline's management form: the read-only inline still posts one.
    form.update({"tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "1", "tasks-0-id": task.pk})
    form["tasks-0-user"] = user.pk

    response = super_client.post(change_url(user), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.name == "New"
    assert Task.objects.filter(pk=task.pk).exists()


def log_about(obj, staff) -> None:
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[obj], action_flag=CHANGE, change_message="", single_object=True
    )


def logged_objects() -> set[tuple[str, str]]:
    return {(entry.content_type.model, entry.object_id) for entry in LogEntry.objects.all()}


def history_about(user) -> set[tuple[str, str]]:
    """The (model, object id) pairs of the admin history about ``user`` and their tasks."""
    tasks = {("task", str(pk)) for pk in Task.objects.filter(user=user).values_list("pk", flat=True)}
    return {("user", user.pk), *tasks}


@pytest.fixture
def erasable(superuser):
    """Two users with tasks and admin history about them and their tasks, and a bystander's."""
    users = [*UserFactory.create_batch(2), UserFactory()]  # the last one is the bystander
    for user in users:
        log_about(user, superuser)
        for task in TaskFactory.create_batch(2, user=user):
            log_about(task, superuser)
    return users


def test_superuser_deletes_a_user_with_their_tasks_and_admin_history(super_client, erasable):
    erased, *kept = erasable
    kept_history = set().union(*(history_about(user) for user in kept))

    response = super_client.post(reverse("admin:accounts_user_delete", args=[erased.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=erased.pk).exists()
    assert not Task.objects.filter(user_id=erased.pk).exists()
    # Not even the admin's own "deleted" entry is left: it names the user (by email).
    assert logged_objects() == kept_history
    assert Task.objects.filter(user__in=kept).count() == 4


def test_superuser_deletes_users_from_the_list_with_their_tasks_and_admin_history(super_client, erasable):
    *erased, bystander = erasable
    kept_history = history_about(bystander)

    response = super_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [user.pk for user in erased], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[user.pk for user in erased]).exists()
    assert not Task.objects.filter(user_id__in=[user.pk for user in erased]).exists()
    assert logged_objects() == kept_history
    assert Task.objects.filter(user=bystander).count() == 2


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
    assert support_client.get(reverse("admin:accounts_user_delete", args=[user.pk])).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    assert support_client.get(password_url).status_code == 403


def test_support_cannot_delete_users_one_by_one_or_from_the_list(support_client, erasable):
    users = erasable[:2]
    before = logged_objects()

    single = support_client.post(reverse("admin:accounts_user_delete", args=[users[0].pk]), {"post": "yes"})
    bulk = support_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [user.pk for user in users], "post": "yes"},
    )

    assert single.status_code == 403
    assert bulk.status_code == 200  # the list again: the delete action is not offered to support
    assert User.objects.filter(pk__in=[user.pk for user in users]).count() == 2
    assert Task.objects.filter(user__in=users).count() == 4
    assert logged_objects() == before


def test_support_group_permissions(support_user):
    assert support_user.is_staff
    assert not support_user.is_superuser
    assert support_user.has_perm("accounts.view_user")
    assert support_user.has_perm("tasks.view_task")
    assert support_user.has_perm("tasks.change_task")
    for denied in ("accounts.change_user", "accounts.add_user", "accounts.delete_user"):
        assert not support_user.has_perm(denied)
    for denied in ("tasks.delete_task", "tasks.add_task", "auth.change_group", "auth.view_group"):
        assert not support_user.has_perm(denied)


def test_superusers_keep_every_right(superuser):
    for perm in ("accounts.change_user", "accounts.delete_user", "tasks.delete_task"):
        assert superuser.has_perm(perm)


def group_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=SUPPORT_GROUP_NAME)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


class _SchemaEditor:
    connection = connection


@pytest.mark.django_db
def test_migration_creates_the_group_and_its_reverse_deletes_it():
    Group.objects.filter(name=SUPPORT_GROUP_NAME).delete()

    support_migration.create_support_group(apps, _SchemaEditor())
    assert group_permissions() == set(SUPPORT_GROUP_PERMISSIONS)
    support_migration.create_support_group(apps, _SchemaEditor())  # again: nothing changes
    assert group_permissions() == set(SUPPORT_GROUP_PERMISSIONS)
    assert Group.objects.filter(name=SUPPORT_GROUP_NAME).count() == 1

    support_migration.delete_support_group(apps, _SchemaEditor())
    assert not Group.objects.filter(name=SUPPORT_GROUP_NAME).exists()


@pytest.mark.django_db
def test_migration_creates_missing_permissions_first():
    """On a fresh database permissions are made after migrate; the migration makes its own."""
    Permission.objects.filter(content_type__app_label__in=["accounts", "tasks"]).delete()

    support_migration.create_support_group(apps, _SchemaEditor())

    assert group_permissions() == set(SUPPORT_GROUP_PERMISSIONS)


@pytest.mark.django_db
def test_ensure_keeps_rights_an_administrator_added():
    group = support_group_ensure()
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    group.permissions.add(extra)

    support_group_ensure()

    assert group_permissions() == {*SUPPORT_GROUP_PERMISSIONS, ("auth", "view_group")}


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
