"""What the OpenAPI document says about responses that the serializers do not describe."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from todo_project.problems import PROBLEM_CONTENT_TYPE

PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "field": serializers.CharField(required=False),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
        "request_id": serializers.CharField(required=False),
    },
)

# Keyed by (status, media type): errors are application/problem+json, not application/json.
ERROR_RESPONSES = {
    (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(PROBLEM, description=description)
    for status, description in {
        400: "The body is not valid JSON.",
        401: "No token, or a token that is invalid or expired.",
        403: "The path names another user.",
        404: "No such task for this user.",
        405: "The method is not allowed on this path.",
        413: "The body is too large.",
        415: "The body is not JSON.",
        422: "A field or query value is not valid.",
        429: "Too many requests; see Retry-After.",
        500: "Unexpected; the body carries no detail beyond a request id.",
        503: "The database or the identity provider's keys are unreachable; see Retry-After.",
    }.items()
}

LIST_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        description="Tasks matching the filters.",
        response=[200],
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description='`<url>; rel="next"` when there are more.',
        response=[200],
    ),
]
LOCATION_HEADER = OpenApiParameter(
    "Location", OpenApiTypes.URI, OpenApiParameter.HEADER, description="The new task's URL.", response=[201]
)


class TaskSchema(AutoSchema):
    """Marks every field of a task in a response as required: the API always sends them all.

    drf-spectacular leaves out fields with a default (``description``, ``completed``), which
    a generated client would then type as optional. Adds each field's ``schema_extra``.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # A field's bounds that no DRF argument expresses (tasks.fields: ``schema_extra``).
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        return {**schema, **getattr(field, "schema_extra", {})}

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            schema["required"] = sorted(schema["properties"])
        return schema


class UserPathSchema(TaskSchema):
    """Operation ids of the ``/api/{user_id}/…`` family, apart from the ``/api/tasks`` ones."""

    def get_operation_id(self) -> str:
        return f"user_{super().get_operation_id()}"
