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
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User

from .models import SyncCounter, Task, TaskTag, TaskTombstone
from .versions import Precondition, task_lock

# Rows per INSERT/DELETE of a bulk deletion, well under every backend's parameter limit.
_BATCH = 500


def sync_stamp(*, user_id: str) -> int:
    """The user's next change number, holding their counter row locked until commit."""
    return sync_stamp_many(user_ids=[user_id])[user_id]


def sync_stamp_statement(*, user_active: bool = False) -> str:
    """The upsert that takes one user's next change number: its one parameter is the user id,
    its one column ``seq``. With ``user_active`` it takes none (no row) unless the id is an
    active user's, so a write that skipped its own user query checks the account here.

    A statement for others to send or embed (``tasks.stamped_writes``); the caller keeps the
    rule of ``sync_stamp``: the number is taken in the transaction of its write.
    """
    table = connection.ops.quote_name(SyncCounter._meta.db_table)
    if user_active:
        quote = connection.ops.quote_name
        users, pk = quote(User._meta.db_table), quote(User._meta.pk.column)
        active = quote(User._meta.get_field("is_active").column)
        # A WHERE before ON CONFLICT: SQLite's parser needs one after an INSERT's SELECT.
        source = f"SELECT {pk}, 1 FROM {users} WHERE {pk} = %s AND {active}"  # noqa: S608
    else:
        source = "VALUES (%s, 1)"
    return (
        # Only quoted identifiers and placeholders go into the text; the id is a parameter.
        f"INSERT INTO {table} (user_id, seq) {source} "
        f"ON CONFLICT (user_id) DO UPDATE SET seq = {table}.seq + 1 RETURNING seq"
    )


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
        _delete_locked(rows=[(task.pk, task.user_id, task.previous_occurrence_id)])


def task_delete_many(*, queryset: QuerySet[Task]) -> int:
    """Deletes the tasks of ``queryset``, each leaving a tombstone; returns how many.

    The admin's bulk deletion and the purge of completed tasks use it: a client that
    synced those tasks must hear that they are gone. Rows are locked first, so a task
    changed meanwhile is deleted with its tombstone numbered after that change.
    A constant number of statements (per 500 tasks), however many tasks and tags.
    """
    with transaction.atomic():
        # By id from the model's own manager: the caller's queryset may carry joins or DISTINCT.
        locked = Task.objects.filter(pk__in=queryset.values("pk")).select_for_update().order_by("pk")
        rows = list(locked.values_list("pk", "user_id", "previous_occurrence_id"))
        if rows:
            _delete_locked(rows=rows)
    return len(rows)


def _delete_locked(*, rows: list[tuple[int, str, int | None]]) -> None:
    """Deletes the locked tasks ``rows`` (id, owner, previous occurrence) with their tombstones.

    The tasks linked to them change as well, so they take the owner's change number too: the
    next occurrence of a deleted task loses its ``previous_occurrence_id`` (SET_NULL) and the
    task a deleted one was spawned from loses its ``next_occurrence_id``. Deleting the tag rows
    and unlinking here leaves Django nothing to collect, so the rows are never loaded.
    """
    ids = [pk for pk, _, _ in rows]
    previous = {previous_id for _, _, previous_id in rows if previous_id is not None} - set(ids)
    linked_to = Q(previous_occurrence_id__in=ids) | Q(pk__in=previous)
    neighbours = Task.objects.filter(linked_to).exclude(pk__in=ids)
    # The linked rows are locked before the counters (the module's lock order).
    linked = list(neighbours.select_for_update().order_by("pk").values_list("pk", "user_id"))
    owners = [user_id for _, user_id, _ in rows] + [user_id for _, user_id in linked]
    stamps = sync_stamp_many(user_ids=owners)
    TaskTombstone.objects.bulk_create(
        [TaskTombstone(user_id=user_id, task_id=pk, version=stamps[user_id]) for pk, user_id, _ in rows],
        batch_size=_BATCH,
    )
    for start in range(0, len(ids), _BATCH):
        TaskTag.objects.filter(task_id__in=ids[start : start + _BATCH]).delete()
    if linked:
        version = Case(*(When(user_id=user_id, then=Value(stamp)) for user_id, stamp in stamps.items()))
        unlinked = Case(When(previous_occurrence_id__in=ids, then=None), default=F("previous_occurrence_id"))
        Task.objects.filter(pk__in=[pk for pk, _ in linked]).update(
            previous_occurrence_id=unlinked, version=version, updated_at=timezone.now()
        )
    for start in range(0, len(ids), _BATCH):
        batch = Task.objects.filter(pk__in=ids[start : start + _BATCH])
        batch._raw_delete(batch.db)  # nothing else refers to a task and no signal listens


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
