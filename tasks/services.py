"""Rules about tasks, shared by the API, the admin and the management commands."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User

from .models import EDITABLE_FIELDS, Task
from .sync import sync_stamp, sync_stamp_many, task_delete_many
from .versions import Precondition, task_lock

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


def task_create(*, user: User, **fields) -> Task:
    """A new task of ``user`` with the given editable fields; ``completed_at`` follows ``completed``."""
    _refuse_non_editable(fields)
    task = Task(user=user, **fields)
    task.completed_at = task_completed_at(completed=task.completed)
    with transaction.atomic():
        task.version = sync_stamp(user_id=user.pk)
        task.save()
    return task


def task_update(*, task: Task, precondition: Precondition | None = None, **fields) -> Task:
    """Applies the given editable fields; ``completed_at`` follows a change of ``completed``.

    ``task`` is re-read in place under its row lock, where ``precondition`` (a parsed
    ``If-Match``) is checked: check and write are one step. Only the fields whose value
    differs from the stored one are saved; when none does, nothing is, so ``updated_at`` and
    ``version`` (the ETag) stay.
    """
    _refuse_non_editable(fields)
    with transaction.atomic():
        task_lock(task=task, precondition=precondition)
        return _task_write(task=task, fields=fields)


def _task_write(*, task: Task, fields: dict) -> Task:
    """Saves the fields that differ, with the owner's next change number; the row is locked."""
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    if not changed:
        return task
    for name in changed:
        setattr(task, name, fields[name])
    if "completed" in changed:
        task.completed_at = task_completed_at(completed=task.completed, previous=task.completed_at)
        changed.append("completed_at")
    task.version = sync_stamp(user_id=task.user_id)
    task.save(update_fields=[*changed, "updated_at", "version"])
    return task


def task_toggle_completion(*, task: Task, precondition: Precondition | None = None) -> Task:
    """Flips ``completed``, reading the row under a lock so two toggles flip it twice."""
    with transaction.atomic():
        # A fresh instance, as before: the caller's keeps the state it had.
        locked = task_lock(task=Task(pk=task.pk), precondition=precondition)
        return _task_write(task=locked, fields={"completed": not locked.completed})


def task_bulk_set_completion(*, queryset: QuerySet[Task], completed: bool) -> int:
    """Marks the tasks of ``queryset`` in one UPDATE (per 500); returns how many changed.

    The rows are locked first, then each owner takes one change number for all of theirs.
    """
    with transaction.atomic():
        # Only tasks whose state changes, so there is no completed_at to keep.
        to_change = Task.objects.filter(pk__in=queryset.exclude(completed=completed).values("pk"))
        rows = list(to_change.select_for_update().order_by("pk").values_list("pk", "user_id"))
        if not rows:
            return 0
        stamps = sync_stamp_many(user_ids=[user_id for _, user_id in rows])
        version = Case(*(When(user_id=user_id, then=Value(stamp)) for user_id, stamp in stamps.items()))
        values = {
            "completed": completed,
            "completed_at": task_completed_at(completed=completed),
            "updated_at": timezone.now(),
            "version": version,
        }
        ids = [pk for pk, _ in rows]
        for start in range(0, len(ids), _BATCH):
            Task.objects.filter(pk__in=ids[start : start + _BATCH]).update(**values)
    return len(rows)


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


def _refuse_non_editable(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
