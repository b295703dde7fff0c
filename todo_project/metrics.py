"""Prometheus metrics: requests, latency and database failures, for one process or many.

Off unless ``METRICS_TOKEN`` is set: then nothing is counted and ``/api/metrics`` answers
404 like any unknown address. With several worker processes (gunicorn, granian, uvicorn
``--workers``), the server's start sets ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder:
every worker then writes its counts to files there and a scrape, whichever worker serves
it, adds up all of them (prometheus-client's multiprocess mode).
"""

import hmac
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from .problems import page_not_found, problem_response

# Any other method is counted as "other": a client must not mint label values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request that matched no route (a 404 scan, a static file, a refusal before routing) is
# labelled by this, never by its path: paths carry user and task ids and would make the
# series unbounded.
UNMATCHED_ROUTE = "<unmatched>"

REQUESTS = Counter(
    "http_requests", "Requests answered, by route pattern, method and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route pattern and method.",
    ["method", "route"],
)
DATABASE_ERRORS = Counter(
    "database_errors", "Requests answered 503 because the database failed, by exception.", ["error"]
)


def metrics_enabled() -> bool:
    """Whether requests are counted: only when a scraper can read the counts."""
    return bool(settings.METRICS_TOKEN)


def check_metrics_configuration() -> None:
    """Fails at start, not on every request, when the multiprocess folder is missing."""
    folder = settings.PROMETHEUS_MULTIPROC_DIR
    if folder and not os.path.isdir(folder):
        raise ImproperlyConfigured(f"PROMETHEUS_MULTIPROC_DIR={folder!r} is not a folder.")


def method_label(method: str) -> str:
    return method if method in _METHODS else "other"


def request_observed(*, method: str, route: str, status: int, seconds: float) -> None:
    """Counts one answered request and its duration."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def database_error_observed(exception: BaseException) -> None:
    """Counts a request the database failed (called where that failure becomes a 503)."""
    if metrics_enabled():
        DATABASE_ERRORS.labels(type(exception).__name__).inc()


def _registry():
    folder = settings.PROMETHEUS_MULTIPROC_DIR
    if not folder:
        return REGISTRY
    # A fresh registry per scrape, as prometheus-client's multiprocess mode requires: it
    # reads every worker's files, including those of workers that have since exited.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return registry


@csrf_exempt  # No cookie is involved: the token check must come first, for every method.
def metrics_view(request):
    """The Prometheus text format, for a scraper presenting ``Bearer <METRICS_TOKEN>``."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return page_not_found(request)
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        return problem_response(
            status=401,
            code="not_authenticated",
            detail="The metrics need the scraper's bearer token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if request.method not in ("GET", "HEAD"):
        return problem_response(
            status=405,
            code="method_not_allowed",
            detail=f'Method "{method_label(request.method)}" not allowed.',
            headers={"Allow": "GET, HEAD"},
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
