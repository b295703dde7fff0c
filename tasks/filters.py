"""The list's query parameters: filters and ordering. A value outside them is a 422."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from .cursors import ordering_by
from .models import TAG_NAME_MAX_LENGTH, Task, TaskTag
from .query_fields import AwareDateTimeField, PriorityListField, TagKeysField
from .tags import task_tagged

SORT_FIELDS = ("created_at", "updated_at", "title", "due_at", "priority", "remind_at")
ORDERINGS = tuple(ordering for field in SORT_FIELDS for ordering in (field, f"-{field}"))
STATUS_COMPLETED = {"completed": True, "pending": False}
SEARCH_MAX_LENGTH = 200


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false`` and nothing else; documented as a plain boolean.

    django-filter's ``BooleanFilter`` quietly ignores ``completed=maybe``; a choice of two
    strings makes it a 422, and the annotation keeps the OpenAPI type a boolean rather
    than a boolean with a string enum.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)
        # An override replaces the whole parameter schema, so it carries the help text too.
        extend_schema_field({"type": "boolean", "description": self.extra.get("help_text", "")})(self)


class PriorityFilter(django_filters.Filter):
    """One priority or several, comma-separated."""

    field_class = PriorityListField


class TagFilter(django_filters.Filter):
    """Repeatable; every tag given must be on the task."""

    field_class = TagKeysField


class AwareDateTimeFilter(django_filters.Filter):
    """An ISO 8601 date-time with its offset."""

    field_class = AwareDateTimeField


def _schema(schema: dict):
    """The parameter's OpenAPI schema (an override replaces it whole, help text included)."""

    def decorate(filter_: django_filters.Filter) -> django_filters.Filter:
        return extend_schema_field({**schema, "description": filter_.extra.get("help_text", "")})(filter_)

    return decorate


DATE_TIME = {"type": "string", "format": "date-time"}
PRIORITY_LIST = {"type": "string", "pattern": "^(low|medium|high)(,(low|medium|high))*$"}
TAG_LIST = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": TAG_NAME_MAX_LENGTH}}


class TaskFilter(django_filters.FilterSet):
    """Every filter and ordering of the contract's "Listing"; NULL dates never match a bound."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # Only the filters the request names: django-filter deep-copies every filter (and
            # builds its form field) per request, about a tenth of a filtered list's time. A filter
            # that is absent would filter nothing anyway.
            self.base_filters = {name: filter_ for name, filter_ in self.base_filters.items() if name in data}
        super().__init__(data, *args, **kwargs)

    completed = StrictBooleanFilter(help_text="Only completed (true) or open (false) tasks.")
    status = django_filters.ChoiceFilter(
        choices=[("completed", "completed"), ("pending", "pending"), ("all", "all")],
        method="filter_status",
        help_text="completed, pending or all (the default).",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Case-insensitive text in the title, the description or a tag name.",
    )
    priority = _schema(PRIORITY_LIST)(
        PriorityFilter(
            field_name="priority", lookup_expr="in", help_text="low, medium or high; several comma-separated."
        )
    )
    tag = _schema(TAG_LIST)(
        TagFilter(method="filter_tag", help_text="Repeatable: tasks carrying every tag given (any case).")
    )
    due_before = _schema(DATE_TIME)(
        AwareDateTimeFilter(
            field_name="due_at", lookup_expr="lt", help_text="Due strictly before this date-time."
        )
    )
    due_after = _schema(DATE_TIME)(
        AwareDateTimeFilter(
            field_name="due_at", lookup_expr="gte", help_text="Due at or after this date-time."
        )
    )
    overdue = StrictBooleanFilter(
        method="filter_overdue", help_text="Due in the past and not completed (true), or not (false)."
    )
    has_due = StrictBooleanFilter(
        field_name="due_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="With (true) or without (false) a due date.",
    )
    remind_before = _schema(DATE_TIME)(
        AwareDateTimeFilter(
            method="filter_remind_before",
            help_text="Open tasks whose reminder is at or before this date-time.",
        )
    )
    recurring = StrictBooleanFilter(
        field_name="recurrence",
        lookup_expr="isnull",
        exclude=True,
        help_text="With (true) or without (false) a recurrence.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(value, value) for value in ORDERINGS],
        method="filter_ordering",
        help_text="Sort order; the default is -created_at (newest first).",
    )

    class Meta:
        model = Task
        fields = ["completed"]

    def filter_status(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value in STATUS_COMPLETED:
            return queryset.filter(completed=STATUS_COMPLETED[value])
        return queryset

    def filter_search(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # EXISTS, not a join: a task with two matching tags is still one row.
        tagged = TaskTag.objects.filter(task_id=OuterRef("pk"), tag__name__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | Exists(tagged))

    def filter_tag(self, queryset: QuerySet[Task], name: str, keys: list[str]) -> QuerySet[Task]:
        return task_tagged(queryset=queryset, keys=keys)

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        overdue = Q(due_at__lt=timezone.now(), completed=False)
        # ~Q: no due date is "not overdue" (Django adds the IS NOT NULL the negation needs).
        return queryset.filter(overdue if value else ~overdue)

    def filter_remind_before(self, queryset: QuerySet[Task], name: str, value) -> QuerySet[Task]:
        return queryset.filter(remind_at__lte=value, completed=False)

    def filter_ordering(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.order_by(*ordering_by(value, model=Task))
