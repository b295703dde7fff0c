"""Rules about tasks, shared by the API, the admin and the management commands."""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User

from .models import EDITABLE_FIELDS, Task
from .occurrences import task_spawn_next_occurrences
from .recurrence import recurrence_check
from .stamped_writes import task_insert, task_insert_is_one_statement, task_update_columns
from .sync import sync_stamp_many, task_delete_many
from .tags import task_set_tags
from .versions import Precondition, precondition_check, task_lock

# Tasks per UPDATE of a bulk change, well under every backend's parameter limit.
_BATCH = 500


def task_completed_at(*, completed: bool, previous: datetime | None = None) -> datetime | None:
    """The ``completed_at`` a task with ``completed`` has: kept while it stays completed.

    The one place of the rule: set when a task becomes completed, kept while it stays so,
    cleared when it is reopened (the database checks the pairing too).
    """
    if not completed:
        return None
    return previous or timezone.now()


def task_create(
    *, user: User, tags: list[str] | None = None, user_active: bool = False, **fields
) -> Task | None:
    """A new task of ``user`` with the given editable fields; ``completed_at`` follows ``completed``.

    ``tags`` are cleaned names (``tasks.tags.tag_names_clean``), created for the user as needed.
    A recurring task starts its own series. A task created completed spawns no occurrence: it
    was never completed here. With ``user_active`` the write also checks the account (for a
    caller that skipped its user query): None, and nothing written, unless ``user`` is active.
    """
    _refuse_non_editable(fields)
    task = Task(user=user, **fields)
    task.completed_at = task_completed_at(completed=task.completed)
    task.series_start = task_check(task=None, fields=fields)
    # A single statement is a transaction of its own (PostgreSQL, without tags); else one here.
    # No savepoint inside a caller's transaction (an Idempotency-Key's, the admin's): two
    # round trips fewer. What can fail in here is the database, and no caller catches that
    # and goes on in the same transaction (on PostgreSQL it could not anyway).
    alone = not tags and task_insert_is_one_statement()
    with nullcontext() if alone else transaction.atomic(savepoint=False):
        if not task_insert(task=task, user_active=user_active):
            return None
        if tags:
            task_set_tags(task=task, names=tags, new=True)
        else:
            task.tag_names = []
    task.next_occurrence_id = None
    return task


def task_update(
    *,
    task: Task,
    precondition: Precondition | None = None,
    tags: list[str] | None = None,
    locked: bool = False,
    **fields,
) -> Task:
    """Applies the given editable fields; ``completed_at`` follows a change of ``completed``.

    ``task`` is re-read in place under its row lock, where ``precondition`` (a parsed
    ``If-Match``) is checked: check and write are one step. With ``locked``, the caller read it
    so already (``task_reads.task_for_write``) in the transaction it is in. Only the fields
    whose value differs from the stored one are saved; when none does, nothing is, so
    ``updated_at`` and ``version`` (the ETag) stay. Completing a recurring task creates its
    next occurrence in the same transaction (the one completion rule:
    ``task_spawn_next_occurrences``). Changing the rule starts a new series here, and so does
    moving the due date of a series' first task.
    """
    _refuse_non_editable(fields)
    if locked:
        if not connection.in_atomic_block:
            raise RuntimeError("A task read for a write is written in the transaction that read it.")
        precondition_check(task=task, precondition=precondition)
        return _task_write(task=task, fields=fields, tags=tags)
    with transaction.atomic():
        task_lock(task=task, precondition=precondition)
        return _task_write(task=task, fields=fields, tags=tags)


@contextmanager
def task_edit_transaction() -> Iterator[bool]:
    """The transaction an edit's look-up, checks and write share, where that is cheap.

    Yields True inside it where rows can be locked (PostgreSQL): the look-up is then the
    locked read (``task_reads.task_for_write``) and ``task_update`` takes ``locked=True``. On
    SQLite a write transaction locks the whole database, so it holds the write alone: yields
    False outside any transaction, and ``task_update`` opens its own and re-reads the task.
    """
    if not connection.features.has_select_for_update:
        yield False
        return
    with transaction.atomic():
        yield True


def _task_write(*, task: Task, fields: dict, tags: list[str] | None = None) -> Task:
    """Saves the fields that differ, with the owner's next change number; the row is locked
    and ``task`` carries its current tags and next occurrence."""
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    tags_change = tags is not None and tags != task.tag_names
    if not changed and not tags_change:
        return task
    series_start = task_check(task=task, fields=fields)
    for name in changed:
        setattr(task, name, fields[name])
    if "completed" in changed:
        task.completed_at = task_completed_at(completed=task.completed, previous=task.completed_at)
        changed.append("completed_at")
    if series_start != task.series_start:
        task.series_start = series_start
        changed.append("series_start")
    task_update_columns(task=task, names=changed)
    if tags_change:
        task_set_tags(task=task, names=tags)
    if "completed" in changed and task.completed and task.recurrence is not None:
        task_spawn_next_occurrences(tasks=[task])
    return task


def task_toggle_completion(*, task: Task, precondition: Precondition | None = None) -> Task:
    """Flips ``completed``, reading the row under a lock so two toggles flip it twice."""
    with transaction.atomic():
        # A fresh instance, as before: the caller's keeps the state it had.
        locked = task_lock(task=Task(pk=task.pk), precondition=precondition)
        return _task_write(task=locked, fields={"completed": not locked.completed})


def task_bulk_set_completion(*, queryset: QuerySet[Task], completed: bool) -> int:
    """Marks the tasks of ``queryset`` in one UPDATE (per 500); returns how many changed.

    The rows are locked first (by id, so the caller's joins, DISTINCT or ordering — the
    admin's search — stay out of the FOR UPDATE, which PostgreSQL refuses with them), then
    each owner takes one change number for all of theirs. Completing also creates the next
    occurrence of each recurring task among them, in the same transaction.
    """
    with transaction.atomic():
        # Only tasks whose state changes, so there is no completed_at to keep.
        ids = list(queryset.exclude(completed=completed).values_list("pk", flat=True))
        locked = Task.objects.filter(pk__in=ids).select_for_update().order_by("pk")
        tasks = list(locked)
        if not tasks:
            return 0
        stamps = sync_stamp_many(user_ids=[task.user_id for task in tasks])
        version = Case(*(When(user_id=user_id, then=Value(stamp)) for user_id, stamp in stamps.items()))
        values = {
            "completed": completed,
            "completed_at": task_completed_at(completed=completed),
            "updated_at": timezone.now(),
            "version": version,
        }
        pks = [task.pk for task in tasks]
        for start in range(0, len(pks), _BATCH):
            Task.objects.filter(pk__in=pks[start : start + _BATCH]).update(**values)
        if completed:
            recurring = [task for task in tasks if task.recurrence is not None and not task.spawned_next]
            for task in recurring:
                task.completed, task.completed_at = True, values["completed_at"]
            task_spawn_next_occurrences(tasks=recurring)
    return len(tasks)


def task_purge_completed(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Deletes the completed tasks completed more than ``older_than`` ago, with tombstones.

    Returns how many were deleted (with ``dry_run``, how many would be, deleting nothing).
    A constant number of statements (per 500 tasks): lock, number, tombstones, DELETE.
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative.")
    stale = Task.objects.filter(completed=True, completed_at__lt=timezone.now() - older_than)
    if dry_run:
        return stale.count()
    return task_delete_many(queryset=stale)


def task_check(*, task: Task | None, fields: dict) -> datetime | None:
    """Checks what only the fields together say (a recurring task needs a ``due_at``, and a new
    series a rule that recurs after it), for a new task (``task`` None) or a change of
    ``task``; saves nothing.

    Returns the series start the task will have. Raises ``ValidationError`` keyed by field:
    the API answers it as a 422 and the admin shows it on its form.
    """
    recurrence = fields.get("recurrence", task.recurrence if task else None)
    due_at = fields.get("due_at", task.due_at if task else None)
    series_start = _series_start(task, recurrence=recurrence, due_at=due_at)
    # A series that goes on may be at its last task; only a series starting here must recur.
    starting = task is None or recurrence != task.recurrence or series_start != task.series_start
    recurrence_check(rule=recurrence, due_at=due_at, series_start=series_start, must_recur=starting)
    return series_start


def _series_start(task: Task | None, *, recurrence: str | None, due_at: datetime | None) -> datetime | None:
    if recurrence is None:
        return None
    if task is None or recurrence != task.recurrence or task.series_start is None:
        return due_at  # a new rule is a new series, starting here
    if due_at != task.due_at and task.previous_occurrence_id is None and not task.spawned_next:
        return due_at  # the first task moved before it ever recurred
    return task.series_start


def _refuse_non_editable(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
