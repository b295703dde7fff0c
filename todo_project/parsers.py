"""The API's only request parser: JSON, with a size limit and clear errors."""

import json

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    """The body is larger than ``API_MAX_BODY_BYTES``."""

    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """Reads at most ``API_MAX_BODY_BYTES`` + 1 bytes, then parses strict JSON.

    DRF's parser reads the stream itself, so Django's own upload limit never applies to it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            # A lone surrogate ("\\ud800") is valid JSON but not storable text.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError) as exc:
            # ValueError covers bad UTF-8, bad JSON and unencodable text; RecursionError,
            # absurd nesting.
            raise ParseError("The request body is not valid JSON.", code="malformed_json") from exc
        return data


def _reject_constant(name: str):
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not valid JSON")
