"""Every error as ``application/problem+json`` (RFC 9457), from DRF and from Django alike."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from .request_id import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5
# What a database that does not answer raises (refused, dropped, timed out).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# DRF answers a failed validation with 400; the contract says 422 for every validation error.
_STATUS_OVERRIDES = {exceptions.ValidationError: 422}
# DRF's codes where the contract names them otherwise.
_CODE_OVERRIDES = {"parse_error": "malformed_json", "permission_denied": "forbidden"}


def problem(status: int, code: str, detail: str, **extra) -> dict:
    """The body of one problem."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def problem_response(*, status: int, code: str, detail: str, headers=None, **extra) -> JsonResponse:
    """A plain Django response carrying a problem (for code outside DRF views)."""
    response = JsonResponse(
        problem(status, code, detail, **extra), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def database_unavailable_response(detail: str = "The database is unavailable; try again shortly."):
    """503 with ``Retry-After``: the client may retry, the server is not broken."""
    return problem_response(
        status=503,
        code="service_unavailable",
        detail=detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def exception_handler(exc, context):
    """DRF's exception handler, with every answer reshaped as a problem.

    A database error is no APIException, so DRF's handler leaves it (``None``) to
    DatabaseUnavailableMiddleware, which answers it on every route alike.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Unexpected: Django's handler500 answers, without a trace.

    status = _STATUS_OVERRIDES.get(type(exc), response.status_code)
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_problem(exc.detail)
    else:
        body = _plain_problem(status, exc)
    response.status_code = status
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    request = context.get("request")
    if request is not None:
        # JSON whatever the view renders otherwise (the schema's YAML, the docs' HTML) and
        # whatever the client's Accept header asked for.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE
    # An error may carry its own headers (a token error its RFC 6750 challenge, an
    # unavailable identity provider its Retry-After); they win over DRF's defaults.
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


def _plain_problem(status: int, exc: exceptions.APIException) -> dict:
    detail = exc.detail
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    code = str(getattr(detail, "code", None) or exc.default_code)
    return problem(status, _CODE_OVERRIDES.get(code, code), str(detail))


def _validation_problem(detail) -> dict:
    errors = _as_error_dict(detail)
    field, messages = next(iter(errors.items()), ("non_field_errors", ["Invalid input."]))
    first = messages[0] if messages else "Invalid input."
    return problem(422, "validation_error", f"{field}: {first}", field=field, errors=errors)


def _as_error_dict(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field": ["message", ...]}``."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, inner in value.items() for message in _messages(inner)]
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


# --- Django's own error views (URLs outside DRF, and anything DRF lets through) ----------


def bad_request(request, exception=None):
    return problem_response(status=400, code="bad_request", detail="The request could not be understood.")


def permission_denied(request, exception=None):
    return problem_response(status=403, code="forbidden", detail="You may not do this.")


def page_not_found(request, exception=None):
    return problem_response(status=404, code="not_found", detail="There is nothing at this address.")


def server_error(request):
    return problem_response(
        status=500,
        code="server_error",
        detail="Something went wrong on our side; it has been logged.",
        request_id=current_request_id(),
    )
