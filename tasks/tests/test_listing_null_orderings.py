"""Orderings on due_at, remind_at and priority: NULLs last both ways, and pages that never
repeat or skip a task, across the NULL boundary, while tasks are added and removed."""

from datetime import timedelta

import pytest

from tasks.models import Priority, Task
from tasks.tests.helpers import ORDERINGS, T0, expected_ids, ids, make_task, tasks_url, walk

pytestmark = pytest.mark.django_db

NEW_ORDERINGS = ["due_at", "-due_at", "priority", "-priority", "remind_at", "-remind_at"]


@pytest.mark.parametrize("ordering", NEW_ORDERINGS)
def test_each_new_ordering(user, user_client, planned, family, ordering):
    assert ids(user_client.get(tasks_url(family, user), {"ordering": ordering})) == expected_ids(
        user, ordering
    )


@pytest.mark.parametrize("ordering", ["due_at", "-due_at"])
def test_tasks_without_a_due_date_come_last_either_way(user, user_client, planned, ordering):
    listed = [
        task["title"] for task in user_client.get(tasks_url("token", user), {"ordering": ordering}).json()
    ]

    # read and call mom have no due date; "plan" and "groceries" share one (the id decides).
    dated = ["report", "taxes", "groceries", "plan", "gym"]
    assert listed[:5] == (dated if ordering == "due_at" else dated[::-1])
    assert set(listed[5:]) == {"read", "call mom"}


def test_minus_priority_is_high_first(user, user_client, planned):
    listed = user_client.get(tasks_url("token", user), {"ordering": "-priority"}).json()

    priorities = [task_priority(task["id"]) for task in listed]
    assert priorities == sorted(priorities, reverse=True)
    assert priorities[0] == Priority.HIGH and priorities[-1] == Priority.LOW


def task_priority(pk: int) -> int:
    return Task.objects.get(pk=pk).priority


@pytest.mark.parametrize("ordering", NEW_ORDERINGS)
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_walking_every_page_shows_every_task_once(user, user_client, planned, family, ordering, limit):
    seen = walk(user_client, f"{tasks_url(family, user)}?limit={limit}&ordering={ordering}")

    assert seen == expected_ids(user, ordering)


# Values a new task takes: before, between, equal to and after the others', and NULL.
DUE_CHOICES = [None, T0 - timedelta(days=5), None, T0 + timedelta(days=1), T0 + timedelta(days=50), None]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_walking_while_tasks_come_and_go_repeats_and_skips_nothing(user, user_client, ordering):
    for index in range(12):  # a third of them without a due date or a reminder
        due = None if index % 3 == 0 else T0 + timedelta(days=index % 4)
        make_task(
            user,
            minutes=index % 5,
            updated_minutes=(index * 7) % 6,
            title=f"task {index % 4}",
            due_at=due,
            remind_at=None if index % 3 == 1 else due,
            priority=index % 3 + 1,
        )
    before = expected_ids(user, ordering)
    # Removed between pages: some already shown, some still ahead, some added meanwhile.
    doomed = [before[1], before[-1], before[len(before) // 2], before[-3]]
    added, removed = [], set()

    def come_and_go(page: int) -> None:
        due = DUE_CHOICES[page % len(DUE_CHOICES)]
        added.append(
            make_task(
                user,
                minutes=page % 6 - 1,
                updated_minutes=page % 7,
                title=f"task {page % 5}",
                due_at=due,
                remind_at=due if page % 2 else None,
                priority=page % 3 + 1,
            ).pk
        )
        victim = doomed[page - 1] if page <= len(doomed) else added[-3] if len(added) > 3 else None
        if victim is not None:
            Task.objects.filter(pk=victim).delete()
            removed.add(victim)

    seen = walk(user_client, f"{tasks_url('token', user)}?limit=2&ordering={ordering}", between=come_and_go)

    assert len(seen) == len(set(seen)), "a task came twice"
    throughout = [pk for pk in before if pk not in removed]
    assert set(throughout) <= set(seen), "a task that was there all along was skipped"
    assert set(seen) <= set(before) | set(added)
    # The tasks that were there all along keep their order.
    assert [pk for pk in seen if pk in throughout] == throughout
