"""What the OpenAPI document says about versions, retries and sync (headers and statuses)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from todo_project.problems import PROBLEM_CONTENT_TYPE

from .schema import PROBLEM


def _problems(descriptions: dict[int, str]) -> dict:
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(PROBLEM, description=description)
        for status, description in descriptions.items()
    }


ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The task\'s version, strong (`"<id>-<version>"`); send it back as `If-Match`.',
    response=[200, 201],
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag you have: 304 with no body while it is current.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of your last response (or `*`): the write happens only if it is still "
    "current, else 412. Required (else 428) when the server sets API_REQUIRE_IF_MATCH.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="1 to 255 printable ASCII characters, new for each intended request: a retry with "
    "the same key and body replays the first successful answer for 24 hours.",
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="`true` when this is the stored answer of an earlier request with the same key.",
    response=[200, 201],
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before retrying.",
    response=[409],
)
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: the If-None-Match ETag is current.")}
CONDITIONAL_WRITE_ERRORS = _problems(
    {
        412: "If-Match names no current version (or is malformed); the current ETag is in the header.",
        428: "API_REQUIRE_IF_MATCH is on and the write has no If-Match.",
    }
)
IDEMPOTENCY_ERRORS = _problems(
    {409: "A request with this Idempotency-Key is still running; see Retry-After."}
)
SYNC_ERRORS = _problems(
    {410: "The sync token is forged, another user's or too old: sync again from scratch."}
)
