"""The next occurrence of a completed recurring task: created by one function, for every path."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Task, TaskTag
from .recurrence import recurrence_next
from .sync import sync_stamp_many


def task_spawn_next_occurrences(*, tasks: list[Task]) -> dict[int, Task]:
    """Creates the next occurrence of each just-completed recurring task; returns them by the
    id of the task each came from. Call it inside the completing transaction.

    The next occurrence has the task's title, description, priority, tags and recurrence; its
    ``due_at`` is the rule's first date after the task's ``due_at`` that is also in the future,
    the series counted from its first task (COUNT, UNTIL); ``remind_at`` keeps its offset.
    A task spawns at most once, ever: the tasks are claimed under a row lock (a concurrent
    completion waits, then sees the claim), and ``previous_occurrence`` is unique besides.
    A constant number of queries, whatever the number of tasks and tags; none when no task
    recurs.
    """
    now = timezone.now()
    due = {}
    for task in tasks:
        if task.recurrence and task.due_at and not task.spawned_next:
            next_due = recurrence_next(
                rule=task.recurrence,
                series_start=task.series_start or task.due_at,
                after=max(task.due_at, now),
            )
            if next_due is not None:  # None: the series is exhausted
                due[task.pk] = next_due
    if not due:
        return {}
    claimed = _claim(Task.objects.filter(pk__in=due))
    if not claimed:
        return {}
    by_pk = {task.pk: task for task in tasks}
    occurrences = [_next_of(by_pk[pk], due_at=due[pk]) for pk in claimed]
    # New tasks for sync (tasks.sync): each owner's next change number.
    stamps = sync_stamp_many(user_ids=[occurrence.user_id for occurrence in occurrences])
    for occurrence in occurrences:
        occurrence.version = stamps[occurrence.user_id]
    Task.objects.bulk_create(occurrences)
    _copy_tags(occurrences)
    for occurrence in occurrences:
        previous = by_pk[occurrence.previous_occurrence_id]
        previous.spawned_next, previous.next_occurrence_id = True, occurrence.pk
    return {occurrence.previous_occurrence_id: occurrence for occurrence in occurrences}


def _claim(candidates: QuerySet[Task]) -> list[int]:
    # FOR UPDATE waits for a concurrent claimant to commit, then re-checks spawned_next.
    claimed = list(candidates.select_for_update().filter(spawned_next=False).values_list("pk", flat=True))
    if claimed:
        Task.objects.filter(pk__in=claimed).update(spawned_next=True)
    return claimed


def _next_of(task: Task, *, due_at) -> Task:
    remind_at = None if task.remind_at is None else due_at + (task.remind_at - task.due_at)
    occurrence = Task(
        user_id=task.user_id,
        title=task.title,
        description=task.description,
        priority=task.priority,
        due_at=due_at,
        remind_at=remind_at,
        recurrence=task.recurrence,
        series_start=task.series_start or task.due_at,
        previous_occurrence_id=task.pk,
    )
    occurrence.next_occurrence_id = None
    return occurrence


def _copy_tags(occurrences: list[Task]) -> None:
    new_by_previous = {occurrence.previous_occurrence_id: occurrence for occurrence in occurrences}
    rows = (
        TaskTag.objects.filter(task_id__in=new_by_previous)
        .order_by("task_id", "position")
        .values_list("task_id", "tag_id", "tag__name", "position")
    )
    copies = []
    for occurrence in occurrences:
        occurrence.tag_names = []
    for previous_id, tag_id, name, position in rows:
        occurrence = new_by_previous[previous_id]
        occurrence.tag_names.append(name)
        copies.append(TaskTag(task=occurrence, tag_id=tag_id, user_id=occurrence.user_id, position=position))
    TaskTag.objects.bulk_create(copies)
