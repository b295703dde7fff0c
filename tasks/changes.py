"""Reading what changed since a sync token (``GET …/tasks/changes``).

A position is ``(version, kind, id)``: the change number, 0 for a task and 1 for a
tombstone, and the task id, so changes that share a number (a bulk change) still have an
order and a page may end among them. One statement reads the changed tasks and the
tombstones after a position, so both come from one snapshot; since a user's writes commit
in number order (``tasks.sync``), nothing numbered below what that snapshot saw can still
be on its way.

The token is the position and the user's counter id, signed (``django.core.signing``)
with its issue time: another user's token, one from before the user's erasure, a forged
one and one older than ``SYNC_RETENTION_DAYS`` (tombstones are purged after as long) are
all refused with 410.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import IntegerField, Q, Value
from rest_framework.exceptions import APIException

from accounts.models import User

from .models import SyncCounter, Task, TaskTombstone
from .selectors import task_list_for

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_SALT = "tasks.changes"
_TASK, _TOMBSTONE = 0, 1


class SyncTokenExpired(APIException):
    """410: the token is not one of ours for this user, or too old; sync again from scratch."""

    status_code = 410
    default_code = "sync_token_expired"
    default_detail = "This sync token is unknown or expired; sync again without since."


@dataclass(frozen=True)
class Changes:
    """One page of changes: tasks to upsert, ids to forget, the token to continue from."""

    changed: list[Task]
    deleted: list[int]
    next: str
    has_more: bool


def task_changes(*, user: User, since: str | None, limit: int = DEFAULT_LIMIT) -> Changes:
    """What changed for ``user`` after ``since`` (None: every task), at most ``limit`` items.

    Without ``since`` no tombstone is sent: a client starting afresh has nothing to forget.
    Raises ``SyncTokenExpired`` for a token that is not a valid one of this user's.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}.")
    counter, _ = SyncCounter.objects.get_or_create(user=user)
    position = None if since is None else _position_from_token(since, counter_id=counter.pk)
    entries = list(_entries_after(user=user, position=position)[: limit + 1])
    has_more = len(entries) > limit
    entries = entries[:limit]
    task_ids = [entry["id"] for entry in entries if entry["kind"] == _TASK]
    # A task changed again since the snapshot comes in its newer state (and again next
    # time); one deleted meanwhile is left out here and reported by its tombstone next time.
    by_id = task_list_for(user=user).in_bulk(task_ids)
    if entries:
        last = entries[-1]
        position = (last["version"], last["kind"], last["id"])
    return Changes(
        changed=[by_id[pk] for pk in task_ids if pk in by_id],
        deleted=[entry["id"] for entry in entries if entry["kind"] == _TOMBSTONE],
        next=_token(counter_id=counter.pk, position=position or (0, _TASK, 0)),
        has_more=has_more,
    )


def _entries_after(*, user: User, position: tuple[int, int, int] | None):
    tasks = task_list_for(user=user).order_by().annotate(kind=Value(_TASK, output_field=IntegerField()))
    tasks = tasks.values("version", "kind", "id")
    if position is None:
        return tasks.order_by("version", "id")
    version, kind, last_id = position
    tombstones = (
        TaskTombstone.objects.filter(user_id=user.pk)
        .annotate(kind=Value(_TOMBSTONE, output_field=IntegerField()))
        .values("version", "kind", "task_id")
    )
    after = Q(version__gt=version)
    if kind == _TASK:
        tasks = tasks.filter(after | Q(version=version, id__gt=last_id))
        tombstones = tombstones.filter(after | Q(version=version))
    else:
        tasks = tasks.filter(after)
        tombstones = tombstones.filter(after | Q(version=version, task_id__gt=last_id))
    # UNION ALL: one statement, so tasks and tombstones are read from one snapshot.
    return tasks.union(tombstones, all=True).order_by("version", "kind", "id")


def _token(*, counter_id: int, position: tuple[int, int, int]) -> str:
    return signing.dumps([counter_id, *position], salt=_SALT, compress=False)


def _position_from_token(token: str, *, counter_id: int) -> tuple[int, int, int]:
    max_age = settings.SYNC_RETENTION_DAYS * 24 * 60 * 60
    try:
        value = signing.loads(token, salt=_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
        raise SyncTokenExpired() from None
    # A signed value is ours, but check its shape rather than trust it blindly.
    if not (isinstance(value, list) and len(value) == 4 and all(type(item) is int for item in value)):
        raise SyncTokenExpired()
    if value[0] != counter_id:
        raise SyncTokenExpired()
    return value[1], value[2], value[3]
