"""The tag API: a user's tags with their counts, renamed (merged) or deleted, in both families."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .permissions import IsPathUser
from .schema import ERROR_RESPONSES, PROBLEM, UserPathSchema
from .tag_serializers import TagRenameSerializer, TagSerializer
from .tag_services import tag_delete, tag_get, tag_list_for, tag_rename
from .views import USER_ID_PARAMETER

NAME_PARAMETER = OpenApiParameter(
    "name",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The tag's name, URL-encoded, in any case.",
)
TAG_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    (404, "application/problem+json"): OpenApiResponse(
        PROBLEM, description="No such tag for this user (`tag_not_found`)."
    ),
}


class TagSchema(AutoSchema):
    """The rename body is validated whole although it comes with PATCH: ``name`` is required,
    not optional as drf-spectacular makes every field of a PATCH body."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        method, self.method = self.method, ("POST" if self.method == "PATCH" else self.method)
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = method


class UserTagSchema(TagSchema, UserPathSchema):
    """The tag schema with the ``/api/{user_id}/…`` family's operation ids."""


@extend_schema_view(
    list=extend_schema(responses={200: TagSerializer(many=True), **TAG_ERROR_RESPONSES}),
    retrieve=extend_schema(
        parameters=[NAME_PARAMETER], responses={200: TagSerializer, **TAG_ERROR_RESPONSES}
    ),
    partial_update=extend_schema(
        parameters=[NAME_PARAMETER],
        request=TagRenameSerializer,
        responses={200: TagSerializer, **TAG_ERROR_RESPONSES},
        description="Renames the tag on every task; onto an existing tag's name (any case), merges into it.",
    ),
    destroy=extend_schema(
        parameters=[NAME_PARAMETER],
        responses={204: None, **TAG_ERROR_RESPONSES},
        description="Removes the tag from every task; the tasks stay.",
    ),
)
class TagViewSet(viewsets.ViewSet):
    """The authenticated user's tags; another user's tag is simply not found."""

    schema = TagSchema()
    permission_classes = [IsAuthenticated, IsPathUser]
    lookup_field = "name"
    # Any text, "/" included (a decoded %2F); a last "/" is the optional trailing slash.
    lookup_value_regex = ".+?"

    def list(self, request, *args, **kwargs):
        return Response(TagSerializer(tag_list_for(user=request.user), many=True).data)

    def retrieve(self, request, *args, name: str, **kwargs):
        return Response(TagSerializer(tag_get(user=request.user, name=name)).data)

    def partial_update(self, request, *args, name: str, **kwargs):
        body = TagRenameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tag = tag_rename(user=request.user, name=name, new_name=body.validated_data["name"])
        return Response(TagSerializer(tag).data)

    def destroy(self, request, *args, name: str, **kwargs):
        tag_delete(user=request.user, name=name)
        return Response(status=204)


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserTagViewSet(TagViewSet):
    """The same API under ``/api/{user_id}/tags``; the path must name the token's user."""

    schema = UserTagSchema()
