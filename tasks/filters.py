"""The list's query parameters: filters and ordering. A value outside them is a 422."""

import django_filters
from django.db.models import Q, QuerySet

from .models import Task

ORDERINGS = ("created_at", "-created_at", "updated_at", "-updated_at", "title", "-title")
STATUS_COMPLETED = {"completed": True, "pending": False}
SEARCH_MAX_LENGTH = 200


class TaskFilter(django_filters.FilterSet):
    """``completed``, ``status``, ``search`` and ``ordering`` of the contract."""

    completed = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="Only completed (true) or open (false) tasks.",
    )
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
