"""Pages of a list as a bare array, with ``X-Total-Count`` and an RFC 8288 ``next`` link.

``limit`` and ``offset`` work as in most APIs; the ``next`` link carries a ``cursor``
instead, which names the last task shown (keyset pagination), so a task added or
removed while a client walks the pages neither repeats nor skips a task.
"""

from django.db.models import QuerySet
from django.db.models.expressions import OrderBy
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .cursors import Cursor
from .declared_fields import DeclaredFieldsShallow

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Far beyond any list, yet OFFSET + LIMIT still fits the databases' 64-bit integers.
MAX_OFFSET = 2**53 - 1
CURSOR_MAX_LENGTH = 1024


class PageParameters(DeclaredFieldsShallow, serializers.Serializer):
    """``limit``, ``offset`` and ``cursor`` from the query string."""

    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)
    cursor = serializers.CharField(max_length=CURSOR_MAX_LENGTH, required=False)

    def validate(self, attrs):
        if "offset" in attrs and "cursor" in attrs:
            raise serializers.ValidationError({"cursor": ["Give either offset or cursor, not both."]})
        return attrs


class TaskPagination(BasePagination):
    """Limit/offset or cursor, always answered with a bare array and headers."""

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        # ``queryset`` may be lazy (the view's): a first page the view reads itself, short of
        # a next page, never builds it.
        params = PageParameters(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit = params.validated_data["limit"]

        self.request = request
        counted = queryset
        cursor = None
        if "cursor" in params.validated_data:
            ordering = _primary_ordering(queryset)
            cursor = Cursor.decode(params.validated_data["cursor"], field=ordering, model=queryset.model)
            queryset = queryset.filter(cursor.rows_after(queryset.model))
        offset = params.validated_data.get("offset", 0)
        # One more tells if there is a next page. The view may read a first page its own way,
        # as answers (the cursor then takes the sort value as the answer shows it).
        first_page = getattr(view, "first_page_answers", None) if cursor is None and not offset else None
        rows = first_page(limit + 1) if first_page else None
        self.answered = rows is not None
        if rows is None:
            rows = list(queryset[offset : offset + limit + 1])

        self.next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            ordering = _primary_ordering(queryset)
            self.next_cursor = Cursor(ordering, _value(last, ordering.lstrip("-")), _value(last, "pk"))
        if cursor is None and self.next_cursor is None and (rows or not offset):
            # The last page of a walk by offset (or the only page): every task is counted.
            self.total = offset + len(rows)
        else:
            self.total = counted.count()
        return rows

    def get_paginated_response(self, data) -> Response:
        headers = {"X-Total-Count": str(self.total)}
        if self.next_cursor is not None:
            url = remove_query_param(self.request.build_absolute_uri(), "offset")
            url = replace_query_param(url, "cursor", self.next_cursor.encode())
            headers["Link"] = f'<{url}>; rel="next"'
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return schema

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def parameter(name, description, schema):
            return {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
            }

        return [
            parameter(
                "limit",
                f"Page size, 1 to {MAX_LIMIT}.",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            ),
            parameter(
                "offset",
                "How many tasks to skip (not with `cursor`).",
                {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            ),
            parameter(
                "cursor",
                "The cursor from a `next` link (not with `offset`).",
                {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            ),
        ]


def _value(row, name: str):
    """A column of a row, whether a model instance or a ``values()`` dict."""
    if isinstance(row, dict):
        return row["id" if name == "pk" else name]
    return getattr(row, name)


def _primary_ordering(queryset: QuerySet) -> str:
    """The first sort key as an ordering name (``-due_at``), from a name or an ``OrderBy``."""
    first = (queryset.query.order_by or queryset.model._meta.ordering)[0]
    if isinstance(first, OrderBy):
        return ("-" if first.descending else "") + first.expression.name
    return first
