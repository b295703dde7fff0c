"""Tags: the rule of a tag name and the key a tag is matched by."""

import unicodedata

from django.core.exceptions import ValidationError

from .models import TAG_NAME_MAX_LENGTH


def tag_key(name: str) -> str:
    """What a tag is matched by: its case-folded name ("Work", "WORK" and "work" are one tag)."""
    # NFC first, so "é" typed as one character or as "e" and an accent is one tag.
    return unicodedata.normalize("NFC", name).casefold()


def tag_name_clean(value: object) -> str:
    """One tag name, trimmed and checked; raises ``ValidationError`` with a message that says why."""
    if not isinstance(value, str):
        raise ValidationError("A tag must be a string.", code="invalid")
    name = value.strip()
    if not name:
        raise ValidationError("A tag may not be blank.", code="blank")
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            f"A tag has at most {TAG_NAME_MAX_LENGTH} characters ({name[:20]!r}… has {len(name)}).",
            code="max_length",
        )
    # Cc: the control characters (NUL, tabs, newlines, DEL, C1); Cs: a lone surrogate, which
    # JSON's \\u escapes can smuggle in. Format characters stay: emoji sequences need them.
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in name):
        raise ValidationError(f"A tag may not contain control characters ({name[:20]!r}).", code="invalid")
    return name
