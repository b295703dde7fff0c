"""Completing a recurring task creates its next occurrence: by every path, once, ever."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tasks.models import Priority, Task
from tasks.services import task_bulk_set_completion, task_create, task_toggle_completion, task_update
from tasks.tags import tag_names_by_task
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import assert_task_shape, tasks_url

pytestmark = pytest.mark.django_db


def future(days: int = 0, hours: int = 0) -> datetime:
    """A whole minute in the future, so rule dates compare exactly."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now + timedelta(days=days, hours=hours)


def recurring(user, rule: str = "FREQ=DAILY", due: datetime | None = None, **fields) -> Task:
    """A recurring task made as the API makes one (its series starting at its due date)."""
    return task_create(
        user=user, title="Water plants", due_at=due or future(days=1), recurrence=rule, **fields
    )


def next_of(task: Task) -> Task | None:
    return Task.objects.filter(previous_occurrence=task).first()


def test_completing_creates_the_next_occurrence_with_the_same_fields(user, user_client, family):
    due = future(days=1)
    task = recurring(
        user, "FREQ=WEEKLY", due, description="Balcony", priority=Priority.HIGH,
        remind_at=due - timedelta(minutes=30), tags=["Home", "garden"],
    )  # fmt: skip

    response = user_client.patch(tasks_url(family, user, task.pk), {"completed": True}, format="json")

    assert response.status_code == 200
    occurrence = next_of(task)
    assert response.json()["next_occurrence_id"] == occurrence.pk
    assert_task_shape(response.json(), task)
    assert (occurrence.title, occurrence.description, occurrence.priority) == ("Water plants", "Balcony", 3)
    assert tag_names_by_task([occurrence.pk])[occurrence.pk] == ["Home", "garden"]
    assert occurrence.recurrence == "FREQ=WEEKLY"
    assert occurrence.due_at == due + timedelta(weeks=1)
    assert occurrence.remind_at == occurrence.due_at - timedelta(minutes=30)  # the offset kept
    assert (occurrence.completed, occurrence.completed_at, occurrence.series_start) == (False, None, due)
    shown = user_client.get(tasks_url(family, user, occurrence.pk)).json()
    assert shown["previous_occurrence_id"] == task.pk and shown["next_occurrence_id"] is None
    assert_task_shape(shown, occurrence)


def test_a_series_that_fell_behind_comes_back_once_in_the_future(user):
    # Due ten days ago, daily: the next occurrence is the first daily date still to come.
    due = future(hours=2) - timedelta(days=10)
    task = recurring(user, "FREQ=DAILY", due)

    task_update(task=task, completed=True)

    assert next_of(task).due_at == due + timedelta(days=10)
    assert Task.objects.count() == 2


def test_count_applies_to_the_whole_series(user):
    task = recurring(user, "FREQ=DAILY;COUNT=3", future(days=1))
    dues = [task.due_at]
    for _ in range(3):
        task_update(task=task, completed=True)
        task = next_of(task)
        if task is None:
            break
        dues.append(task.due_at)

    # Three tasks in all, a day apart; completing the third creates nothing.
    assert [due - dues[0] for due in dues] == [timedelta(0), timedelta(days=1), timedelta(days=2)]
    assert Task.objects.count() == 3


def test_until_ends_the_series(user):
    due = future(days=1)
    until = (due + timedelta(days=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    task = recurring(user, f"FREQ=DAILY;UNTIL={until}", due)

    task_update(task=task, completed=True)
    second = next_of(task)
    task_update(task=second, completed=True)

    assert second.due_at == due + timedelta(days=1)
    assert next_of(second) is None
    assert Task.objects.count() == 2


def test_reopening_and_completing_again_creates_no_second_occurrence(user, user_client):
    task = recurring(user)
    url = tasks_url("token", user, task.pk)
    first = user_client.patch(url, {"completed": True}, format="json").json()["next_occurrence_id"]

    reopened = user_client.patch(url, {"completed": False}, format="json").json()
    again = user_client.patch(url, {"completed": True}, format="json").json()

    assert reopened["next_occurrence_id"] == first == again["next_occurrence_id"]
    assert Task.objects.count() == 2


def test_deleting_the_next_occurrence_does_not_let_the_task_spawn_again(user, user_client):
    task = recurring(user)
    url = tasks_url("token", user, task.pk)
    occurrence = user_client.patch(url, {"completed": True}, format="json").json()["next_occurrence_id"]
    assert user_client.delete(tasks_url("token", user, occurrence)).status_code == 204

    user_client.patch(url, {"completed": False}, format="json")
    response = user_client.patch(url, {"completed": True}, format="json")

    assert response.json()["next_occurrence_id"] is None
    assert list(Task.objects.values_list("pk", flat=True)) == [task.pk]


def test_deleting_the_completed_task_keeps_its_occurrence_unlinked(user, user_client):
    task = recurring(user)
    task_update(task=task, completed=True)
    occurrence = next_of(task)

    assert user_client.delete(tasks_url("token", user, task.pk)).status_code == 204

    shown = user_client.get(tasks_url("token", user, occurrence.pk)).json()
    assert shown["previous_occurrence_id"] is None


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"completed": True}),
        ("put", "", {"title": "Water plants", "completed": True}),
        ("patch", "complete", None),
        ("patch", "complete", {"completed": True}),
    ],
    ids=["patch", "put", "toggle", "set"],
)
def test_every_completing_route_creates_it(user, user_client, family, method, suffix, body):
    task = recurring(user)

    response = getattr(user_client, method)(
        tasks_url(family, user, task.pk, suffix=suffix), body, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["completed"] is True
    assert response.json()["next_occurrence_id"] == next_of(task).pk
    assert Task.objects.count() == 2


def test_the_toggle_service_creates_it_and_toggling_back_creates_nothing(user):
    task = recurring(user)
    task = task_toggle_completion(task=task)
    assert task.next_occurrence_id == next_of(task).pk
    task_toggle_completion(task=task)
    task_toggle_completion(task=task)
    assert Task.objects.count() == 2


def test_bulk_completion_creates_one_occurrence_per_recurring_task(user, other_user):
    due = future(days=1)
    daily, weekly = recurring(user, "FREQ=DAILY", due, tags=["a"]), recurring(user, "FREQ=WEEKLY", due)
    plain, theirs = TaskFactory(user=user), recurring(other_user)

    assert task_bulk_set_completion(queryset=Task.objects.filter(user=user), completed=True) == 3

    assert next_of(daily).due_at == due + timedelta(days=1)
    assert tag_names_by_task([next_of(daily).pk])[next_of(daily).pk] == ["a"]
    assert next_of(weekly).due_at == due + timedelta(weeks=1)
    assert next_of(plain) is None and next_of(theirs) is None
    # Completing them all again (the new ones included) spawns only from the new ones.
    task_bulk_set_completion(queryset=Task.objects.filter(pk__in=[daily.pk, weekly.pk]), completed=False)
    task_bulk_set_completion(queryset=Task.objects.filter(pk__in=[daily.pk, weekly.pk]), completed=True)
    assert Task.objects.filter(user=user).count() == 5


def test_completing_a_plain_task_or_reopening_creates_nothing(user):
    task_update(task=TaskFactory(user=user), completed=True)
    done = recurring(user)
    Task.objects.filter(pk=done.pk).update(completed=True, completed_at=timezone.now())
    done.refresh_from_db()
    task_update(task=done, completed=False)
    assert Task.objects.count() == 2


def test_a_task_created_completed_spawns_nothing(user):
    task_create(user=user, title="t", due_at=future(days=1), recurrence="FREQ=DAILY", completed=True)
    assert Task.objects.count() == 1


def test_moving_the_first_task_restarts_its_series_and_an_occurrence_keeps_it(user):
    first = recurring(user, "FREQ=DAILY;COUNT=2", future(days=1))
    task_update(task=first, due_at=future(days=5))
    assert first.series_start == future(days=5)  # COUNT now counts from the new date

    task_update(task=first, completed=True)
    second = next_of(first)
    assert second.due_at == future(days=6)
    task_update(task=second, due_at=future(days=7))  # postponed: still the series' last
    assert second.series_start == future(days=5)
    task_update(task=second, completed=True)
    assert next_of(second) is None


def test_changing_the_rule_starts_a_new_series(user):
    task = recurring(user, "FREQ=DAILY;COUNT=2", future(days=1))
    task_update(task=task, completed=True)
    second = next_of(task)
    task_update(task=second, recurrence="FREQ=WEEKLY;COUNT=2")
    assert second.series_start == second.due_at
    task_update(task=second, completed=True)
    assert next_of(second).due_at == second.due_at + timedelta(weeks=1)


def test_the_last_task_of_a_series_can_still_be_edited_and_completed(user, user_client):
    task = recurring(user, "FREQ=DAILY;COUNT=2", future(days=1))
    task_update(task=task, completed=True)
    last = next_of(task)
    url = tasks_url("token", user, last.pk)

    assert user_client.patch(url, {"title": "renamed", "due_at": None}, format="json").status_code == 422
    assert (
        user_client.put(url, {"title": "renamed", "recurrence": last.recurrence}, format="json").status_code
        == 200
    )
    assert user_client.patch(url, {"completed": True}, format="json").json()["next_occurrence_id"] is None
    assert Task.objects.count() == 2


def test_a_due_time_with_microseconds_keeps_them(user):
    due = future(days=1) + timedelta(microseconds=123456)
    task = recurring(user, "FREQ=DAILY", due)
    task_update(task=task, completed=True)
    assert next_of(task).due_at == due + timedelta(days=1)
