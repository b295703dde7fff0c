"""The user admin with each user's tasks: counts, the newest tasks inline, erasure, Support's rights."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def change_url(user):
    # Quoted as the admin quotes ids: unquoted, "ba_user_2309" would name "ba_user#09".
    return reverse("admin:accounts_user_change", args=[quote(user.pk)])


def rows(response) -> dict:
    return {user.pk: user for user in response.context["cl"].result_list}


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
    from userdata.admin import INLINE_TASKS

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

    response = super_client.post(
        reverse("admin:accounts_user_delete", args=[quote(erased.pk)]), {"post": "yes"}
    )

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


def test_support_cannot_delete_users_one_by_one_or_from_the_list(support_client, erasable):
    users = erasable[:2]
    before = logged_objects()

    single = support_client.post(
        reverse("admin:accounts_user_delete", args=[quote(users[0].pk)]), {"post": "yes"}
    )
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
