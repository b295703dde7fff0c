"""JSON rendered by orjson, with the bytes DRF's own ``JSONRenderer`` would write.

DRF's renderer (compact separators, UTF-8 text unescaped, ``\\u2028``/``\\u2029`` escaped, no
NaN) spends most of a large list's rendering time in ``json.dumps``; orjson writes the same
text several times faster. Types orjson would write differently from DRF's encoder
(date-times, dates, times, decimals, UUIDs, lazy strings...) go through that encoder, and
anything orjson refuses (an integer beyond 64 bits, a lone surrogate, an indented answer a
client asked for) is rendered by DRF's renderer itself.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Passed through to ``default`` (DRF's encoder): orjson's own output differs for them
# (DRF writes a date-time's microseconds as milliseconds, a dataclass as an error...).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class ORJSONRenderer(JSONRenderer):
    """``application/json`` as DRF renders it, through orjson."""

    _encoder = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self._encoder.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        # DRF escapes both, so the JSON is also valid JavaScript.
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return rendered
