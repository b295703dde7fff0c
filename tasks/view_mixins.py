"""The HTTP side of versions, retries and sync, mixed into the task viewset.

- ``TaskVersionsMixin``: the ``If-Match`` of every write, parsed before anything runs
  (``self.precondition``); the view's answers carry the task's ``ETag``.
- ``idempotent``: wraps a handler (POST, ``/complete``) in the ``Idempotency-Key`` rules.
- ``TaskChangesMixin``: ``GET …/tasks/changes``.
"""

import functools

from django.db import IntegrityError, connection, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.authentication import user_check_complete
from todo_project.sent_with_commit import sent_with_commit

from .changes import DEFAULT_LIMIT, MAX_LIMIT, task_changes
from .idempotency import (
    HEADER,
    IdempotencyInProgress,
    idempotency_claim,
    idempotency_complete,
    idempotency_fingerprint,
    idempotency_key_clean,
    idempotency_stored,
)
from .schema import ERROR_RESPONSES
from .schema_sync import SYNC_ERRORS
from .serializers import TaskSerializer
from .versions import CONDITIONAL_WRITE_METHODS, precondition_parse


class TaskVersionsMixin:
    """If-Match in; the comparison itself happens under the row lock (services)."""

    precondition = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in CONDITIONAL_WRITE_METHODS and self.detail:
            # Malformed (412) or missing while required (428): refused before any query.
            self.precondition = precondition_parse(header=request.headers.get("If-Match"))


def idempotent(handler):
    """Runs a handler once per ``Idempotency-Key`` of the user and replays its answer.

    ``handler`` checks the request (reads and validation only) and returns ``write``, a
    callable that makes the writes and returns the response. Without the header ``write``
    runs at once. With it, the key is looked up before the checks, so a retry replays the
    first answer whatever the checks would say now; the writes, the key and the answer then
    commit together, and an answer that is not a success is not stored.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        header = request.headers.get(HEADER)
        if header is None:
            return handler(view, request, *args, **kwargs)()
        key = idempotency_key_clean(header=header)
        match = request.resolver_match
        route = f"{match.view_name} {sorted(match.kwargs.items())}"
        # request.data first: a body that does not parse is a 400 and claims nothing.
        fingerprint = idempotency_fingerprint(method=request.method, route=route, body=request.data)
        check = functools.partial(handler, view, request, *args, **kwargs)
        for _ in range(3):  # a key that expired (or was purged) since its look-up is free again
            try:
                return _run_once(check, request.user, key, fingerprint)
            except _KeyTaken:
                stored = idempotency_stored(user=request.user, key=key, fingerprint=fingerprint)
                if stored is not None:
                    user_check_complete(request)  # a deactivated account is refused, not replayed
                    return _replay(stored)
        raise IdempotencyInProgress()

    return wrapper


class _KeyTaken(Exception):
    """The key has a stored answer: leave the transaction, then replay it (or, expired, run)."""


def _run_once(check, user, key: str, fingerprint: str):
    try:
        if connection.vendor == "postgresql":
            # One statement takes the key's lock and looks it up; the open transaction stops
            # no other writer, so the checks may run inside it. The key's row goes out with
            # the COMMIT (one round trip for both).
            with sent_with_commit() as hold, transaction.atomic():
                _claim(user, key)
                return _write_and_keep(check(), user, key, fingerprint, before_key=hold)
        # SQLite has one writer, and a transaction here takes the write lock at once: only
        # the writes run in it. The key is looked up before the checks.
        _claim(user, key)
        write = check()
        with sent_with_commit() as hold, transaction.atomic():  # (hold() does nothing here)
            return _write_and_keep(write, user, key, fingerprint, before_key=hold)
    except IntegrityError:
        # A request that stored the key since it was looked up (on SQLite it held the write
        # lock first; on PostgreSQL it committed between the look-up's snapshot and its
        # lock) makes this one's row break the (user, key) uniqueness, which rolled these
        # writes back: its answer is replayed.
        if idempotency_claim(user=user, key=key):
            raise  # not the key's: the writes' own
        raise _KeyTaken() from None


def _claim(user, key: str) -> None:
    if not idempotency_claim(user=user, key=key):
        raise _KeyTaken()


def _write_and_keep(write, user, key: str, fingerprint: str, *, before_key):
    response = write()
    if 200 <= response.status_code < 300:
        before_key()
        idempotency_complete(
            user=user,
            key=key,
            fingerprint=fingerprint,
            status=response.status_code,
            body=response.data,
            location=response.get("Location", ""),
            etag=response.get("ETag", ""),
        )
    return response


def _replay(stored) -> Response:
    headers = {"Idempotent-Replayed": "true", "Location": stored.location, "ETag": stored.etag}
    return Response(stored.body, status=stored.status, headers={name: v for name, v in headers.items() if v})


CHANGES_RESPONSE = inline_serializer(
    "TaskChanges",
    {
        "changed": TaskSerializer(many=True),
        "deleted": serializers.ListField(child=serializers.IntegerField()),
        "next": serializers.CharField(help_text="The `since` of the next call."),
        "has_more": serializers.BooleanField(help_text="Call again at once with `next`."),
    },
)


class _ChangesQuery(serializers.Serializer):
    since = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class TaskChangesMixin:
    """``GET …/tasks/changes?since=TOKEN&limit=N``: an incremental sync."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.STR, description="`next` of the last call; omit it to get every task."
            ),
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=f"1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}."
            ),
        ],
        responses={200: CHANGES_RESPONSE, **ERROR_RESPONSES, **SYNC_ERRORS},
        description="Tasks created or changed and ids of tasks deleted since `since`. Follow `next` "
        "while `has_more`; a change may come twice (apply by `id` and `updated_at`). 410: sync again "
        "from scratch.",
    )
    @action(detail=False, methods=["get"], url_path="changes", filterset_class=None, pagination_class=None)
    def changes(self, request, *args, **kwargs):
        query = _ChangesQuery(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        since = query.validated_data.get("since")
        page = task_changes(user=request.user, since=since, limit=query.validated_data["limit"])
        return Response(
            {
                "changed": TaskSerializer(page.changed, many=True).data,
                "deleted": page.deleted,
                "next": page.next,
                "has_more": page.has_more,
            }
        )
