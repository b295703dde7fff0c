"""The task API: one viewset serves both route families."""

from contextlib import contextmanager
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.authentication import user_check_before_refusal, user_check_complete, user_check_deferred

from .exceptions import TaskNotFound
from .filters import TaskFilter
from .models import Task
from .pagination import TaskPagination
from .permissions import IsPathUser
from .query_fields import TagKeysField
from .rows import task_rows
from .schema import TaskSchema, UserPathSchema
from .schema_views import USER_ID_PARAMETER, task_schema_view
from .selectors import task_list_for, task_with_links
from .serializers import TaskCompletionSerializer, TaskInputSerializer, TaskSerializer
from .services import task_create, task_edit_transaction, task_toggle_completion, task_update
from .sync import task_delete
from .task_reads import task_first_answers, task_for_write, task_id_from_path, task_owned, task_row
from .versions import task_etag, version_etag
from .view_mixins import TaskChangesMixin, TaskVersionsMixin, idempotent


@lru_cache(maxsize=1024)
def _detail_prefix(name: str, kwargs: tuple[tuple[str, str], ...], script_prefix: str) -> str:
    """The path of route ``name``'s task URL up to its id (the id is the last segment, digits),
    under ``script_prefix`` (``reverse`` reads the request's): ``reverse`` cost a create about
    6 % of its time in-process."""
    path = reverse(name, kwargs={**dict(kwargs), "pk": 0})
    if not path.endswith("/0"):
        raise ImproperlyConfigured(f"{name}'s URL must end with the task's id, not {path!r}.")
    return path[: -len("0")]


@task_schema_view
class TaskViewSet(TaskChangesMixin, TaskVersionsMixin, viewsets.ModelViewSet):
    """The authenticated user's tasks; another user's task is simply not found."""

    schema = TaskSchema()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = TaskPagination
    permission_classes = [IsAuthenticated, IsPathUser]
    # Digits only, so /api/tasks/tasks stays the list of a user whose id is "tasks"; any
    # length, so an id beyond 64 bits is "task not found" too (Django matches it to no row).
    lookup_value_regex = r"[0-9]+"

    # Actions whose queries check the account themselves: the reads join the user's
    # ``is_active``, a create's change number is taken only for an active user.
    ACCOUNT_CHECKING_ACTIONS = frozenset(
        {"list", "retrieve", "create", "update", "partial_update", "destroy", "complete"}
    )

    def user_checked_by_query(self) -> bool:
        """Authentication may skip the user's query: the action's own queries check the account."""
        return self.action in self.ACCOUNT_CHECKING_ACTIONS

    def handle_exception(self, exc):
        if isinstance(exc, Task.DoesNotExist):  # deleted between the look-up and the lock
            exc = TaskNotFound()
        # The deferred account check comes before any other refusal (accounts.authentication).
        return super().handle_exception(user_check_before_refusal(self.request, exc))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()  # the schema generator's view has no user
        # Newest first, ties by id: Task.Meta.ordering, which the cursor relies on.
        user = self.request.user
        return task_with_links(queryset=task_list_for(user=user, user_active=user_check_deferred(user)))

    def filter_queryset(self, queryset):
        # Filters and ordering are the list's: a task's own URL names it whatever the query says.
        if self.action != "list":
            return queryset
        # Without any of its parameters, django-filter would build and validate a form for nothing.
        if self._unfiltered():
            return queryset
        return super().filter_queryset(queryset)

    def _unfiltered(self) -> bool:
        return self.request.query_params.keys().isdisjoint(self.filterset_class.base_filters)

    def first_page_answers(self, count: int) -> list[dict] | None:
        """The pagination's first page without filters or ordering but ``tag``, as answers: a
        prepared query (else None, and the filters run as usual)."""
        params = self.request.query_params
        named = params.keys() & self.filterset_class.base_filters.keys()
        if named - {"tag"}:
            return None
        try:
            keys = TagKeysField().clean(params.getlist("tag")) or []
        except DjangoValidationError:
            return None  # the filter answers it, as a 422
        user = self.request.user
        active = user_check_deferred(user)
        return task_first_answers(user=user, count=count, user_active=active, tag_keys=tuple(keys))

    def list(self, request, *args, **kwargs):
        # Rows, not model instances through the serializer: the same JSON (tasks/rows.py).
        rows = task_rows()
        # Built only if the page needs it (tasks.pagination): a first page has its own query.
        queryset = SimpleLazyObject(lambda: rows.rows(self.filter_queryset(self.get_queryset())))
        page = self.paginate_queryset(queryset)
        if not page:
            user_check_complete(request)  # no row: maybe no account (first sight) or a deactivated one
        return self.get_paginated_response(page if self.paginator.answered else rows.shape(page))

    def retrieve(self, request, *args, **kwargs):
        user = request.user
        pk = task_id_from_path(self.kwargs["pk"])
        row = None if pk is None else task_row(user=user, pk=pk, user_active=user_check_deferred(user))
        if row is None:
            raise TaskNotFound()  # a deactivated user hears 401 (handle_exception)
        etag = version_etag(task_id=row["id"], version=row["version"])
        return Response(task_rows().shape([row])[0], headers={"ETag": etag})

    def get_object(self, *, for_write: bool = False) -> Task:
        """The task of the URL; ``for_write``: locked, in the write's open transaction."""
        user = self.request.user
        pk = task_id_from_path(self.kwargs["pk"])
        read = task_for_write if for_write else task_owned
        task = None if pk is None else read(user=user, pk=pk, user_active=user_check_deferred(user))
        if task is None:
            # A deactivated user hears 401, not "not found" (handle_exception checks, after
            # the write's transaction is rolled back: the account's sync must not go with it).
            raise TaskNotFound()
        self.check_object_permissions(self.request, task)
        return task

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def write() -> Response:
            self.perform_create(serializer)
            task = serializer.instance
            return self.answer(task, status=status.HTTP_201_CREATED, headers=self.get_success_headers(task))

        return write

    def input_serializer(self, *args, **kwargs) -> TaskInputSerializer:
        """The body's checks: ``TaskSerializer``'s writable fields alone (the schema's ``TaskRequest``)."""
        return TaskInputSerializer(*args, context=self.get_serializer_context(), **kwargs)

    def perform_create(self, serializer):
        request = self.request
        with _service_errors_as_422():
            fields = serializer.validated_data
            task = task_create(user=request.user, user_active=user_check_deferred(request.user), **fields)
            if task is None:  # no active account: refused (401), or seen for the first time
                user_check_complete(request)
                task = task_create(user=request.user, **fields)
            serializer.instance = task

    def perform_update(self, serializer, *, locked: bool = False):
        with _service_errors_as_422():
            serializer.instance = task_update(
                task=serializer.instance,
                precondition=self.precondition,
                locked=locked,
                **serializer.validated_data,
            )

    def perform_destroy(self, instance):
        task_delete(task=instance, precondition=self.precondition)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        # Where rows lock, one transaction from the look-up on: the task is read once, locked.
        with task_edit_transaction() as locked:
            task = self.get_object(for_write=locked)
            serializer = self.input_serializer(task, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer, locked=locked)
        return self.answer(serializer.instance)

    def answer(self, task: Task, **response) -> Response:
        """One task as the answer, with its ETag: built from the written instance (tasks/rows.py)."""
        headers = {"ETag": task_etag(task), **response.pop("headers", {})}
        return Response(task_rows().answer(task), headers=headers, **response)

    def get_success_headers(self, task: Task) -> dict:
        # The new task lives under the collection that was posted to. Reversed, not built
        # from the decoded path, so a user id's "?" or "%" is escaped (and the optional
        # trailing slash "/?" reverses to none); once per route and user (_detail_prefix).
        namespace = self.request.resolver_match.namespace
        name = f"{namespace}:{self.basename}-detail" if namespace else f"{self.basename}-detail"
        prefix = _detail_prefix(name, tuple(sorted(self.kwargs.items())), get_script_prefix())
        return {"Location": self.request.build_absolute_uri(f"{prefix}{task.pk}")}

    @action(detail=True, methods=["patch"], url_path="complete")
    @idempotent
    def complete(self, request, *args, **kwargs):
        task = self.get_object()
        body = TaskCompletionSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def write() -> Response:
            if "completed" in body.validated_data:
                completed = body.validated_data["completed"]
                done = task_update(task=task, precondition=self.precondition, completed=completed)
            else:
                done = task_toggle_completion(task=task, precondition=self.precondition)
            return self.answer(done)

        return write


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
