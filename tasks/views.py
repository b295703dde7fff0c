"""The task API: one viewset serves both route families."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .exceptions import TaskNotFound
from .filters import TaskFilter
from .models import Task
from .pagination import TaskPagination
from .permissions import IsPathUser
from .schema import ERROR_RESPONSES, LIST_HEADERS, LOCATION_HEADER, TaskSchema, UserPathSchema
from .selectors import task_list_for, task_with_links
from .serializers import TaskCompletionSerializer, TaskSerializer
from .services import task_create, task_toggle_completion, task_update

USER_ID_PARAMETER = OpenApiParameter(
    "user_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Your Better Auth user id."
)
# The lookup regex alone would make it a string with a pattern in generated clients.
TASK_ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The task's id."
)


@extend_schema_view(
    list=extend_schema(
        parameters=LIST_HEADERS, responses={200: TaskSerializer(many=True), **ERROR_RESPONSES}
    ),
    create=extend_schema(parameters=[LOCATION_HEADER], responses={201: TaskSerializer, **ERROR_RESPONSES}),
    retrieve=extend_schema(
        parameters=[TASK_ID_PARAMETER], responses={200: TaskSerializer, **ERROR_RESPONSES}
    ),
    update=extend_schema(parameters=[TASK_ID_PARAMETER], responses={200: TaskSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(
        parameters=[TASK_ID_PARAMETER], responses={200: TaskSerializer, **ERROR_RESPONSES}
    ),
    destroy=extend_schema(parameters=[TASK_ID_PARAMETER], responses={204: None, **ERROR_RESPONSES}),
    complete=extend_schema(
        parameters=[TASK_ID_PARAMETER],
        request=TaskCompletionSerializer,
        responses={200: TaskSerializer, **ERROR_RESPONSES},
        description='No body (or no `completed`) toggles the task; `{"completed": true|false}` sets it.',
    ),
)
class TaskViewSet(viewsets.ModelViewSet):
    """The authenticated user's tasks; another user's task is simply not found."""

    schema = TaskSchema()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = TaskPagination
    permission_classes = [IsAuthenticated, IsPathUser]
    # Digits only, so /api/tasks/tasks stays the list of a user whose id is "tasks"; any
    # length, so an id beyond 64 bits is "task not found" too (Django matches it to no row).
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()  # the schema generator's view has no user
        # Newest first, ties by id: Task.Meta.ordering, which the cursor relies on.
        return task_with_links(queryset=task_list_for(user=self.request.user))

    def filter_queryset(self, queryset):
        # Filters and ordering are the list's: a task's own URL names it whatever the query says.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Task:
        try:
            return super().get_object()
        except Http404:
            raise TaskNotFound() from None

    def perform_create(self, serializer):
        with _service_errors_as_422():
            serializer.instance = task_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        with _service_errors_as_422():
            serializer.instance = task_update(task=serializer.instance, **serializer.validated_data)

    def get_success_headers(self, data) -> dict:
        # Called for create only: the new task lives under the collection that was posted to.
        # Reversed, not built from the decoded path, so a user id's "?" or "%" is escaped
        # (and the optional trailing slash "/?" reverses to none).
        return {"Location": self.reverse_action("detail", kwargs={**self.kwargs, "pk": data["id"]})}

    @action(detail=True, methods=["patch"], url_path="complete")
    def complete(self, request, *args, **kwargs):
        task = self.get_object()
        body = TaskCompletionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "completed" in body.validated_data:
            task = task_update(task=task, completed=body.validated_data["completed"])
        else:
            task = task_toggle_completion(task=task)
        return Response(self.get_serializer(task).data)


@contextmanager
def _service_errors_as_422():
    """A rule the services check across fields (a recurrence and its due date) is a 422 on
    the field it names, like the serializer's own checks; nothing was stored."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from None


@extend_schema(parameters=[USER_ID_PARAMETER])
class UserTaskViewSet(TaskViewSet):
    """The same API under ``/api/{user_id}/tasks``; the path must name the token's user."""

    schema = UserPathSchema()
