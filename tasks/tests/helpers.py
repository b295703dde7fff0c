"""Helpers of the task tests: routes, snapshots, the task's JSON shape, list walking, races."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from tasks.filters import ORDERINGS as FILTER_ORDERINGS
from tasks.models import Priority, Tag, Task, TaskTag
from tasks.tags import tag_key, tag_names_by_task
from tasks.tests.factories import TaskFactory

FAMILIES = ("token", "path")


def tasks_url(family: str, user, task_id=None, *, suffix: str = "", slash: bool = False) -> str:
    """``/api/tasks…`` (family "token") or ``/api/{user_id}/tasks…`` (family "path")."""
    url = "/api/tasks" if family == "token" else f"/api/{user.pk}/tasks"
    if task_id is not None:
        url += f"/{task_id}"
    if suffix:
        url += f"/{suffix}"
    return url + "/" if slash else url


def snapshot(user) -> list[tuple]:
    """Every column of every task of ``user``, in a stable order."""
    return list(Task.objects.filter(user=user).order_by("pk").values_list())


# --- One task as JSON -----------------------------------------------------------------------

UTC_ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
TASK_KEYS = {"id", "user_id", "title", "description", "completed", "completed_at", "created_at", "updated_at"}
TASK_KEYS |= {
    "priority",
    "tags",
    "due_at",
    "remind_at",
    "recurrence",
    "previous_occurrence_id",
    "next_occurrence_id",
}


def parse_optional_time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def parse_time(text: str) -> datetime:
    """A time as the API writes it (UTC, ``Z``), parsed."""
    assert UTC_ISO_Z.match(text), text
    return datetime.fromisoformat(text)


def assert_task_shape(body: dict, task: Task) -> None:
    """``body`` is ``task`` as the contract shapes it, exactly its keys and stored values."""
    assert set(body) == TASK_KEYS
    task.refresh_from_db()
    assert body["id"] == task.pk
    assert body["user_id"] == task.user_id
    assert body["title"] == task.title
    assert body["description"] == task.description
    assert body["completed"] is task.completed
    assert parse_time(body["created_at"]) == task.created_at
    assert parse_time(body["updated_at"]) == task.updated_at
    for name in ("completed_at", "due_at", "remind_at"):
        assert parse_optional_time(body[name]) == getattr(task, name), name
    assert body["priority"] == Priority(task.priority).name.lower()
    assert body["tags"] == tag_names_by_task([task.pk]).get(task.pk, [])
    assert body["recurrence"] == task.recurrence
    assert body["previous_occurrence_id"] == task.previous_occurrence_id
    assert body["next_occurrence_id"] == next_occurrence_id(task)


def next_occurrence_id(task: Task) -> int | None:
    return Task.objects.filter(previous_occurrence=task).values_list("pk", flat=True).first()


# --- Bad bodies -----------------------------------------------------------------------------


def assert_unchanged(task) -> None:
    """No write happened: the task is as the fixture made it, and no task was added."""
    before = (task.title, task.description, task.completed, task.updated_at)
    task.refresh_from_db()
    assert (task.title, task.description, task.completed, task.updated_at) == before
    assert Task.objects.count() == 1


def assert_validation_error(response, field: str, message: str | None = None) -> dict:
    """The response is the contract's 422 naming ``field`` (and, if given, its first message)."""
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == "Unprocessable Entity"
    assert body["status"] == 422
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert field in body["errors"]
    assert all(isinstance(item, str) for item in body["errors"][field])
    assert body["detail"] == f"{field}: {body['errors'][field][0]}"
    if message is not None:
        assert body["errors"][field][0] == message
    return body


# --- The list -------------------------------------------------------------------------------

ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"]
ORDERINGS += ["due_at", "-due_at", "priority", "-priority", "remind_at", "-remind_at"]
assert sorted(ORDERINGS) == sorted(FILTER_ORDERINGS)
# RFC 8288: Link = "<" URI-Reference ">" *( ";" link-param ); rel as a quoted string here.
LINK_NEXT = re.compile(r'^<(?P<url>[^<>\s]+)>;\s*rel="next"$')
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def make_task(user, *, minutes: int, updated_minutes: int | None = None, **fields) -> Task:
    """A task created ``minutes`` after T0 (``auto_now_add`` ignores a given value)."""
    task = TaskFactory(user=user, **fields)
    created_at = T0 + timedelta(minutes=minutes)
    updated_at = T0 + timedelta(minutes=minutes if updated_minutes is None else updated_minutes)
    Task.objects.filter(pk=task.pk).update(created_at=created_at, updated_at=updated_at)
    task.refresh_from_db()
    return task


def expected_ids(user, ordering: str, **filters) -> list[int]:
    """The order the contract promises: the id breaks ties in the same direction, and tasks
    without the value (no due date) come last in both directions."""
    field, descending = ordering.lstrip("-"), ordering.startswith("-")
    tasks = list(Task.objects.filter(user=user, **filters))
    valued = [task for task in tasks if getattr(task, field) is not None]
    valued.sort(key=lambda task: (getattr(task, field), task.pk), reverse=descending)
    unvalued = sorted((task for task in tasks if getattr(task, field) is None), key=lambda task: task.pk)
    return [task.pk for task in valued] + [task.pk for task in (unvalued[::-1] if descending else unvalued)]


def ids(response) -> list[int]:
    """The ids of a 200 list answer, in its order."""
    assert response.status_code == 200, response.content
    return [task["id"] for task in response.json()]


def next_url(response) -> str | None:
    """The path and query of the ``next`` link, or None when the response has none."""
    if "Link" not in response:
        return None
    match = LINK_NEXT.match(response["Link"])
    assert match, response["Link"]
    url = urlsplit(match["url"])
    assert (url.scheme, url.netloc) == ("http", "testserver")
    return f"{url.path}?{url.query}"


def walk(client, url: str, *, between=None) -> list[int]:
    """Every id of every page, following ``next`` links; ``between(page)`` runs after each page."""
    seen, page = [], 0
    while url:
        response = client.get(url)
        page_ids = ids(response)
        assert page_ids, "a next link led to an empty page"
        seen += page_ids
        page += 1
        assert page < 100, "the next links never end"
        url = next_url(response)
        if between:
            between(page)
    return seen


# --- Tags -----------------------------------------------------------------------------------


def tags_url(family: str, user, name: str | None = None, *, slash: bool = False) -> str:
    """``/api/tags…`` or ``/api/{user_id}/tags…``; ``name`` URL-encoded, "/" included."""
    url = "/api/tags" if family == "token" else f"/api/{user.pk}/tags"
    if name is not None:
        url += "/" + quote(name, safe="")
    return url + "/" if slash else url


def put_tags(task: Task, *names: str) -> None:
    """Gives ``task`` these tags, in this order (created for its user when missing)."""
    TaskTag.objects.filter(task=task).delete()
    for position, name in enumerate(names):
        tag, _ = Tag.objects.get_or_create(user_id=task.user_id, key=tag_key(name), defaults={"name": name})
        TaskTag.objects.create(task=task, tag=tag, user_id=task.user_id, position=position)


def tag_names(task: Task) -> list[str]:
    """The task's tag names in its order, as stored."""
    return list(task.task_tags.order_by("position").values_list("tag__name", flat=True))


# --- Races ----------------------------------------------------------------------------------
