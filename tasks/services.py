"""Rules about tasks, shared by the API, the admin and the management commands."""

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Task

EDITABLE_FIELDS = ("title", "description", "completed")


def task_create(*, user: User, title: str, description: str | None = None, completed: bool = False) -> Task:
    """A new task of ``user``; ``completed_at`` follows ``completed``."""
    task = Task(user=user, title=title, description=description, completed=completed)
    task.completed_at = timezone.now() if completed else None
    task.save()
    return task


def task_update(*, task: Task, **fields) -> Task:
    """Applies the given editable fields; ``completed_at`` follows a change of ``completed``.

    Only the fields whose value differs from the task's are saved; when none does, nothing
    is, so ``updated_at`` (and with it the ETag and the ``updated_at`` ordering) stays.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    if not changed:
        return task
    for name in changed:
        setattr(task, name, fields[name])
    if "completed" in changed:
        task.completed_at = _completed_at(task)
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
    now = timezone.now()
    return queryset.exclude(completed=completed).update(
        completed=completed, completed_at=now if completed else None, updated_at=now
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
    # Nothing refers to a task and no signal listens, so Django deletes without loading rows.
    _, deleted = stale.delete()
    return deleted.get(Task._meta.label, 0)


def _completed_at(task: Task):
    if not task.completed:
        return None
    return task.completed_at or timezone.now()
