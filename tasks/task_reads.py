"""The reads of tasks that every request makes, prepared once per connection.

Each is the queryset it names (owner scoping by ``selectors``), compiled by
``todo_project.prepared``: the ORM's building and compiling cost more than these queries.
"""

from functools import cache

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from todo_project.prepared import PreparedQuery, text_stand_in

from .models import Task
from .rows import task_rows
from .selectors import task_list_for, task_with_links
from .tags import TagNames, task_tagged

_COLUMNS = tuple(field.attname for field in Task._meta.concrete_fields)
# Stand-ins no real value equals (a task id is positive).
_USER_ID = text_stand_in("user id")
_PK = -7_340_199_173_915_218_761


def _id_fits(pk: int) -> bool:
    # The database refuses a number beyond the id column: such an id is simply no row.
    low, high = connection.ops.integer_field_range(Task._meta.pk.get_internal_type())
    return low <= pk <= high


def task_id_from_path(text: str) -> int | None:
    """The number a URL's digits name, or None when it cannot be a task's id at all.

    Digits of any length reach here (``/tasks/<digits>``); Python refuses to convert more
    than 4,300 of them, and no 64-bit id has more than 19 after its leading zeros. The
    readers below check the column's range.
    """
    digits = text.lstrip("0") or "0"
    if not digits.isdigit() or len(digits) > 20:
        return None
    return int(digits)


def _owned(*, variant: bool, user_id: str, pk: int) -> QuerySet:
    tasks = task_with_links(queryset=task_list_for(user=User(pk=user_id), user_active=variant))
    return tasks.filter(pk=pk).order_by().values(*_COLUMNS, "next_occurrence_id")


_LOCKED_EXTRAS = ("next_occurrence_id", "tag_names", "seen_version")


def _locked_with_links(tasks: QuerySet) -> QuerySet:
    """``tasks`` under their row lock, with their tags and next occurrence, and the version as
    the statement's snapshot has it: what those subqueries saw (see ``task_locked_columns``)."""
    seen = Subquery(Task.objects.filter(pk=OuterRef("pk")).order_by().values("version")[:1])
    tasks = task_with_links(queryset=tasks).annotate(tag_names=TagNames(), seen_version=seen)
    return tasks.select_for_update(of=("self",)).order_by().values(*_COLUMNS, *_LOCKED_EXTRAS)


def _locked(*, variant: None, pk: int) -> QuerySet:
    return _locked_with_links(Task.objects.filter(pk=pk))


def _links_and_tags(*, variant: None, pk: int) -> QuerySet:
    tasks = task_with_links(queryset=Task.objects.filter(pk=pk)).annotate(tag_names=TagNames())
    return tasks.order_by().values("next_occurrence_id", "tag_names")


def _for_write(*, variant: bool, user_id: str, pk: int) -> QuerySet:
    return _locked_with_links(task_list_for(user=User(pk=user_id), user_active=variant).filter(pk=pk))


_OWNED = PreparedQuery(_owned, user_id=_USER_ID, pk=_PK)
_FOR_WRITE = PreparedQuery(_for_write, user_id=_USER_ID, pk=_PK)
_LOCKED = PreparedQuery(_locked, pk=_PK)
_LINKS_AND_TAGS = PreparedQuery(_links_and_tags, pk=_PK)


def task_owned(*, user: User, pk: int, user_active: bool = False) -> Task | None:
    """``user``'s task ``pk`` (``task_list_for``, ``user_active`` as there) with its
    ``next_occurrence_id``, else None."""
    if not _id_fits(pk):
        return None
    found = _OWNED.rows(variant=user_active, user_id=user.pk, pk=pk)
    if not found:
        return None
    row = found[0]
    task = Task.from_db(connection.alias, _COLUMNS, [row[column] for column in _COLUMNS])
    task.next_occurrence_id = row["next_occurrence_id"]
    return task


def task_for_write(*, user: User, pk: int, user_active: bool = False) -> Task | None:
    """``user``'s task ``pk`` as ``task_owned`` finds it, locked as by ``task_locked_columns``
    (one statement, with its tags and next occurrence), in the caller's transaction; else None."""
    if not connection.in_atomic_block:
        raise RuntimeError("A task is read for a write inside the write's transaction.")
    if not _id_fits(pk):
        return None
    found = _FOR_WRITE.rows(variant=user_active, user_id=user.pk, pk=pk)
    if not found:
        return None
    row = _links_once_locked(found[0], pk=pk)
    task = Task.from_db(connection.alias, _COLUMNS, [row[column] for column in _COLUMNS])
    task.tag_names, task.next_occurrence_id = row["tag_names"], row["next_occurrence_id"]
    return task


def task_locked_columns(*, pk: int) -> dict | None:
    """The task's columns, ``tag_names`` and ``next_occurrence_id``, its row locked until the
    transaction ends (call it inside one); the tags and link as committed once it was locked.

    One statement, unless the row changed after the statement's snapshot was taken (which is
    what waiting for its lock means): PostgreSQL evaluates a locking read's subqueries in that
    snapshot, but locks and returns the newest row; and whoever changes a task's tags or links
    holds its lock and gives it a new version. So when the version in that snapshot is the
    locked row's, nothing changed in between; otherwise the tags and link are read again.
    """
    found = _LOCKED.rows(pk=pk)
    if not found:
        return None
    row = _links_once_locked(found[0], pk=pk)
    return {name: row[name] for name in (*_COLUMNS, "next_occurrence_id", "tag_names")}


def _links_once_locked(row: dict, *, pk: int) -> dict:
    if row["seen_version"] == row["version"]:
        return row
    return {**row, **task_links_and_tags(pk=pk)}


def task_links_and_tags(*, pk: int) -> dict | None:
    """The task's ``next_occurrence_id`` and ``tag_names``, as committed now."""
    found = _LINKS_AND_TAGS.rows(pk=pk)
    return found[0] if found else None


def _one_task(*, variant: bool, user_id: str, pk: int) -> QuerySet:
    rows = task_rows()
    tasks = task_with_links(queryset=task_list_for(user=User(pk=user_id), user_active=variant))
    # The version comes with the row: the ETag without a second read.
    return rows.rows(tasks.filter(pk=pk).order_by()).values(*rows.query_columns, "version")


_ONE_TASK = PreparedQuery(_one_task, user_id=_USER_ID, pk=_PK)


def task_row(*, user: User, pk: int, user_active: bool = False) -> dict | None:
    """The row of ``user``'s task ``pk`` (``query_columns`` and ``version``), else None.

    Scoped by ``task_list_for`` (``user_active`` as there); compiled once per connection.
    """
    if not _id_fits(pk):
        return None
    found = _ONE_TASK.rows(variant=user_active, user_id=user.pk, pk=pk)
    return found[0] if found else None


@cache
def _first_page(tags: int) -> PreparedQuery:
    """The first page's prepared query with ``tags`` tag keys to match (tag_0, tag_1, …)."""

    def build(*, variant: tuple[bool, int], user_id: str, **keys) -> QuerySet:
        user_active, count = variant
        tasks = task_with_links(queryset=task_list_for(user=User(pk=user_id), user_active=user_active))
        if tags:
            tasks = task_tagged(queryset=tasks, keys=[keys[f"tag_{index}"] for index in range(tags)])
        return task_rows().rows(tasks)[:count]

    markers = {f"tag_{index}": text_stand_in(f"tag {index}") for index in range(tags)}
    return PreparedQuery(build, user_id=_USER_ID, **markers)


def task_first_answers(
    *, user: User, count: int, user_active: bool = False, tag_keys: tuple[str, ...] = ()
) -> list[dict]:
    """The first ``count`` of ``user``'s tasks in the default order (``task_list_for``), only
    those carrying every tag of ``tag_keys`` (``tags.task_tagged``), as the API shows them:
    ``TaskRows.answers_fetched`` of the fetched rows, in one pass. Compiled once per
    connection, ``count`` and number of tags."""
    keys = {f"tag_{index}": key for index, key in enumerate(tag_keys)}
    prepared = _first_page(len(tag_keys))
    compiled, fetched = prepared.fetch(variant=(user_active, count), user_id=user.pk, **keys)
    return task_rows().answers_fetched(compiled, fetched)
