"""The new fields in the task admin: edited with the API's rules, filtered, searched, listed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Priority, Tag, Task
from tasks.tags import tag_names_by_task
from tasks.tests.factories import TaskFactory
from tasks.tests.test_admin import CHANGELIST, change_url, changelist_ids, run_action

pytestmark = pytest.mark.django_db

DUE = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def form_data(task: Task, **changes) -> dict:
    """What the change form posts for ``task`` as it is, with ``changes`` on top."""
    data = {
        "title": task.title,
        "description": task.description or "",
        "priority": task.priority,
        "tag_names": "\n".join(tag_names_by_task([task.pk]).get(task.pk, [])),
        "due_at_0": task.due_at.strftime("%Y-%m-%d") if task.due_at else "",
        "due_at_1": task.due_at.strftime("%H:%M:%S") if task.due_at else "",
        "remind_at_0": "",
        "remind_at_1": "",
        "recurrence": task.recurrence or "",
    }
    if task.completed:
        data["completed"] = "on"
    data.update(changes)
    return data


def test_the_change_form_edits_every_new_field_through_the_service(staff_client):
    task = TaskFactory(tags=["old"])
    data = form_data(
        task, priority=Priority.HIGH, tag_names="Work\n  home \nwork\n", due_at_0="2030-01-07",
        due_at_1="09:00:00", remind_at_0="2030-01-07", remind_at_1="08:30:00", recurrence="weekly",
    )  # fmt: skip

    response = staff_client.post(change_url(task), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert (task.priority, task.due_at, task.remind_at) == (Priority.HIGH, DUE, DUE - timedelta(minutes=30))
    assert (task.recurrence, task.series_start) == ("FREQ=WEEKLY", DUE)
    assert tag_names_by_task([task.pk])[task.pk] == ["Work", "home"]
    page = staff_client.get(change_url(task)).content.decode()
    assert "Work\nhome</textarea>" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;COUNT=1", "due_at_0": "2030-01-07", "due_at_1": "09:00"}, "recurrence"),
        ({"recurrence": "daily"}, "recurrence"),  # no due date
        ({"tag_names": "x" * 51}, "tag_names"),
        ({"tag_names": "\n".join(f"t{n}" for n in range(21))}, "tag_names"),
        ({"tag_names": "a\x00b"}, "tag_names"),
        ({"priority": 4}, "priority"),
        ({"due_at_0": "tomorrow", "due_at_1": "09:00"}, "due_at"),
    ],
    ids=["unparsable", "never-recurs", "no-due", "long-tag", "21-tags", "nul", "priority", "date"],
)
def test_the_change_form_refuses_what_the_api_refuses(super_client, changes, field):
    task = TaskFactory(title="Kept", tags=["kept"])
    before = Task.objects.values_list().get(pk=task.pk)

    response = super_client.post(change_url(task), form_data(task, **changes))

    assert response.status_code == 200  # the form again
    assert field in response.context["adminform"].form.errors
    assert Task.objects.values_list().get(pk=task.pk) == before
    assert list(Tag.objects.values_list("name", flat=True)) == ["kept"]


def test_completing_a_recurring_task_in_the_change_form_creates_the_next_one(staff_client):
    task = TaskFactory(due_at=timezone.now() + timedelta(days=1), recurrence="FREQ=DAILY", tags=["a"])

    response = staff_client.post(change_url(task), form_data(task, completed="on"))

    assert response.status_code == 302
    task.refresh_from_db()  # the form's time has whole seconds
    occurrence = Task.objects.get(previous_occurrence=task)
    assert occurrence.due_at == task.due_at + timedelta(days=1)
    assert tag_names_by_task([occurrence.pk])[occurrence.pk] == ["a"]


def test_the_mark_completed_action_creates_the_next_occurrences(staff_client):
    due = timezone.now() + timedelta(days=1)
    tasks = [TaskFactory(due_at=due, recurrence="FREQ=WEEKLY") for _ in range(3)] + [TaskFactory()]

    run_action(staff_client, "mark_completed", tasks)

    assert (
        Task.objects.filter(previous_occurrence__in=tasks[:3], due_at=due + timedelta(weeks=1)).count() == 3
    )
    assert Task.objects.count() == 7


def test_the_action_on_a_searched_list_creates_the_next_occurrences(staff_client):
    # A search across a relation makes the admin's queryset DISTINCT, which FOR UPDATE refuses.
    due = timezone.now() + timedelta(days=1)
    owner = UserFactory(email="searched@example.com")
    tasks = [TaskFactory(user=owner, due_at=due, recurrence="FREQ=DAILY", tags=["t"]) for _ in range(2)]

    response = staff_client.post(
        CHANGELIST + "?q=searched@example.com",
        {"action": "mark_completed", "_selected_action": [task.pk for task in tasks]},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 tasks marked completed" in response.content.decode()
    assert Task.objects.filter(previous_occurrence__in=tasks).count() == 2


def test_filters_by_priority_tag_overdue_and_due_date(super_client):
    now = timezone.now()
    high = TaskFactory(priority=Priority.HIGH, tags=["Work"])
    overdue = TaskFactory(due_at=now - timedelta(days=1), tags=["home"])
    done_late = TaskFactory(due_at=now - timedelta(days=1), completed=True)
    today = TaskFactory(due_at=now + timedelta(minutes=1))

    def filtered(query: str) -> set[int]:
        return set(changelist_ids(super_client.get(CHANGELIST + query)))

    assert filtered("?priority__exact=3") == {high.pk}
    assert filtered("?tag=work") == {high.pk}
    assert filtered("?overdue=yes") == {overdue.pk}
    assert filtered("?overdue=no") == {high.pk, done_late.pk, today.pk}
    assert filtered("?due_at__isnull=True") == {high.pk}
    assert "work" in super_client.get(CHANGELIST).content.decode()  # the tag filter's choices


def test_search_finds_a_tag_once(staff_client):
    task = TaskFactory(title="Plain", tags=["Groceries", "groceries-list"])
    TaskFactory(title="Other")

    assert changelist_ids(staff_client.get(CHANGELIST + "?q=grocer")) == [task.pk]


def test_the_changelist_shows_the_new_columns_in_a_constant_number_of_queries(staff_client):
    TaskFactory(tags=["solo"])

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(CHANGELIST)
        return len(queries), response.content.decode()

    one, _ = count()
    owners = UserFactory.create_batch(5)
    for n in range(40):
        TaskFactory(
            user=owners[n % 5], priority=Priority.LOW, due_at=DUE, tags=[f"t{i}" for i in range(n % 20)]
        )
    forty, html = count()

    assert forty == one
    assert "t0, t1, t2" in html and "Low" in html and "Priority" in html
