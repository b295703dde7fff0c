"""Request-level guards and the request id that ties a response to its log lines."""

import re
import uuid

from django.conf import settings

from .problems import problem_response
from .request_id import request_id_var

# A caller's id is echoed only when it is short and plain, so logs cannot be forged with it.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestIDMiddleware:
    """Takes the caller's ``X-Request-ID`` (or makes one) and returns it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class HeaderSizeLimitMiddleware:
    """Answers 431 when one request header is larger than ``API_MAX_HEADER_BYTES``.

    Servers differ in what they let through (gunicorn stops at 8 KiB by default, the
    development server at 64 KiB); checking here gives every server the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.API_MAX_HEADER_BYTES
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and len(value) > limit:
                name = key[5:].replace("_", "-").title()
                return problem_response(
                    status=431,
                    code="header_too_large",
                    detail=f"The {name} header is larger than {limit} bytes.",
                )
        return self.get_response(request)
