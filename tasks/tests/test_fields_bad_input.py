"""Bad values of the new fields: a 422 on the failing field, and nothing stored."""

import pytest

from tasks.models import Tag, Task, TaskTag
from tasks.tests.helpers import assert_unchanged, assert_validation_error

pytestmark = pytest.mark.django_db

DUE = "2030-01-07T09:00:00Z"


def assert_nothing_stored(task) -> None:
    assert_unchanged(task)  # the fixture's task as it was, and no task added
    assert not Tag.objects.exists()
    assert not TaskTag.objects.exists()
    task.refresh_from_db()
    assert (task.priority, task.due_at, task.remind_at, task.recurrence) == (2, None, None, None)


@pytest.mark.parametrize(
    "priority", ["urgent", "HIGH", "High", "", 3, None, True, ["high"]], ids=repr
)  # fmt: skip
def test_an_unknown_priority_is_refused(write, task, priority):
    body = assert_validation_error(write({"title": "t", "priority": priority}), "priority")
    assert "low, medium, high" in body["detail"] or "null" in body["detail"]
    assert_nothing_stored(task)


@pytest.mark.parametrize(
    "tags",
    ["work", {"work": True}, 7, None, ["work", 7], ["work", None], [["nested"]], [{"name": "x"}], [True]],
    ids=repr,
)
def test_tags_that_are_not_a_list_of_strings_are_refused(write, task, tags):
    assert_validation_error(write({"title": "t", "tags": tags}), "tags")
    assert_nothing_stored(task)


def test_twenty_one_tags_are_refused(write, task):
    body = assert_validation_error(write({"title": "t", "tags": [f"tag{n}" for n in range(21)]}), "tags")
    assert "at most 20" in body["detail"]
    assert_nothing_stored(task)


def test_twenty_one_spellings_of_twenty_tags_are_twenty(write, task, user):
    # De-duplication comes first: "TAG0" and "tag0" are one tag.
    response = write({"title": "t", "tags": [f"tag{n}" for n in range(20)] + ["TAG0"]})
    assert response.status_code in (200, 201), response.content
    assert len(response.json()["tags"]) == 20


@pytest.mark.parametrize(
    ("tags", "words"),
    [
        (["x" * 51], "at most 50"),
        ([" " + "x" * 51 + " "], "at most 50"),
        (["ok", ""], "blank"),
        (["   "], "blank"),
        (["a\x00b"], "control"),
        (["line\nbreak"], "control"),
        (["tab\there"], "control"),
        (["del\x7f"], "control"),
        (["c1\x85inside"], "control"),
        (["escape\x1b[31m"], "control"),
    ],
    ids=["51-chars", "51-after-trim", "empty", "blank", "nul", "newline", "tab", "del", "c1", "esc"],
)
def test_a_bad_tag_is_refused(write, task, tags, words):
    body = assert_validation_error(write({"title": "t", "tags": tags}), "tags")
    assert words in body["detail"]
    assert_nothing_stored(task)


@pytest.mark.parametrize("name", ["due_at", "remind_at"])
@pytest.mark.parametrize(
    "value",
    [
        "2030-01-07T09:00:00",  # no offset
        "2030-01-07T09:00",
        "2030-01-07",
        "2030-01-07 09:00:00Z",  # not the ISO separator
        "20300107T090000Z",  # basic format
        "2030-W02-1T09:00Z",
        "tomorrow",
        "2030-02-30T09:00:00Z",  # no such day
        "2030-01-07T25:00:00Z",
        "2030-01-07T09:00:00+25:00",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "",
        1735689600,
        True,
        ["2030-01-07T09:00:00Z"],
    ],
    ids=repr,
)
def test_a_date_time_without_an_offset_or_not_iso_8601_is_refused(write, task, name, value):
    body = assert_validation_error(write({"title": "t", name: value}), name)
    assert "ISO 8601" in body["detail"] or "does not exist" in body["detail"]
    assert_nothing_stored(task)


@pytest.mark.parametrize(
    "rule",
    [
        "sometimes",
        "FREQ=FORTNIGHTLY",
        "FREQ=HOURLY",
        "FREQ=MINUTELY",
        "INTERVAL=2",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=abc",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;BYHOUR=25",
        "FREQ=DAILY;FOO=1",
        "FREQ=DAILY;;",
        "FREQ=DAILY;UNTIL=20300101",
        "FREQ=DAILY;UNTIL=soon",
        "DTSTART:20300101T000000Z\nRRULE:FREQ=DAILY",
        "FREQ=DAILY;DTSTART=20300101T000000Z",
        "RRULE:FREQ=DAILY\nEXDATE:20300102T000000Z",
        "FREQ=DAILY;" + "BYMONTH=1;" * 100,
        "",
        7,
        ["FREQ=DAILY"],
    ],
    ids=repr,
)
def test_an_rrule_that_does_not_parse_is_refused(write, task, rule):
    assert_validation_error(write({"title": "t", "due_at": DUE, "recurrence": rule}), "recurrence")
    assert_nothing_stored(task)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=1",  # the due date itself is the only one
        "FREQ=DAILY;UNTIL=20300107T090000Z",  # ends on the due date
        "FREQ=WEEKLY;UNTIL=20200101T000000Z",  # ended before it
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",  # no 30 February, ever
        "FREQ=DAILY;INTERVAL=99999999",  # past year 9999
    ],
)
def test_an_rrule_that_never_recurs_after_due_at_is_refused(write, task, rule):
    body = assert_validation_error(write({"title": "t", "due_at": DUE, "recurrence": rule}), "recurrence")
    assert "never yields a date after due_at" in body["detail"]
    assert_nothing_stored(task)


@pytest.mark.parametrize("due_at", [None, "absent"])
def test_recurrence_without_due_at_is_refused(write, task, due_at):
    body = {"title": "t", "recurrence": "weekly"}
    if due_at is None:
        body["due_at"] = None
    response = assert_validation_error(write(body), "recurrence")
    assert "needs a due_at" in response["detail"]
    assert_nothing_stored(task)


def test_removing_the_due_date_of_a_recurring_task_is_refused(user, user_client):
    from tasks.tests.factories import TaskFactory

    task = TaskFactory(user=user, due_at="2030-01-07T09:00:00Z", recurrence="FREQ=DAILY")
    response = user_client.patch(f"/api/tasks/{task.pk}", {"due_at": None}, format="json")

    assert_validation_error(response, "recurrence")
    task.refresh_from_db()
    assert task.due_at is not None and task.recurrence == "FREQ=DAILY"
    assert Task.objects.count() == 1
