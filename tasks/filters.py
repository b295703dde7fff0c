"""The list's query parameters: filters and ordering. A value outside them is a 422."""

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from .models import Task

ORDERINGS = ("created_at", "-created_at", "updated_at", "-updated_at", "title", "-title")
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


class TaskFilter(django_filters.FilterSet):
    """``completed``, ``status``, ``search`` and ``ordering`` of the contract."""

    completed = StrictBooleanFilter(help_text="Only completed (true) or open (false) tasks.")
    status = django_filters.ChoiceFilter(
        choices=[("completed", "completed"), ("pending", "pending"), ("all", "all")],
        method="filter_status",
        help_text="completed, pending or all (the default).",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Case-insensitive text in the title or description.",
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
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_ordering(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        # The id, in the same direction, makes the order total, which the cursor relies on.
        tiebreak = "-id" if value.startswith("-") else "id"
        return queryset.order_by(value, tiebreak)
