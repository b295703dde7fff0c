"""The reads of one task that every request on it makes, prepared once per connection.

Each is the queryset it names (owner scoping by ``selectors``), compiled by
``todo_project.prepared``: the ORM's building and compiling cost more than these queries.
"""

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from todo_project.prepared import PreparedQuery

from .models import Task
from .selectors import task_list_for, task_with_links
from .tags import TagNames

_COLUMNS = tuple(field.attname for field in Task._meta.concrete_fields)
# Stand-ins no real value equals (a user id never holds a NUL; a task id is positive).
_USER_ID = "\x00user id\x00"
_PK = -7_340_199_173_915_218_761


def task_id_fits(pk: int) -> bool:
    """Whether ``pk`` can be a task's id; the database refuses a number beyond its column."""
    low, high = connection.ops.integer_field_range(Task._meta.pk.get_internal_type())
    return low <= pk <= high


def task_id_from_path(text: str) -> int | None:
    """The task id a URL's digits name, or None when no task can have it.

    Digits of any length reach here (``/tasks/<digits>``); Python refuses to convert more
    than 4,300 of them, and no 64-bit id has more than 19 after its leading zeros.
    """
    digits = text.lstrip("0") or "0"
    if not digits.isdigit() or len(digits) > 20:
        return None
    pk = int(digits)
    return pk if task_id_fits(pk) else None


def _owned(*, variant: bool, user_id: str, pk: int) -> QuerySet:
    tasks = task_with_links(queryset=task_list_for(user=User(pk=user_id), user_active=variant))
    return tasks.filter(pk=pk).order_by().values(*_COLUMNS, "next_occurrence_id")


def _locked(*, variant: None, pk: int) -> QuerySet:
    return Task.objects.select_for_update().filter(pk=pk).order_by().values(*_COLUMNS)


def _links_and_tags(*, variant: None, pk: int) -> QuerySet:
    tasks = task_with_links(queryset=Task.objects.filter(pk=pk)).annotate(tag_names=TagNames())
    return tasks.order_by().values("next_occurrence_id", "tag_names")


_OWNED = PreparedQuery(_owned, user_id=_USER_ID, pk=_PK)
_LOCKED = PreparedQuery(_locked, pk=_PK)
_LINKS_AND_TAGS = PreparedQuery(_links_and_tags, pk=_PK)


def task_owned(*, user: User, pk: int, user_active: bool = False) -> Task | None:
    """``user``'s task ``pk`` (``task_list_for``, ``user_active`` as there) with its
    ``next_occurrence_id``, else None."""
    if not task_id_fits(pk):
        return None
    found = _OWNED.rows(variant=user_active, user_id=user.pk, pk=pk)
    if not found:
        return None
    row = found[0]
    task = Task.from_db(connection.alias, _COLUMNS, [row[column] for column in _COLUMNS])
    task.next_occurrence_id = row["next_occurrence_id"]
    return task


def task_locked_columns(*, pk: int) -> dict | None:
    """The task's columns, its row locked until the transaction ends (call it inside one)."""
    found = _LOCKED.rows(pk=pk)
    return found[0] if found else None


def task_links_and_tags(*, pk: int) -> dict | None:
    """The task's ``next_occurrence_id`` and ``tag_names``, as committed now."""
    found = _LINKS_AND_TAGS.rows(pk=pk)
    return found[0] if found else None
