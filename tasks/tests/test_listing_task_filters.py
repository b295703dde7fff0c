"""The list's filters on priority, tags, due dates, reminders and recurrence, and search in tags."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.models import Tag, TaskTag
from tasks.tests.factories import TaskFactory
from tasks.tests.helpers import ids, put_tags, tasks_url

pytestmark = pytest.mark.django_db


def titles(response) -> set[str]:
    """The titles of a 200 list answer, checked against its ids and X-Total-Count."""
    page = ids(response)
    assert len(page) == len(set(page)), "a task is listed twice"
    assert response["X-Total-Count"] == str(len(page))
    return {task["title"] for task in response.json()}


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


ALL = {"report", "groceries", "gym", "taxes", "read", "call mom", "plan"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"priority": "high"}, {"report", "taxes", "plan"}),
        ({"priority": "low"}, {"gym", "read"}),
        ({"priority": "high,low"}, {"report", "taxes", "plan", "gym", "read"}),
        ({"priority": "medium, high"}, {"groceries", "call mom", "report", "taxes", "plan"}),
        ({"priority": "low,medium,high"}, ALL),
        ({"tag": "work"}, {"report", "taxes"}),
        ({"tag": "WORK"}, {"report", "taxes"}),
        ({"tag": " Work "}, {"report", "taxes"}),
        ({"tag": ["work", "URGENT"]}, {"report"}),
        ({"tag": ["work", "work"]}, {"report", "taxes"}),
        ({"tag": ["work", "home"]}, set()),
        ({"tag": "family"}, {"call mom"}),
        ({"tag": "wor"}, set()),
        ({"tag": "nothing"}, set()),
        ({"overdue": "true"}, {"report"}),
        ({"overdue": "false"}, ALL - {"report"}),
        ({"has_due": "true"}, {"report", "groceries", "gym", "taxes", "plan"}),
        ({"has_due": "false"}, {"read", "call mom"}),
        ({"recurring": "true"}, {"gym"}),
        ({"recurring": "false"}, ALL - {"gym"}),
        ({"search": "work"}, {"report", "taxes", "read"}),
        ({"search": "SHOP"}, {"groceries"}),
        ({"search": "urgent"}, {"report"}),
        ({"search": "FAMILY"}, {"call mom"}),
        ({"search": "secret"}, set()),
        ({"tag": "work", "priority": "high", "overdue": "false"}, {"taxes"}),
        ({"search": "o", "has_due": "false", "priority": "medium"}, {"call mom"}),
    ],
    ids=lambda value: repr(value)[:50],
)
def test_each_filter(user, user_client, planned, family, query, expected):
    assert titles(user_client.get(tasks_url(family, user), query)) == expected


def test_due_bounds_make_a_half_open_range(user, user_client, planned, family):
    tomorrow = planned["groceries"].due_at
    url = tasks_url(family, user)

    assert titles(user_client.get(url, {"due_before": iso(timezone.now())})) == {"report", "taxes"}
    assert titles(user_client.get(url, {"due_after": iso(timezone.now())})) == {"groceries", "gym", "plan"}
    # At or after ``due_after``, strictly before ``due_before``: adjacent ranges never overlap.
    assert titles(user_client.get(url, {"due_after": iso(tomorrow)})) == {"groceries", "gym", "plan"}
    assert titles(user_client.get(url, {"due_before": iso(tomorrow)})) == {"report", "taxes"}
    both = {"due_after": iso(timezone.now()), "due_before": iso(tomorrow + timedelta(seconds=1))}
    assert titles(user_client.get(url, both)) == {"groceries", "plan"}


def test_due_bounds_honour_the_offset(user, user_client, planned):
    # 01:00 at +02:00 is 23:00 UTC the day before.
    tomorrow = planned["groceries"].due_at
    shifted = (tomorrow + timedelta(seconds=1)).astimezone(timezone.get_fixed_timezone(120)).isoformat()

    response = user_client.get(tasks_url("token", user), {"due_before": shifted, "due_after": iso(tomorrow)})

    assert titles(response) == {"groceries", "plan"}


def test_remind_before_lists_open_tasks_reminded_at_or_before(user, user_client, planned, family):
    url = tasks_url(family, user)
    now = timezone.now()

    # "taxes" is reminded in the past too, but it is completed.
    assert titles(user_client.get(url, {"remind_before": iso(now)})) == {"report"}
    assert titles(user_client.get(url, {"remind_before": iso(now + timedelta(hours=7))})) == {
        "report",
        "call mom",
    }
    exact = planned["groceries"].remind_at
    assert "groceries" in titles(user_client.get(url, {"remind_before": iso(exact)}))
    assert "groceries" not in titles(
        user_client.get(url, {"remind_before": iso(exact - timedelta(microseconds=1))})
    )


def test_overdue_follows_the_clock_and_completion(user, user_client, planned):
    planned["report"].completed = True
    planned["report"].completed_at = timezone.now()
    planned["report"].save()

    assert titles(user_client.get(tasks_url("token", user), {"overdue": "true"})) == set()


def test_a_tag_filter_matches_the_users_own_tag_only(user, other_user, user_client, planned, client_for):
    mine = titles(user_client.get(tasks_url("token", user), {"tag": "work"}))
    theirs = titles(client_for(other_user).get(tasks_url("token", other_user), {"tag": "work"}))

    assert mine == {"report", "taxes"}
    assert theirs == {"secret work"}


def test_search_in_tags_lists_each_task_once_however_many_tags_match(user, user_client, planned):
    put_tags(planned["gym"], "workout", "work-life", "networking", "Homework")

    response = user_client.get(tasks_url("token", user), {"search": "WORK", "limit": 2})

    assert response["X-Total-Count"] == "4"
    assert len(ids(response)) == 2


def test_unused_tags_match_nothing(user, user_client, planned):
    Tag.objects.create(user=user, name="idle", key="idle")
    TaskTag.objects.filter(tag__key="health").delete()

    assert titles(user_client.get(tasks_url("token", user), {"tag": "idle"})) == set()
    assert titles(user_client.get(tasks_url("token", user), {"tag": "health"})) == set()


def test_filtered_list_queries_do_not_grow_with_tasks_or_tags(user, user_client, planned):
    query = {
        "priority": "high,medium",
        "tag": ["work", "urgent"],
        "search": "o",
        "due_before": iso(timezone.now() + timedelta(days=9)),
        "due_after": iso(timezone.now() - timedelta(days=9)),
        "remind_before": iso(timezone.now() + timedelta(days=9)),
        "overdue": "true",
        "has_due": "true",
        "recurring": "false",
        "ordering": "-due_at",
    }
    user_client.get(tasks_url("token", user))  # the user is seen: no write while counting

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = user_client.get(tasks_url("token", user), query)
        return len(context.captured_queries), len(ids(response))

    few = count()
    for task in TaskFactory.create_batch(30, user=user, title="more work", priority=3):
        put_tags(task, "work", "urgent", "extra", "more")
    for task in TaskFactory.create_batch(10, user=user, title="open work", priority=3):
        task.due_at, task.remind_at = timezone.now() - timedelta(days=1), timezone.now()
        task.save()
        put_tags(task, "Work", "URGENT")
    many = count()

    # The page with its tags (its query checks the account; not full, so no COUNT(*)).
    assert few == (1, 1)
    assert many == (1, 11)
