"""Rules about tasks, shared by the API, the admin and the management commands."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import EDITABLE_FIELDS, Task, TaskTag


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
    task.save()
    return task


def task_update(*, task: Task, **fields) -> Task:
    """Applies the given editable fields; ``completed_at`` follows a change of ``completed``.

    Only the fields whose value differs from the task's are saved; when none does, nothing
    is, so ``updated_at`` (and with it the ETag and the ``updated_at`` ordering) stays.
    """
    _refuse_non_editable(fields)
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    if not changed:
        return task
    for name in changed:
        setattr(task, name, fields[name])
    if "completed" in changed:
        task.completed_at = task_completed_at(completed=task.completed, previous=task.completed_at)
        changed.append("completed_at")
    task.save(update_fields=[*changed, "updated_at"])
    return task


@transaction.atomic
def task_toggle_completion(*, task: Task) -> Task:
    """Flips ``completed``, reading the row under a lock so two toggles flip it twice."""
    locked = Task.objects.select_for_update().get(pk=task.pk)
    return task_update(task=locked, completed=not locked.completed)


def task_bulk_set_completion(*, queryset: QuerySet[Task], completed: bool) -> int:
    """Marks the tasks of ``queryset`` in one UPDATE; returns how many changed."""
    # Only tasks whose state changes, so there is no completed_at to keep.
    return queryset.exclude(completed=completed).update(
        completed=completed, completed_at=task_completed_at(completed=completed), updated_at=timezone.now()
    )


def task_purge_completed(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Deletes, in one DELETE, the completed tasks completed more than ``older_than`` ago.

    Returns how many were deleted (with ``dry_run``, how many would be, deleting nothing).
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative.")
    stale = Task.objects.filter(completed=True, completed_at__lt=timezone.now() - older_than)
    if dry_run:
        return stale.count()
    # Three statements, whatever the number: the tasks' tag rows, the links of the occurrences
    # they spawned (those stay, as SET_NULL says), then the tasks. QuerySet.delete() would load
    # every task first to follow those relations in Python; this is its own fast path, taken
    # because the two relations are already handled (no signal listens to tasks).
    with transaction.atomic():
        TaskTag.objects.filter(task__in=stale).delete()
        Task.objects.filter(previous_occurrence__in=stale).update(
            previous_occurrence=None, updated_at=timezone.now()
        )
        return stale._raw_delete(stale.db)


def _refuse_non_editable(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
