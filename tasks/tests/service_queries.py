"""What a service's captured queries wrote: shared by the service tests."""

import re

from django.test.utils import CaptureQueriesContext

from tasks.models import Task

# The owner's change number a write takes in its own statement on PostgreSQL (tasks.stamped_writes).
_STAMP = re.compile(r"WITH stamp AS \(INSERT INTO .+? RETURNING seq\) ")


def sql_of(context: CaptureQueriesContext) -> list[str]:
    """Each statement's SQL; a write that takes the change number in a ``WITH`` as the write."""
    return [_STAMP.sub("", query["sql"], count=1) for query in context.captured_queries]


def task_updates(context: CaptureQueriesContext) -> list[str]:
    return [sql for sql in sql_of(context) if sql.startswith('UPDATE "tasks_task"')]


def writes(context: CaptureQueriesContext) -> list[str]:
    return [sql for sql in sql_of(context) if sql.split()[0] in ("DELETE", "UPDATE", "INSERT")]


def updated_columns(sql: str) -> set[str]:
    """The columns an ``UPDATE "tasks_task" SET … WHERE …`` statement writes."""
    match = re.fullmatch(r'UPDATE "tasks_task" SET (?P<set>.+) WHERE .+', sql)
    assert match, sql
    # Top-level assignments only: a CASE in a value compares columns too.
    return set(re.findall(r'(?:^|, )"(\w+)" = ', match["set"]))


def stored(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)
