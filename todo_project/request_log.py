"""One timed log line per request, a ``Server-Timing`` header, and the request metrics."""

import logging
import time

from django.db import connection

from . import metrics

logger = logging.getLogger(__name__)


class DatabaseTimer:
    """An ``execute_wrapper`` that counts the queries of one request and adds up their time."""

    __slots__ = ("queries", "seconds")

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


class RequestLogMiddleware:
    """Times each request, logs it once, and counts it when metrics are on.

    The line names the route pattern, never the path or its query string: paths carry
    user and task ids, query strings carry search words. Nothing of the headers or body
    is logged. Outermost in ``MIDDLEWARE``, so the time covers every other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Read once at start: with METRICS_TOKEN unset, no metrics work is done at all.
        self.metrics = metrics.metrics_enabled()
        if self.metrics:
            metrics.check_metrics_configuration()

    def __call__(self, request):
        timer = DatabaseTimer()
        start = time.perf_counter()
        # The project has one database; its connection is this thread's (or task's).
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        seconds = time.perf_counter() - start

        app_ms, db_ms = seconds * 1000, timer.seconds * 1000
        response["Server-Timing"] = f"app;dur={app_ms:.1f}, db;dur={db_ms:.1f}"
        # Resource Timing shows Server-Timing to a page of another origin only with this
        # header: give it to exactly the origins CORS has just allowed.
        allowed_origin = response.get("Access-Control-Allow-Origin")
        if allowed_origin:
            response["Timing-Allow-Origin"] = allowed_origin

        match = request.resolver_match
        route = match.route if match is not None else metrics.UNMATCHED_ROUTE
        method = metrics.method_label(request.method)
        status = response.status_code
        if self.metrics:
            metrics.request_observed(method=method, route=route, status=status, seconds=seconds)
        if logger.isEnabledFor(logging.INFO):
            fields = {
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(app_ms, 1),
                "db_ms": round(db_ms, 1),
                "db_queries": timer.queries,
            }
            logger.info(
                "method=%s route=%s status=%d duration_ms=%.1f db_ms=%.1f db_queries=%d",
                *fields.values(),
                extra=fields,
            )
        return response
