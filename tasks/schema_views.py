"""The task viewset's operations as the OpenAPI document describes them (``tasks.views``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from .schema import ERROR_RESPONSES, LIST_HEADERS, LOCATION_HEADER
from .schema_sync import (
    CONDITIONAL_WRITE_ERRORS,
    ETAG,
    IDEMPOTENCY_ERRORS,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    IF_MATCH,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    RETRY_AFTER,
)
from .serializers import TaskCompletionSerializer, TaskSerializer

USER_ID_PARAMETER = OpenApiParameter(
    "user_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Your Better Auth user id."
)
# The lookup regex alone would make it a string with a pattern in generated clients.
TASK_ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The task's id."
)
IDEMPOTENT_PARAMETERS = [ETAG, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, RETRY_AFTER]


task_schema_view = extend_schema_view(
    list=extend_schema(
        parameters=LIST_HEADERS, responses={200: TaskSerializer(many=True), **ERROR_RESPONSES}
    ),
    create=extend_schema(
        parameters=[LOCATION_HEADER, *IDEMPOTENT_PARAMETERS],
        responses={201: TaskSerializer, **ERROR_RESPONSES, **IDEMPOTENCY_ERRORS},
    ),
    retrieve=extend_schema(
        parameters=[TASK_ID_PARAMETER, ETAG, IF_NONE_MATCH],
        responses={200: TaskSerializer, **NOT_MODIFIED, **ERROR_RESPONSES},
    ),
    update=extend_schema(
        parameters=[TASK_ID_PARAMETER, ETAG, IF_MATCH],
        responses={200: TaskSerializer, **ERROR_RESPONSES, **CONDITIONAL_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[TASK_ID_PARAMETER, ETAG, IF_MATCH],
        responses={200: TaskSerializer, **ERROR_RESPONSES, **CONDITIONAL_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        parameters=[TASK_ID_PARAMETER, IF_MATCH],
        responses={204: None, **ERROR_RESPONSES, **CONDITIONAL_WRITE_ERRORS},
    ),
    complete=extend_schema(
        parameters=[TASK_ID_PARAMETER, IF_MATCH, *IDEMPOTENT_PARAMETERS],
        request=TaskCompletionSerializer,
        responses={200: TaskSerializer, **ERROR_RESPONSES, **CONDITIONAL_WRITE_ERRORS, **IDEMPOTENCY_ERRORS},
        description='No body (or no `completed`) toggles the task; `{"completed": true|false}` sets it.',
    ),
)
