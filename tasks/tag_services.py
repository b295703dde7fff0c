"""A user's tags as a whole: listed with their counts, renamed (or merged), deleted.

A tag is found by its case-folded key (``tasks.tags.tag_key``) among its owner's tags only:
another user's tag is "not found". Renaming or deleting a tag changes the tag list of every
task that carries it, so those tasks' ``updated_at`` and ``version`` move (their ETag
changes and a sync sees them), in the same transaction.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Least
from django.utils import timezone

from accounts.models import User

from .exceptions import TagNotFound
from .models import Tag, Task, TaskTag
from .sync import sync_stamp
from .tags import tag_key


def tag_list_for(*, user: User) -> QuerySet[Tag]:
    """The user's tags by name (case-insensitive), each with ``task_count`` and
    ``open_task_count``, in one query; a tag on no task is listed with 0 (as GitHub's labels)."""
    return (
        Tag.objects.filter(user_id=user.pk)
        .annotate(
            task_count=Count("task_tags"),
            open_task_count=Count("task_tags", filter=Q(task_tags__task__completed=False)),
        )
        .order_by("key", "id")
    )


def tag_get(*, user: User, name: str) -> Tag:
    """The user's tag called ``name`` in any case, with its counts; ``TagNotFound`` otherwise."""
    tag = tag_list_for(user=user).filter(key=tag_key(name)).first()
    if tag is None:
        raise TagNotFound()
    return tag


def tag_rename(*, user: User, name: str, new_name: str) -> Tag:
    """Renames the user's tag ``name`` to ``new_name`` (cleaned by ``tag_name_clean``).

    When the user already has a tag called ``new_name`` (in any case), the two become one: the
    existing tag stays, spelled as ``new_name``, and a task that carried both keeps it once, at
    the earlier of the two places. One transaction; a constant number of queries.
    """
    with transaction.atomic():
        tag = _locked(user=user, key=tag_key(name))
        if tag is None:
            raise TagNotFound()
        new_key = tag_key(new_name)
        target = tag if new_key == tag.key else _locked(user=user, key=new_key)
        if target is None:
            try:
                with transaction.atomic():  # a savepoint: a tag of that name may appear meanwhile
                    _touch_tasks(tag=tag)
                    Tag.objects.filter(pk=tag.pk).update(name=new_name, key=new_key)
            except IntegrityError:
                target = _locked(user=user, key=new_key)
                if target is None:
                    raise
        if target is not None and target.pk != tag.pk:
            _merge(source=tag, target=target)
        if target is not None and target.name != new_name:
            _touch_tasks(tag=target)
            Tag.objects.filter(pk=target.pk).update(name=new_name)
    return tag_get(user=user, name=new_name)


def tag_delete(*, user: User, name: str) -> None:
    """Removes the user's tag ``name`` (any case) from every task and deletes it; the tasks stay."""
    with transaction.atomic():
        tag = _locked(user=user, key=tag_key(name))
        if tag is None:
            raise TagNotFound()
        _touch_tasks(tag=tag)
        TaskTag.objects.filter(tag=tag).delete()
        Tag.objects.filter(pk=tag.pk).delete()


def _locked(*, user: User, key: str) -> Tag | None:
    """The user's tag of that key, locked until the transaction ends (PostgreSQL).

    ``FOR NO KEY UPDATE``: a task write holding its task's lock may still insert a row that
    refers to the tag (its foreign key share-locks the tag) and finish, instead of waiting
    for this lock while this transaction waits for its task: a deadlock.
    """
    return Tag.objects.select_for_update(no_key=True).filter(user_id=user.pk, key=key).first()


def _touch_tasks(*, tag: Tag) -> None:
    """The tasks carrying ``tag`` changed: their ``updated_at`` is now, and they take the
    owner's next change number as their ``version`` (their ETag changes, a sync sends them).

    The task rows are locked before the counter, the order every task write keeps
    (``tasks.sync``); a constant number of queries, however many tasks carry the tag.
    """
    carrying = TaskTag.objects.filter(task_id=OuterRef("pk"), tag_id=tag.pk)
    tasks = Task.objects.filter(user_id=tag.user_id).filter(Exists(carrying))
    if not list(tasks.select_for_update().order_by("pk").values_list("pk", flat=True)):
        return
    version = sync_stamp(user_id=tag.user_id)
    tasks.update(updated_at=timezone.now(), version=version)


def _merge(*, source: Tag, target: Tag) -> None:
    """Moves every task of ``source`` onto ``target`` and deletes ``source``."""
    _touch_tasks(tag=source)
    source_rows = TaskTag.objects.filter(tag_id=source.pk)
    # A task carrying both keeps ``target`` at the earlier of the two places.
    source_position = Subquery(source_rows.filter(task_id=OuterRef("task_id")).values("position")[:1])
    both = TaskTag.objects.filter(tag_id=target.pk, task_id__in=source_rows.values("task_id"))
    both.update(position=Least("position", source_position))
    source_rows.filter(task_id__in=TaskTag.objects.filter(tag_id=target.pk).values("task_id")).delete()
    source_rows.update(tag_id=target.pk)
    Tag.objects.filter(pk=source.pk).delete()
