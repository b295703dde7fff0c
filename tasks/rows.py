"""Tasks as the API shows them, built from plain rows instead of serializer instances.

``TaskSerializer`` stays the one declaration of a task's shape. This module reads that
declaration once: the fields that are columns are fetched with ``values()`` and copied
into the answer with a converter per field type (date-times as DRF writes them, in UTC
with ``Z``); every other field (a list of tag names, say) must come from
``TaskRows.page_extras``, which gets the whole page's ids at once (one query per page,
never one per row). A field neither provides fails at start, not in a response.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import ISO_8601
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

from .models import Task
from .serializers import TaskSerializer
from .tags import tag_names_by_task


def iso_utc(value: datetime) -> str:
    """A date-time as DRF's ``DateTimeField`` writes it with ``DATETIME_FORMAT="iso-8601"``.

    UTC, ``Z`` for ``+00:00``, microseconds only when there are any (``isoformat``'s rule).
    """
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat()[:-6] + "Z"


def _as_is(value):
    return value


# Fields whose representation of a stored value is the value itself (str, int, bool).
_PLAIN = {
    cls.to_representation
    for cls in (
        drf_fields.CharField,
        drf_fields.IntegerField,
        drf_fields.BigIntegerField,
        drf_fields.BooleanField,
        drf_fields.ReadOnlyField,
    )
}


def _converter(field: drf_fields.Field) -> Callable:
    """The fastest function that gives what ``field.to_representation`` gives."""
    representation = type(field).to_representation
    if representation is drf_fields.DateTimeField.to_representation:
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if str(output_format).lower() == ISO_8601 and getattr(field, "timezone", None) is None:
            return iso_utc
    elif representation in _PLAIN and not getattr(field, "coerce_to_string", False):
        return _as_is
    return field.to_representation


class TaskRows:
    """The columns a task's answer needs, and the function that turns rows into answers.

    Subclass (or extend) ``page_extras`` for fields that are not columns of the task table.
    """

    #: Serializer fields this class fills from ``page_extras`` rather than from a column.
    extra_fields: tuple[str, ...] = ("tags",)
    #: Values the queryset annotates (``tasks.selectors.task_with_links``), read like columns.
    annotated_columns: tuple[str, ...] = ("next_occurrence_id",)

    def __init__(self, serializer_class=TaskSerializer, model=Task):
        columns = {field.attname for field in model._meta.concrete_fields} | set(self.annotated_columns)
        self.names: list[str] = []
        self.converters: list[Callable] = []
        self.columns: list[str] = []
        for name, field in serializer_class().fields.items():
            if field.write_only:
                continue
            source = field.source if field.source != "*" else name
            self.names.append(name)
            if source in columns:
                self.columns.append(source)
                self.converters.append(_converter(field))
            elif name in self.extra_fields:
                self.columns.append(None)
                self.converters.append(_as_is)
            else:
                raise ImproperlyConfigured(
                    f"{serializer_class.__name__}.{name} is not a column of {model.__name__}: "
                    "add it to TaskRows.extra_fields and fill it in page_extras."
                )
        # The ordering fields and the id are columns, so the cursor reads them from a row.
        self.query_columns = [column for column in self.columns if column is not None]
        if "id" not in self.query_columns:
            self.query_columns.append("id")

    def page_extras(self, task_ids: list[int]) -> dict[str, dict[int, object]]:
        """Values of ``extra_fields`` for a page's tasks, field → task id → value (one query each)."""
        names = tag_names_by_task(task_ids) if task_ids else {}
        return {"tags": {pk: names.get(pk, []) for pk in task_ids}}

    def rows(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` as plain dicts of the columns an answer needs."""
        return queryset.values(*self.query_columns)

    def shape(self, rows: Iterable[dict]) -> list[dict]:
        """The answers for ``rows`` (from ``rows()``), in the serializer's key order."""
        rows = list(rows)
        extras = self.page_extras([row["id"] for row in rows]) if self.extra_fields else {}
        plan = list(zip(self.names, self.columns, self.converters, strict=True))
        shaped = []
        for row in rows:
            item = {}
            for name, column, convert in plan:
                value = row[column] if column is not None else extras[name].get(row["id"])
                item[name] = None if value is None else convert(value)
            shaped.append(item)
        return shaped


@cache
def task_rows() -> TaskRows:
    """The process's ``TaskRows``, built once from the serializer's declaration."""
    return TaskRows()
