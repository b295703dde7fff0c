"""GET …/tasks/changes: what changed and what was deleted since an opaque token."""

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from tasks.models import Task, TaskTombstone
from tasks.services import task_bulk_set_completion, task_purge_completed
from tasks.tag_services import tag_delete, tag_rename
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import TASK_KEYS, tasks_url
from testing.helpers import run_command

pytestmark = pytest.mark.django_db


def changes(client, family, user, **query):
    response = client.get(tasks_url(family, user, suffix="changes"), query)
    assert response.status_code == 200, response.content
    return response.json()


def test_without_since_every_task_comes_and_nothing_is_deleted(user, other_user, user_client, family):
    mine = {TaskFactory(user=user).pk for _ in range(3)}
    TaskFactory(user=other_user)

    body = changes(user_client, family, user)

    assert set(body) == {"changed", "deleted", "next", "has_more"}
    assert {task["id"] for task in body["changed"]} == mine
    assert all(set(task) == TASK_KEYS for task in body["changed"])
    assert body["deleted"] == []
    assert body["has_more"] is False


def test_since_brings_what_was_created_changed_and_deleted_after_it(user, user_client, family):
    kept, changed, deleted = TaskFactory(user=user), TaskFactory(user=user), TaskFactory(user=user)
    token = changes(user_client, family, user)["next"]
    assert changes(user_client, family, user, since=token)["changed"] == []

    user_client.patch(tasks_url(family, user, changed.pk), {"title": "new"}, format="json")
    user_client.delete(tasks_url(family, user, deleted.pk))
    created = user_client.post(tasks_url(family, user), {"title": "made"}, format="json").json()
    body = changes(user_client, family, user, since=token)

    assert [task["id"] for task in body["changed"]] == [changed.pk, created["id"]]
    assert body["changed"][0]["title"] == "new"
    assert body["deleted"] == [deleted.pk]
    assert kept.pk not in {task["id"] for task in body["changed"]}
    again = changes(user_client, family, user, since=body["next"])
    assert again == {**again, "changed": [], "deleted": [], "has_more": False}
    # The same place to go on from; the token's signing time (whole seconds) may have moved.
    assert again["next"].split(":")[0] == body["next"].split(":")[0]


def test_pages_of_limit_follow_next_and_miss_nothing(user, user_client):
    tasks = [TaskFactory(user=user) for _ in range(5)]
    # One bulk change numbers three tasks alike: a page may end among them.
    task_bulk_set_completion(queryset=Task.objects.filter(pk__in=[t.pk for t in tasks[:3]]), completed=True)
    seen, token, pages = [], None, 0
    while True:
        body = changes(user_client, "token", user, limit=2, **({"since": token} if token else {}))
        seen += [task["id"] for task in body["changed"]]
        token, pages = body["next"], pages + 1
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted(task.pk for task in tasks)
    assert len(seen) == 5
    assert pages == 3


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5"])
def test_limit_out_of_range_is_422(user, user_client, limit):
    response = user_client.get(tasks_url("token", user, suffix="changes"), {"limit": limit})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def test_limit_500_is_taken(user, user_client):
    assert changes(user_client, "token", user, limit=500)["has_more"] is False


def forged(token: str) -> str:
    value, _, signature = token.rpartition(":")
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    "make",
    [
        lambda token, other: "",
        lambda token, other: "not-a-token",
        lambda token, other: forged(token),
        lambda token, other: signing.dumps([1, 99, 0, 0], salt="another.salt"),
        lambda token, other: other,
    ],
    ids=["empty", "garbage", "forged", "other-salt", "another-users"],
)
def test_a_token_not_ours_for_this_user_is_410(user, other_user, client_for, make):
    TaskFactory(user=user)
    token = changes(client_for(user), "token", user)["next"]
    theirs = changes(client_for(other_user), "token", other_user)["next"]

    response = client_for(user).get(
        tasks_url("token", user, suffix="changes"), {"since": make(token, theirs)}
    )

    assert response.status_code == 410, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "sync_token_expired"


def test_a_token_older_than_the_retention_is_410(settings, user, user_client):
    token = changes(user_client, "token", user)["next"]
    settings.SYNC_RETENTION_DAYS = 0  # every token is older than zero days
    response = user_client.get(tasks_url("token", user, suffix="changes"), {"since": token})
    assert response.status_code == 410


def test_changes_is_not_taken_for_a_task_id(user, user_client):
    response = user_client.get("/api/tasks/changes/")
    assert response.status_code == 200
    assert "changed" in response.json()
    assert user_client.delete("/api/tasks/changes").status_code == 405


# --- Tombstones from every kind of deletion -----------------------------------------------------


def deleted_since(client, user, token) -> list[int]:
    return changes(client, "token", user, since=token)["deleted"]


def test_the_admins_deletions_leave_tombstones(super_client, user, user_client):
    one, two, three = (TaskFactory(user=user) for _ in range(3))
    token = changes(user_client, "token", user)["next"]

    super_client.post(f"/admin/tasks/task/{one.pk}/delete/", {"post": "yes"})
    super_client.post(
        "/admin/tasks/task/",
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )

    assert not Task.objects.exists()
    assert sorted(deleted_since(user_client, user, token)) == [one.pk, two.pk, three.pk]


def test_purged_tasks_leave_tombstones(user, user_client):
    done = TaskFactory(user=user, completed=True)
    Task.objects.filter(pk=done.pk).update(completed_at=timezone.now() - timedelta(days=40))
    token = changes(user_client, "token", user)["next"]

    assert task_purge_completed(older_than=timedelta(days=30)) == 1

    assert deleted_since(user_client, user, token) == [done.pk]


def test_purge_tombstones_keeps_the_retention(user, settings):
    settings.SYNC_RETENTION_DAYS = 30
    for days in (31, 40, 29):
        stone = TaskTombstone.objects.create(user=user, task_id=days, version=days)
        TaskTombstone.objects.filter(pk=stone.pk).update(deleted_at=timezone.now() - timedelta(days=days))

    assert "Dry run: 2 tombstones older than 30 days" in run_command("purge_tombstones", "--dry-run")
    assert TaskTombstone.objects.count() == 3
    assert "Deleted 2 tombstones older than 30 days." in run_command("purge_tombstones")
    assert list(TaskTombstone.objects.values_list("task_id", flat=True)) == [29]


def test_deleting_a_linked_task_brings_the_tasks_it_was_linked_to(user, user_client, family):
    due = timezone.now() + timedelta(days=1)
    first = TaskFactory(user=user, due_at=due, recurrence="FREQ=DAILY", series_start=due)
    user_client.patch(tasks_url(family, user, first.pk), {"completed": True}, format="json")
    second = Task.objects.get(previous_occurrence=first)
    user_client.patch(tasks_url(family, user, second.pk), {"completed": True}, format="json")
    third = Task.objects.get(previous_occurrence=second)
    token = changes(user_client, family, user)["next"]

    assert user_client.delete(tasks_url(family, user, second.pk)).status_code == 204
    body = changes(user_client, family, user, since=token)

    # Both neighbours' answers changed: the first lost its next occurrence, the third its previous.
    assert body["deleted"] == [second.pk]
    changed = {task["id"]: task for task in body["changed"]}
    assert set(changed) == {first.pk, third.pk}
    assert changed[first.pk]["next_occurrence_id"] is None
    assert changed[third.pk]["previous_occurrence_id"] is None


def test_renaming_or_deleting_a_tag_brings_the_tasks_carrying_it(user, user_client, family):
    tagged = TaskFactory(user=user, tags=["Work", "home"])
    other = TaskFactory(user=user, tags=["home"])
    TaskFactory(user=user)
    before = {task.pk: Task.objects.get(pk=task.pk).version for task in (tagged, other)}
    token = changes(user_client, family, user)["next"]

    tag_rename(user=user, name="work", new_name="Office")
    renamed = changes(user_client, family, user, since=token)
    tag_delete(user=user, name="HOME")
    deleted = changes(user_client, family, user, since=renamed["next"])

    def tags_of(body):
        return [(task["id"], task["tags"]) for task in body["changed"]]

    assert tags_of(renamed) == [(tagged.pk, ["Office", "home"])]
    assert tags_of(deleted) == [(tagged.pk, ["Office"]), (other.pk, [])]
    assert all(Task.objects.get(pk=pk).version > version for pk, version in before.items())
