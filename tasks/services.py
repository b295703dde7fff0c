"""Rules about tasks, shared by the API, the admin and the management commands."""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import EDITABLE_FIELDS, Task, TaskTag
from .occurrences import task_spawn_next_occurrences
from .recurrence import recurrence_check
from .selectors import task_with_links
from .tags import tag_names_by_task, task_set_tags


def task_completed_at(*, completed: bool, previous: datetime | None = None) -> datetime | None:
    """The ``completed_at`` a task with ``completed`` has: kept while it stays completed.

    The one place of the rule: set when a task becomes completed, kept while it stays so,
    cleared when it is reopened (the database checks the pairing too).
    """
    if not completed:
        return None
    return previous or timezone.now()


def task_create(*, user: User, tags: list[str] | None = None, **fields) -> Task:
    """A new task of ``user`` with the given editable fields; ``completed_at`` follows ``completed``.

    ``tags`` are cleaned names (``tasks.tags.tag_names_clean``), created for the user as needed.
    A recurring task starts its own series. A task created completed spawns no occurrence: it
    was never completed here.
    """
    _refuse_non_editable(fields)
    task = Task(user=user, **fields)
    task.completed_at = task_completed_at(completed=task.completed)
    task.series_start = task_check(task=None, fields=fields)
    # A transaction only when there is more than the one INSERT to keep together.
    with transaction.atomic() if tags else nullcontext():
        task.save()
        if tags:
            task_set_tags(task=task, names=tags, new=True)
        else:
            task.tag_names = []
    task.next_occurrence_id = None
    return task


def task_update(*, task: Task, tags: list[str] | None = None, **fields) -> Task:
    """Applies the given editable fields; ``completed_at`` follows a change of ``completed``.

    Only the fields whose value differs from the task's are saved; when none does, nothing
    is, so ``updated_at`` (and with it the ETag and the ``updated_at`` ordering) stays.
    Completing a recurring task creates its next occurrence in the same transaction (the one
    completion rule: ``task_spawn_next_occurrences``). Changing the rule starts a new series
    here, and so does moving the due date of a series' first task.
    """
    _refuse_non_editable(fields)
    changed = [name for name, value in fields.items() if getattr(task, name) != value]
    tags_change = tags is not None and tags != _tag_names(task)
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
    completing_recurring = "completed" in changed and task.completed and task.recurrence is not None
    # A transaction only when there is more than the one UPDATE to keep together.
    with transaction.atomic() if tags_change or completing_recurring else nullcontext():
        task.save(update_fields=[*changed, "updated_at"])
        if tags_change:
            task_set_tags(task=task, names=tags)
        if completing_recurring:
            task_spawn_next_occurrences(tasks=[task])
    return task


@transaction.atomic
def task_toggle_completion(*, task: Task) -> Task:
    """Flips ``completed``, reading the row under a lock so two toggles flip it twice."""
    locked = task_with_links(queryset=Task.objects.select_for_update().filter(pk=task.pk)).get()
    return task_update(task=locked, completed=not locked.completed)


def task_bulk_set_completion(*, queryset: QuerySet[Task], completed: bool) -> int:
    """Marks the tasks of ``queryset`` in one UPDATE; returns how many changed.

    Completing also creates the next occurrence of each recurring task among them, in the same
    transaction and a constant number of queries.
    """
    # Reopening is the one UPDATE; completing first locks the recurring tasks it will spawn from.
    with transaction.atomic() if completed else nullcontext():
        to_change = queryset.exclude(completed=completed)
        recurring = []
        if completed:
            # Ids first, so the caller's joins, DISTINCT or ordering (the admin's search) stay
            # out of the FOR UPDATE, which PostgreSQL refuses with them; the lock re-checks.
            ids = list(
                to_change.filter(recurrence__isnull=False, spawned_next=False).values_list("pk", flat=True)
            )
            if ids:
                recurring = list(Task.objects.select_for_update().filter(pk__in=ids, spawned_next=False))
        # Only tasks whose state changes, so there is no completed_at to keep.
        changed = to_change.update(
            completed=completed,
            completed_at=task_completed_at(completed=completed),
            updated_at=timezone.now(),
        )
        task_spawn_next_occurrences(tasks=recurring)
    return changed


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


def _tag_names(task: Task) -> list[str]:
    names = getattr(task, "tag_names", None)  # set by the serializers' read and the writes
    return names if names is not None else tag_names_by_task([task.pk]).get(task.pk, [])


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
