"""Change numbers and tombstones: what lets ``GET …/tasks/changes`` miss nothing.

Every task write takes the owner's next change number (``sync_stamp``) in its transaction
and stores it as the task's ``version`` (a deletion, in a tombstone). Taking the number
locks the owner's counter row until commit, so one user's writes commit in number order and
a sync that saw number N has already seen every change numbered below it.

Lock order, to keep concurrent writes free of deadlocks: the task rows first
(``select_for_update``), then the counters, by user id.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import SyncCounter, Task, TaskTombstone
from .versions import Precondition, task_lock

# Rows per INSERT/DELETE of a bulk deletion, well under every backend's parameter limit.
_BATCH = 500


def sync_stamp(*, user_id: str) -> int:
    """The user's next change number, holding their counter row locked until commit."""
    return sync_stamp_many(user_ids=[user_id])[user_id]


def sync_stamp_many(*, user_ids: list[str]) -> dict[str, int]:
    """The next change number of each user, in one statement (an upsert, so a first write works)."""
    if not connection.in_atomic_block:
        raise RuntimeError("A change number is taken inside the transaction of its write.")
    users = sorted(set(user_ids))
    if not users:
        return {}
    table = connection.ops.quote_name(SyncCounter._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(users))
    # PostgreSQL and SQLite (3.35+) alike; the conflict target is the user's unique index.
    # Only quoted identifiers and placeholders go into the text; the ids are parameters.
    sql = (
        f"INSERT INTO {table} (user_id, seq) VALUES {rows} "  # noqa: S608
        f"ON CONFLICT (user_id) DO UPDATE SET seq = {table}.seq + 1 RETURNING user_id, seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, users)
        return dict(cursor.fetchall())


def task_delete(*, task: Task, precondition: Precondition | None = None) -> None:
    """Deletes the task and leaves its tombstone, checking ``precondition`` under the row lock."""
    with transaction.atomic():
        task_lock(task=task, precondition=precondition)
        version = sync_stamp(user_id=task.user_id)
        TaskTombstone.objects.create(user_id=task.user_id, task_id=task.pk, version=version)
        Task.objects.filter(pk=task.pk).delete()


def task_delete_many(*, queryset: QuerySet[Task]) -> int:
    """Deletes the tasks of ``queryset``, each leaving a tombstone; returns how many.

    The admin's bulk deletion and the purge of completed tasks use it: a client that
    synced those tasks must hear that they are gone. Rows are locked first, so a task
    changed meanwhile is deleted with its tombstone numbered after that change.
    """
    with transaction.atomic():
        # By id from the model's own manager: the caller's queryset may carry joins or DISTINCT.
        locked = Task.objects.filter(pk__in=queryset.values("pk")).select_for_update().order_by("pk")
        rows = list(locked.values_list("pk", "user_id"))
        if not rows:
            return 0
        stamps = sync_stamp_many(user_ids=[user_id for _, user_id in rows])
        TaskTombstone.objects.bulk_create(
            [TaskTombstone(user_id=user_id, task_id=pk, version=stamps[user_id]) for pk, user_id in rows],
            batch_size=_BATCH,
        )
        ids = [pk for pk, _ in rows]
        for start in range(0, len(ids), _BATCH):
            # Nothing refers to a task and no signal listens: Django deletes without loading rows.
            Task.objects.filter(pk__in=ids[start : start + _BATCH]).delete()
    return len(rows)


def tombstone_purge(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Deletes, in one DELETE, the tombstones older than ``older_than``; returns how many.

    With ``dry_run``, counts them and deletes nothing. Sync tokens live as long
    (``SYNC_RETENTION_DAYS``), so no valid token needs a purged tombstone.
    """
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative.")
    stale = TaskTombstone.objects.filter(deleted_at__lt=timezone.now() - older_than)
    if dry_run:
        return stale.count()
    _, deleted = stale.delete()
    return deleted.get(TaskTombstone._meta.label, 0)
