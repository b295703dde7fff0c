"""Tasks as the API shows them, built from plain rows instead of serializer instances.

``TaskSerializer`` stays the one declaration of a task's shape. This module reads that
declaration once: the fields that are columns are fetched with ``values()`` and copied
into the answer with a converter per field type (date-times as DRF writes them, in UTC
with ``Z``); every other field (the list of tag names) must be an annotation of the same
query (``TaskRows.annotations``), so a page is one round trip and never a query per row.
A field neither provides fails at start, not in a response.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import ISO_8601
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

from todo_project.prepared import Compiled

from .models import Task
from .serializers import TaskSerializer
from .tags import TagNames


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

    Extend ``annotations`` for fields that are not columns of the task table.
    """

    #: Serializer fields that are not columns: the annotation (in the row's own query) each is read from.
    annotations = {"tags": ("tag_names", TagNames)}
    #: Values the queryset annotates (``tasks.selectors.task_with_links``), read like columns.
    annotated_columns: tuple[str, ...] = ("next_occurrence_id",)

    def __init__(self, serializer_class=TaskSerializer, model=Task):
        columns = {field.attname for field in model._meta.concrete_fields} | set(self.annotated_columns)
        columns |= {column for column, _ in self.annotations.values()}
        self.names: list[str] = []
        self.converters: list[Callable] = []
        self.columns: list[str] = []
        for name, field in serializer_class().fields.items():
            if field.write_only:
                continue
            source = field.source if field.source != "*" else name
            self.names.append(name)
            if name in self.annotations:
                self.columns.append(self.annotations[name][0])
                self.converters.append(_as_is)
            elif source in columns:
                self.columns.append(source)
                self.converters.append(_converter(field))
            else:
                raise ImproperlyConfigured(
                    f"{serializer_class.__name__}.{name} is not a column of {model.__name__}: "
                    "add its annotation to TaskRows.annotations."
                )
        # The ordering fields and the id are columns, so the cursor reads them from a row.
        self.query_columns = list(self.columns)
        if "id" not in self.query_columns:
            self.query_columns.append("id")
        self.plan = list(zip(self.names, self.columns, self.converters, strict=True))
        self._fused: WeakKeyDictionary = WeakKeyDictionary()  # Compiled -> its plan

    def rows(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` as plain dicts of the columns (and annotations) an answer needs."""
        annotated = {column: expression() for column, expression in self.annotations.values()}
        return queryset.annotate(**annotated).values(*self.query_columns)

    def shape(self, rows: Iterable[dict]) -> list[dict]:
        """The answers for ``rows`` (from ``rows()``), in the serializer's key order."""
        shaped = []
        for row in rows:
            item = {}
            for name, column, convert in self.plan:
                value = row[column]
                item[name] = None if value is None else convert(value)
            shaped.append(item)
        return shaped

    def answers_fetched(self, compiled: Compiled, fetched: list[tuple]) -> list[dict]:
        """The answers for rows as ``PreparedQuery.fetch`` gives them (tuples, before Django's
        converters): ``shape`` of ``rows()`` in one pass, each column's converters and this
        class's composed once per compilation. A NULL is null, as in ``shape`` (Django's
        converters of these columns keep it so)."""
        plan = self._fused.get(compiled)
        if plan is None:
            plan = self._fused[compiled] = self._fused_plan(compiled)
        answers = []
        for row in fetched:
            item = {}
            for name, index, convert in plan:
                value = row[index]
                item[name] = value if value is None or convert is None else convert(value)
            answers.append(item)
        return answers

    def _fused_plan(self, compiled: Compiled) -> list[tuple[str, int, Callable | None]]:
        index = {name: position for position, name in enumerate(compiled.names)}
        theirs = compiled.column_converters()
        plan = []
        for name, column, ours in self.plan:
            django = theirs[index[column]]
            if django is None:
                convert = None if ours is _as_is else ours
            elif ours is _as_is:
                convert = django
            else:

                def convert(value, django=django, ours=ours):
                    value = django(value)
                    return None if value is None else ours(value)

            plan.append((name, index[column], convert))
        return plan

    def answer(self, task: Task) -> dict:
        """The answer for one task instance, from its attributes: the writes set the annotated
        ones (``tag_names``, ``next_occurrence_id``). Through the serializer when one was
        never read (a deferred field), which then reads it.
        """
        values = task.__dict__
        read = all(column in values for column in self.columns)
        if read and all(values[column] is not None for column, _ in self.annotations.values()):
            return self.shape([values])[0]
        return TaskSerializer(task).data


@cache
def task_rows() -> TaskRows:
    """The process's ``TaskRows``, built once from the serializer's declaration."""
    return TaskRows()
