"""Request-level guards and the request id that ties a response to its log lines."""

import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connection
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import db_deadline
from .db_outage import OutageBreaker
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

    - Each database wait while the request is served has a deadline
      (``DATABASE_QUERY_DEADLINE``, see ``db_deadline``): a frozen or cut-off database gives
      a 503 in seconds instead of holding the worker until the server kills it.
    - After a connection failure, views that need the database get their 503 at once for
      ``DATABASE_OUTAGE_COOLDOWN`` seconds (see ``db_outage``); the health probe never waits.
    - A database error from a view is answered here (``process_exception``); one raised in a
      middleware further in (which Django turns into a 500 before it gets here) is noted by
      ``got_request_exception`` and its 500 replaced by the same 503.
    - After either, connections the failure left broken are dropped, so the next request
      opens a new one.
    - The connection health check (``CONN_HEALTH_CHECKS``) is cheap: a connection that ran a
      query within ``HEALTH_CHECK_AFTER_IDLE_SECONDS`` is reused without its ``SELECT 1``, a
      round trip per request under load; one that sat idle longer (which a serverless
      Postgres closes) is still checked, and replaced rather than failing.
    """

    # Routes (URL names) whose views never touch the database: a scraper still gets the
    # metrics of an outage.
    DATABASE_FREE_ROUTES = frozenset({"health", "metrics"})

    def __init__(self, get_response):
        self.get_response = get_response
        self.deadline = getattr(settings, "DATABASE_QUERY_DEADLINE", 0)
        self.outage = OutageBreaker(getattr(settings, "DATABASE_OUTAGE_COOLDOWN", 0))
        if self.deadline:
            db_deadline.install()
        got_request_exception.connect(_note_database_unavailable, dispatch_uid=__name__)

    def __call__(self, request):
        used = getattr(connection, "last_query_at", None)
        if used is not None and time.monotonic() - used < HEALTH_CHECK_AFTER_IDLE_SECONDS:
            connection.health_check_done = True
        # The project has one database; its connection is this thread's (or task's).
        with db_deadline.request_deadline(self.deadline), connection.execute_wrapper(_note_query_time):
            response = self.get_response(request)
        failure = getattr(request, "database_unavailable", None)
        if failure is not None and response.status_code == 500:
            self.outage.record(failure)
            database_error_observed(failure)
            response = _as_database_unavailable(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self.outage.is_open() and request.resolver_match.url_name not in self.DATABASE_FREE_ROUTES:
            return database_unavailable_response()
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.error("Database unavailable (%s) on %s", exception.__class__.__name__, request.path)
            self.outage.record(exception)
            database_error_observed(exception)
            db_deadline.drop_broken_connections()
            return database_unavailable_response()
        return None


def _note_query_time(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    finally:
        context["connection"].last_query_at = time.monotonic()


def _note_database_unavailable(sender, request=None, **kwargs):
    """Marks a request whose unhandled exception (being handled right now) is a database one."""
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_UNAVAILABLE):
        request.database_unavailable = exception
        db_deadline.drop_broken_connections()


def _as_database_unavailable(server_error):
    """The 503 for a 500 a database error caused, with the headers the middleware added."""
    response = database_unavailable_response()
    for name, value in server_error.items():
        if name.lower() not in ("content-type", "content-length") and name not in response:
            response[name] = value
    return response


class HeadWithoutBodyMiddleware:
    """A HEAD answer has the headers a GET would have, ``Content-Length`` included, and no body.

    Views render HEAD like GET; a server must then drop the body (RFC 9110 §9.3.2), and
    gunicorn logs a warning for each. Outermost, so the headers are final.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = []
        else:
            if response.status_code not in (204, 304) and not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


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
