"""Tags: the rule of a tag name, and reading and writing a task's tags in a constant number of queries."""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import orjson
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Func, JSONField, OuterRef, QuerySet

from .models import TAG_NAME_MAX_LENGTH, TAGS_PER_TASK_MAX, Tag, Task, TaskTag


def tag_key(name: str) -> str:
    """What a tag is matched by: its case-folded name ("Work", "WORK" and "work" are one tag)."""
    # NFC first, so "é" typed as one character or as "e" and an accent is one tag.
    return unicodedata.normalize("NFC", name).casefold()


def tag_name_clean(value: object) -> str:
    """One tag name, trimmed and checked; raises ``ValidationError`` with a message that says why."""
    if not isinstance(value, str):
        raise ValidationError("A tag must be a string.", code="invalid")
    name = value.strip()
    if not name:
        raise ValidationError("A tag may not be blank.", code="blank")
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            f"A tag has at most {TAG_NAME_MAX_LENGTH} characters ({name[:20]!r}… has {len(name)}).",
            code="max_length",
        )
    # Cc: the control characters (NUL, tabs, newlines, DEL, C1); Cs: a lone surrogate, which
    # JSON's \u escapes can smuggle in. Format characters stay: emoji sequences need them.
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in name):
        raise ValidationError(f"A tag may not contain control characters ({name[:20]!r}).", code="invalid")
    return name


def tag_names_clean(value: object) -> list[str]:
    """A task's tags as given: each cleaned, de-duplicated case-insensitively (the first
    spelling and the given order kept), at most ``TAGS_PER_TASK_MAX``."""
    if not isinstance(value, list):
        raise ValidationError("Expected a list of strings.", code="not_a_list")
    names: dict[str, str] = {}
    for item in value:
        name = tag_name_clean(item)
        names.setdefault(tag_key(name), name)
    if len(names) > TAGS_PER_TASK_MAX:
        raise ValidationError(
            f"A task has at most {TAGS_PER_TASK_MAX} tags, not {len(names)}.", code="max_length"
        )
    return list(names.values())


def tag_names_by_task(task_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tag names of each task, in the task's order, in one query (no entry: no tags).

    The one place tags are read for display: the API's serializers, the admin's list and the
    user-data export all come here, with a page of ids or a queryset's ids.
    """
    names: dict[int, list[str]] = defaultdict(list)
    rows = TaskTag.objects.filter(task_id__in=list(task_ids)).order_by("task_id", "position")
    for task_id, name in rows.values_list("task_id", "tag__name"):
        names[task_id].append(name)
    return names


class _NamesArray(JSONField):
    """The JSON array a ``TagNames`` query writes, parsed by orjson: the ORM's ``json.loads``
    per row was about a tenth of a 100-task list's CPU (pyinstrument)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else orjson.loads(value)


class TagNames(Func):
    """A task's tag names in its order, as a JSON array, read in the query that reads the task.

    One correlated subquery per row over the ``(task, tag)`` index, so a page of tasks with
    their tags is one round trip. SQLite 3.40 has no ``ORDER BY`` inside an aggregate: the
    names come ordered from a subquery, which SQLite does not flatten into an aggregate.
    """

    output_field = _NamesArray()
    template = (
        "(SELECT COALESCE(json_agg(t.name ORDER BY tt.position), '[]')::text "
        "FROM {task_tag} tt JOIN {tag} t ON t.id = tt.tag_id WHERE tt.task_id = %(expressions)s)"
    )
    sqlite_template = (
        "(SELECT json_group_array(name) FROM (SELECT t.name AS name "
        "FROM {task_tag} tt JOIN {tag} t ON t.id = tt.tag_id WHERE tt.task_id = %(expressions)s "
        "ORDER BY tt.position))"
    )

    def __init__(self, task_id: str = "pk"):
        super().__init__(F(task_id))

    def _tables(self, template: str) -> str:
        return template.format(task_tag=TaskTag._meta.db_table, tag=Tag._meta.db_table)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=self._tables(self.template), **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = self._tables(self.sqlite_template)
        return super().as_sql(compiler, connection, template=template, **extra_context)


def tags_for_user(*, user_id: str, names: list[str]) -> list[Tag]:
    """The user's tags of these (cleaned, distinct) names, created when missing, in their order.

    Two queries whatever the number: the existing tags are read, the missing ones created
    together (a tag created meanwhile by another request is skipped, then read again).
    """
    keys = [tag_key(name) for name in names]
    existing = {tag.key: tag for tag in Tag.objects.filter(user_id=user_id, key__in=keys)}
    missing = [
        Tag(user_id=user_id, name=name, key=key)
        for name, key in zip(names, keys, strict=True)
        if key not in existing
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        # ignore_conflicts leaves the new rows without ids on every database: read them back.
        existing = {tag.key: tag for tag in Tag.objects.filter(user_id=user_id, key__in=keys)}
    return [existing[key] for key in keys]


def task_set_tags(*, task: Task, names: list[str], new: bool = False) -> None:
    """Makes ``names`` (cleaned) the task's tags, in that order, in a constant number of queries
    (``new``: the task was just created, so it has no tags to remove)."""
    tags = tags_for_user(user_id=task.user_id, names=names) if names else []
    if not new:
        TaskTag.objects.filter(task=task).delete()
    TaskTag.objects.bulk_create(
        TaskTag(task=task, tag=tag, user_id=task.user_id, position=position)
        for position, tag in enumerate(tags)
    )
    task.tag_names = [tag.name for tag in tags]


def task_tagged(*, queryset: QuerySet[Task], keys: list[str]) -> QuerySet[Task]:
    """The tasks of ``queryset`` that carry every tag of ``keys`` (``tag_key``s).

    One ``EXISTS`` per key over the owner's tag (so the ``(user, key)`` index serves it).
    """
    for key in keys:
        carried = TaskTag.objects.filter(
            task_id=OuterRef("pk"), tag__user_id=OuterRef("user_id"), tag__key=key
        )
        queryset = queryset.filter(Exists(carried))
    return queryset
