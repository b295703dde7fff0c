"""Request-level guards and the request id that ties a response to its log lines."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils.cache import patch_cache_control, patch_vary_headers

from .metrics import database_error_observed
from .problems import DATABASE_UNAVAILABLE, database_unavailable_response, problem_response
from .request_id import request_id_var

logger = logging.getLogger(__name__)

# A caller's id is echoed only when it is short and plain, so logs cannot be forged with it.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


class RequestIDMiddleware:
    """Takes the caller's ``X-Request-ID`` (or makes one) and returns it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        # fullmatch: "$" would let a trailing newline through, which no header may carry.
        request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Not reset afterwards: Django logs a 5xx only once this middleware has returned,
        # and that line should carry the id too. The next request sets its own.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class RequestLimitsMiddleware:
    """Refuses, before anything reads the body, a request this API will not handle.

    - 431 when one header is larger than ``API_MAX_HEADER_BYTES``. Servers differ in what
      they let through (gunicorn stops at 8 KiB by default, the development server at
      64 KiB); checking here gives every server the same answer.
    - On ``/api/``, 413 when ``Content-Length`` announces more than ``API_MAX_BODY_BYTES``:
      reading first would leave a worker waiting for bytes that may never come.
    - On ``/api/``, 411 for a chunked body without ``Content-Length``: WSGI hands Django no
      such body, so the request would otherwise be served as if it had none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.oversized_header(request)
        if refusal is None and request.path_info.startswith("/api/"):
            refusal = self.unreadable_body(request)
        return refusal or self.get_response(request)

    def oversized_header(self, request):
        limit = settings.API_MAX_HEADER_BYTES
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and len(value) > limit:
                name = key[5:].replace("_", "-").title()
                return problem_response(
                    status=431,
                    code="header_too_large",
                    detail=f"The {name} header is larger than {limit} bytes.",
                )
        return None

    def unreadable_body(self, request):
        limit = settings.API_MAX_BODY_BYTES
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            return problem_response(
                status=413,
                code="payload_too_large",
                detail=f"The request body is larger than {limit} bytes.",
            )
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not declared:
            return problem_response(
                status=411,
                code="length_required",
                detail="Send the body with a Content-Length header; chunked bodies are not read.",
            )
        return None


# A persistent connection idle for longer than this is checked (``SELECT 1``) before reuse.
HEALTH_CHECK_AFTER_IDLE_SECONDS = 10.0


class DatabaseUnavailableMiddleware:
    """503 with ``Retry-After`` on every route (API and admin) when the database does not answer.

    It also makes the connection health check (``CONN_HEALTH_CHECKS``) cheap: a connection
    that served a request within ``HEALTH_CHECK_AFTER_IDLE_SECONDS`` is reused without its
    ``SELECT 1``, a round trip per request under load; one that sat idle longer (which a
    serverless Postgres closes) is still checked, and replaced rather than failing. A
    connection that broke while busy fails its query: a 503 here, and Django replaces it
    when the request ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        used = getattr(connection, "last_query_at", None)
        if used is not None and time.monotonic() - used < HEALTH_CHECK_AFTER_IDLE_SECONDS:
            connection.health_check_done = True
        # The project has one database; its connection is this thread's (or task's).
        with connection.execute_wrapper(_note_query_time):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.error("Database unavailable (%s) on %s", exception.__class__.__name__, request.path)
            database_error_observed(exception)
            return database_unavailable_response()
        return None


def _note_query_time(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    finally:
        context["connection"].last_query_at = time.monotonic()


class PrivateApiResponsesMiddleware:
    """``/api/`` answers belong to one user: no shared cache keeps them, clients revalidate.

    ``private, no-cache`` still lets the browser keep a copy and revalidate it with the
    ``ETag`` (a 304 costs no body); ``Vary: Authorization`` keeps one user's copy from
    answering another's request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Authorization"])
        return response
