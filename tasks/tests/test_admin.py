"""The task admin, for support staff: list, search, filters, actions, and its static files."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import STAFF_PASSWORD

CHANGELIST = reverse("admin:tasks_task_changelist")


def change_url(task):
    return reverse("admin:tasks_task_change", args=[task.pk])


def changelist_ids(response) -> list[int]:
    return [task.pk for task in response.context["cl"].result_list]


def count_changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_changelist_shows_owner_email_and_columns(staff_client):
    task = TaskFactory(title="Buy milk", user=UserFactory(email="alice@example.com"))

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    assert changelist_ids(response) == [task.pk]
    html = response.content.decode()
    for text in ("Buy milk", "alice@example.com", "Owner email", "Completed", "Created at", "Updated at"):
        assert text in html


def test_changelist_query_count_does_not_grow_with_rows(staff_client):
    TaskFactory()
    one = count_changelist_queries(staff_client)
    owners = UserFactory.create_batch(10)
    for n in range(49):
        TaskFactory(user=owners[n % 10])

    assert count_changelist_queries(staff_client) == one


def test_owner_without_email_is_shown_by_id(super_client):
    TaskFactory(user=UserFactory(email=None, id="ba_no_email"))

    response = super_client.get(CHANGELIST)

    assert "(no email: ba_no_email)" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alice@example.com", "alice"),
        ("ALICE@example", "alice"),
        ("ba_alice_1", "alice"),
        ("ba_alice", None),  # the id matches exactly, not by prefix
        ("groceries", "bob"),  # description
        ("Renew", "bob"),  # title
    ],
)
def test_search_by_owner_email_id_title_description(staff_client, query, expected):
    alice = TaskFactory(title="Call mum", user=UserFactory(id="ba_alice_1", email="alice@example.com"))
    bob = TaskFactory(title="Renew passport", description="After groceries", user=UserFactory())
    tasks = {"alice": alice, "bob": bob}

    response = staff_client.get(CHANGELIST, {"q": query})

    assert changelist_ids(response) == ([tasks[expected].pk] if expected else [])


def test_filters_by_completed_and_created_date(super_client):
    done = TaskFactory(completed=True)
    open_ = TaskFactory()
    old = TaskFactory()
    Task.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    assert changelist_ids(super_client.get(CHANGELIST, {"completed__exact": "1"})) == [done.pk]
    assert set(changelist_ids(super_client.get(CHANGELIST, {"completed__exact": "0"}))) == {open_.pk, old.pk}
    this_year = timezone.now().year
    response = super_client.get(CHANGELIST, {"created_at__year": str(this_year)})
    assert set(changelist_ids(response)) == {done.pk, open_.pk}
    past_week = super_client.get(
        CHANGELIST, {"created_at__gte": (timezone.now() - timedelta(days=7)).isoformat()}
    )
    assert set(changelist_ids(past_week)) == {done.pk, open_.pk}


def test_user_admin_link_filters_tasks_by_owner(super_client):
    mine = TaskFactory(user=UserFactory(id="ba_owner"))
    TaskFactory()

    response = super_client.get(CHANGELIST, {"user__id__exact": "ba_owner"})

    assert response.status_code == 200
    assert changelist_ids(response) == [mine.pk]


def run_action(client, action, tasks):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [task.pk for task in tasks]}, follow=True
    )


def test_mark_completed_action_sets_completed_at_and_updated_at(staff_client):
    task = TaskFactory()
    other = TaskFactory()
    already = TaskFactory(completed=True)
    before = Task.objects.get(pk=task.pk).updated_at
    completed_before = already.completed_at

    response = run_action(staff_client, "mark_completed", [task, already])

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.completed is True
    assert task.completed_at is not None
    assert task.updated_at > before
    already.refresh_from_db()
    assert already.completed_at == completed_before  # untouched: it was completed already
    other.refresh_from_db()
    assert other.completed is False
    assert "1 task marked completed (1 already were)." in response.content.decode()
    (entry,) = LogEntry.objects.all()
    assert (entry.object_id, entry.object_repr, entry.action_flag) == (str(task.pk), task.title, CHANGE)
    assert entry.get_change_message() == "Changed Completed."


def test_mark_not_completed_action_clears_completed_at(staff_client):
    tasks = TaskFactory.create_batch(2, completed=True)

    response = run_action(staff_client, "mark_not_completed", tasks)

    assert "2 tasks marked not completed." in response.content.decode()
    for task in tasks:
        task.refresh_from_db()
        assert task.completed is False
        assert task.completed_at is None


def test_action_is_one_update(super_client):
    tasks = TaskFactory.create_batch(5)

    with CaptureQueriesContext(connection) as queries:
        run_action(super_client, "mark_completed", tasks)

    updates = [q["sql"] for q in queries if q["sql"].upper().startswith("UPDATE") and "task" in q["sql"]]
    assert len(updates) == 1
    assert Task.objects.filter(completed=True, completed_at__isnull=False).count() == 5


def test_action_changes_nothing_when_its_history_cannot_be_written(super_client, monkeypatch):
    task = TaskFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("the history is unavailable")

    monkeypatch.setattr(LogEntry.objects, "log_actions", fail)
    with pytest.raises(RuntimeError):
        run_action(super_client, "mark_completed", [task])

    task.refresh_from_db()
    assert (task.completed, task.completed_at) == (False, None)  # the UPDATE was rolled back


def test_change_form_goes_through_the_service(staff_client):
    task = TaskFactory(title="Old title")

    response = staff_client.post(
        change_url(task), {"title": "New title", "description": "", "completed": "on", "priority": 2}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert (task.title, task.completed) == ("New title", True)
    assert task.completed_at is not None

    staff_client.post(change_url(task), {"title": "New title", "description": "", "priority": 2})
    task.refresh_from_db()
    assert (task.completed, task.completed_at) == (False, None)


def test_change_form_refuses_a_blank_title(super_client):
    task = TaskFactory(title="Keep me")

    response = super_client.post(change_url(task), {"title": "   ", "description": ""})

    assert response.status_code == 200  # the form again, with an error
    task.refresh_from_db()
    assert task.title == "Keep me"


def test_id_owner_and_timestamps_are_read_only(super_client):
    owner = UserFactory()
    task = TaskFactory(user=owner)
    created = task.created_at

    response = super_client.get(change_url(task))
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "title", "description", "completed", "priority", "tag_names", "due_at", "remind_at", "recurrence",
    }  # fmt: skip

    super_client.post(
        change_url(task),
        {"title": "T", "description": "", "user": UserFactory().pk, "created_at": "2000-01-01 00:00"},
    )
    task.refresh_from_db()
    assert task.user_id == owner.pk
    assert task.created_at == created


def test_nobody_adds_tasks_in_the_admin(super_client):
    assert super_client.get(reverse("admin:tasks_task_add")).status_code == 403


def test_support_can_view_and_change_but_not_delete_tasks(support_client):
    task = TaskFactory()

    changelist = support_client.get(CHANGELIST)
    actions = [value for value, _ in changelist.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"mark_completed", "mark_not_completed"} <= set(actions)
    assert support_client.get(change_url(task)).status_code == 200
    assert support_client.get(reverse("admin:tasks_task_delete", args=[task.pk])).status_code == 403
    delete = {"action": "delete_selected", "_selected_action": [task.pk], "post": "yes"}
    support_client.post(CHANGELIST, delete)
    assert Task.objects.filter(pk=task.pk).exists()


def test_superuser_can_delete_tasks(super_client):
    task = TaskFactory()

    super_client.post(reverse("admin:tasks_task_delete", args=[task.pk]), {"post": "yes"})

    assert not Task.objects.filter(pk=task.pk).exists()


def test_staff_without_the_group_sees_nothing(db):
    from accounts.models import User

    staff = User.objects.create_user("plain-staff@example.com", STAFF_PASSWORD, is_staff=True)
    client = Client()
    client.force_login(staff)

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.django_db
def test_admin_static_files_served_by_whitenoise_with_debug_off(tmp_path):
    """DEBUG off, collected and hashed static files: the admin's CSS comes from WhiteNoise."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Autorefresh off, as in production: WhiteNoise indexes STATIC_ROOT when it starts.
    with override_settings(
        DEBUG=False, STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_AUTOREFRESH=False
    ):
        call_command("collectstatic", "--noinput", verbosity=0)
        client = Client()  # a new handler, so WhiteNoise indexes the new STATIC_ROOT
        login_page = client.get(reverse("admin:login")).content.decode()
        match = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login_page)
        assert match, "the admin links its CSS under a hashed name"

        response = client.get(match.group(1))

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/css")
        assert "immutable" in response["Cache-Control"]
        assert b"".join(response.streaming_content)
