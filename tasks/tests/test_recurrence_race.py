"""Completions racing on one recurring task create exactly one next occurrence."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import Tag, Task
from tasks.services import task_bulk_set_completion, task_create, task_update
from tasks.tests.factories import UserFactory
from testing.races import run_at_once


def make_recurring() -> Task:
    user = UserFactory()
    return task_create(
        user=user,
        title="Stand-up",
        due_at=timezone.now() + timedelta(days=1),
        recurrence="FREQ=DAILY",
        tags=["work"],
    )


def occurrences_of(task: Task) -> list[tuple]:
    return list(Task.objects.filter(previous_occurrence_id=task.pk).values_list("pk", "completed"))


@pytest.mark.parametrize("count", [2, 8])
def test_concurrent_completions_create_exactly_one_next_occurrence(race_database, count):
    [task] = run_at_once(race_database, 1, make_recurring)
    assert isinstance(task, Task), task

    # Each thread has its own copy read before the race: all of them see an open task.
    results = run_at_once(race_database, count, lambda: task_update(task=copy.copy(task), completed=True))

    assert all(isinstance(result, Task) for result in results), results
    [rows] = run_at_once(race_database, 1, lambda: (occurrences_of(task), Task.objects.count()))
    spawned, total = rows
    assert len(spawned) == 1 and spawned[0][1] is False
    assert total == 2
    # Every completion answers the task as it is once it holds the lock: the one occurrence.
    assert [result.next_occurrence_id for result in results] == [spawned[0][0]] * count


def test_the_bulk_action_racing_single_completions_creates_one(race_database):
    [task] = run_at_once(race_database, 1, make_recurring)

    def complete(index: int):
        if index % 2:
            return task_bulk_set_completion(queryset=Task.objects.filter(pk=task.pk), completed=True)
        return task_update(task=copy.copy(task), completed=True)

    counter = iter(range(6))
    results = run_at_once(race_database, 6, lambda: complete(next(counter)))

    assert not [result for result in results if isinstance(result, Exception)], results
    [spawned] = run_at_once(race_database, 1, lambda: occurrences_of(task))
    assert len(spawned) == 1


def test_concurrent_writes_of_one_new_tag_share_one_tag(race_database):
    [user] = run_at_once(race_database, 1, UserFactory)

    results = run_at_once(
        race_database, 6, lambda: task_create(user=user, title="t", tags=["Brand new", "x"])
    )

    assert all(isinstance(result, Task) for result in results), results
    [tags] = run_at_once(
        race_database, 1, lambda: list(Tag.objects.filter(user=user).values_list("key", flat=True))
    )
    assert sorted(tags) == ["brand new", "x"]
