"""Form fields of the list's query string that django-filter does not have: strict, each a 422."""

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import TAGS_PER_TASK_MAX, Priority
from .tags import tag_key, tag_name_clean

PRIORITY_BY_NAME = {label.lower(): value for value, label in Priority.choices}


def _error(message: str, code: str) -> ValidationError:
    """An error whose text may quote the input: django-filter %-formats every message, so the
    text travels as a parameter (a "%" typed by the client is no format directive)."""
    return ValidationError("%(message)s", code=code, params={"message": message})


class PriorityListField(forms.CharField):
    """``high`` or ``high,medium``: the priorities' stored values; an unknown name is an error."""

    def clean(self, value) -> list[int] | None:
        value = super().clean(value)
        if not value:
            return None
        names = [name.strip() for name in value.split(",")]
        unknown = [name for name in names if name not in PRIORITY_BY_NAME]
        if unknown:
            raise _error(
                f"Unknown priority {unknown[0][:20]!r}; use low, medium or high, comma-separated.",
                "invalid_choice",
            )
        return sorted({PRIORITY_BY_NAME[name] for name in names})


class TagKeysField(forms.Field):
    """``tag=work&tag=home``: each a tag name (``tag=`` is an error), as the keys tags match by."""

    widget = forms.MultipleHiddenInput  # every value of a repeated parameter, not the last

    def clean(self, value) -> list[str] | None:
        if not value:
            return None
        if len(value) > TAGS_PER_TASK_MAX:
            # No task carries more, so such a query could only ever match nothing.
            raise _error(f"At most {TAGS_PER_TASK_MAX} tags.", "max_length")
        keys = []
        for item in value:
            try:
                keys.append(tag_key(tag_name_clean(item)))
            except ValidationError as error:
                raise _error(error.messages[0], error.code) from None
        return list(dict.fromkeys(keys))


class AwareDateTimeField(forms.CharField):
    """An ISO 8601 date-time with a UTC offset, in UTC; naive or unparsable is an error.

    Django's ``DateTimeField`` would read a naive value in the server's time zone: the
    contract says no guessing of time zones.
    """

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date-time with a UTC offset, e.g. 2026-11-23T17:00:00Z "
        "(in a URL, write + as %2B).",
        "naive": "The date-time needs a UTC offset (Z or +01:00); none is guessed.",
    }

    def clean(self, value) -> datetime | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
            if parsed is not None and not timezone.is_naive(parsed):
                return parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # "2026-13-45…", or before year 1 once in UTC
            parsed = None
        code = "invalid" if parsed is None else "naive"
        raise _error(self.error_messages[code], code)
