"""The list's keyset cursor: its ordering, the rows after it, and its sealed text form.

A cursor names the last task a page showed (its sort value and id); ``Cursor.rows_after``
is the one place of the keyset rule, across the NULL boundary of the nullable dates too.
"""

import base64
import binascii
import json
from datetime import UTC

from cryptography.fernet import Fernet, InvalidToken
from django.db.models import F, Field, Func, Model, Q, Value
from django.db.models.expressions import OrderBy
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

# The ids a task can have (a 64-bit BigAutoField).
MIN_ID, MAX_ID = -(2**63), 2**63 - 1


def _cursor_cipher() -> Fernet:
    # A key of its own, derived from SECRET_KEY: rotating that key only restarts walks.
    key = salted_hmac("tasks.pagination.cursor", "fernet", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def cursor_seal(data: dict) -> str:
    """``data`` encrypted and authenticated, as URL-safe text without padding.

    A cursor holds the last task's sort value (its title, with ``ordering=title``); sealed,
    no task text reaches URLs, access logs or proxies, and a cursor cannot be forged.
    """
    raw = json.dumps(data, separators=(",", ":")).encode()
    return _cursor_cipher().encrypt(raw).decode("ascii").rstrip("=")


def cursor_unseal(text: str) -> object:
    """What ``cursor_seal`` sealed; ``ValueError`` for anything it did not seal."""
    try:
        padded = (text + "=" * (-len(text) % 4)).encode("ascii")
        return json.loads(_cursor_cipher().decrypt(padded))
    except InvalidToken:
        raise ValueError("not a cursor of this API") from None


def ordering_by(ordering: str, *, model: type[Model]) -> list[OrderBy]:
    """The ``order_by`` of an ordering such as ``-due_at``: NULLs last either way, then the id
    in the same direction, which makes the order total (the cursor relies on both).

    ``NULLS LAST`` only on a column that can be NULL: on another it changes nothing but the
    plan (PostgreSQL's descending index scan gives NULLs first, so it would sort instead).
    """
    name, descending = ordering.lstrip("-"), ordering.startswith("-")
    nulls_last = True if model._meta.get_field(name).null else None
    if descending:
        return [F(name).desc(nulls_last=nulls_last), F("pk").desc()]
    return [F(name).asc(nulls_last=nulls_last), F("pk").asc()]


class Cursor:
    """A position after one row in an ordering ``(field, id)``, as an opaque string.

    ``value`` is None when that row had no value (a task without a due date): NULLs sort last
    in both directions, so what follows such a row is only NULLs with an id beyond it.
    """

    def __init__(self, field: str, value: object, pk: int):
        self.field, self.value, self.pk = field, value, pk

    def encode(self) -> str:
        value = self.value.isoformat() if hasattr(self.value, "isoformat") else self.value
        return cursor_seal({"o": self.field, "v": value, "id": self.pk})

    @classmethod
    def decode(cls, text: str, *, field: str, model: type[Model]) -> "Cursor":
        """The cursor, if it was made for this ordering; a ValidationError otherwise."""
        try:
            data = cursor_unseal(text)
            value, pk = data["v"], data["id"]
            if data["o"] != field or type(pk) is not int:
                raise ValueError("cursor of another ordering")
            if not MIN_ID <= pk <= MAX_ID:
                raise ValueError("no task has this id (the row comparison takes 64-bit ids only)")
            value = _cursor_value(model._meta.get_field(field.lstrip("-")), value)
        except (
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OverflowError,
            binascii.Error,
            UnicodeError,
        ):
            raise serializers.ValidationError(
                {"cursor": ["This cursor is not valid for this list; start again without it."]}
            ) from None
        return cls(field, value, pk)

    def rows_after(self, model: type[Model]) -> Q | LessThan | GreaterThan:
        """The rows that come after this position in its ordering (``ordering_by``).

        On a column without NULLs, a row comparison: ``(field, id) < (value, pk)`` (or ``>``),
        which PostgreSQL answers from the ``(user, field, id)`` index with an index scan; the
        equivalent ``field < v OR (field = v AND id < pk)`` makes it a bitmap scan and a sort.
        SQLite has row values since 3.15. On a column with NULLs (``due_at``, ``remind_at``),
        which sort last in both directions, the OR form, which crosses the NULL boundary.
        """
        name = self.field.lstrip("-")
        field, pk_field = model._meta.get_field(name), model._meta.pk
        if not field.null:
            lookup = LessThan if self.field.startswith("-") else GreaterThan
            return lookup(
                Row(F(name), F(pk_field.attname)),
                Row(Value(self.value, output_field=field), Value(self.pk, output_field=pk_field)),
            )
        op = "lt" if self.field.startswith("-") else "gt"
        if self.value is None:
            # The last row shown had no value: only the rest of the NULLs follow.
            return Q(**{f"{name}__isnull": True, f"pk__{op}": self.pk})
        after = Q(**{f"{name}__{op}": self.value}) | Q(**{name: self.value, f"pk__{op}": self.pk})
        # Every row without a value follows every row with one, in both directions.
        return after | Q(**{f"{name}__isnull": True})


class Row(Func):
    """A row value, ``(a, b)``, to compare with another one."""

    function = ""
    output_field = Field()


def _cursor_value(field: Field, value: object) -> object:
    """A cursor's sort value checked against the column it names; ValueError if it cannot be one."""
    if value is None:
        if not field.null:
            raise ValueError("NULL in a column that has none")
        return None
    kind = field.get_internal_type()
    if kind == "PositiveSmallIntegerField":
        if type(value) is not int or value not in {choice for choice, _ in field.choices}:
            raise ValueError("not one of the column's values")
        return value
    if not isinstance(value, str):
        raise ValueError("not text")
    if "\x00" in value:
        raise ValueError("no stored text holds NUL (PostgreSQL refuses it in a query)")
    value.encode("utf-8")  # a lone surrogate ("\ud800") fails here, not in the driver
    if kind == "DateTimeField":
        # parse_datetime raises ValueError on "2026-13-45…" and answers None on junk.
        value = parse_datetime(value)
        if value is None or timezone.is_naive(value):
            raise ValueError("not an aware date-time")
        # Here, not in the database adapter: "0001-01-01T00:00:00+05:00" is a valid
        # date-time whose UTC instant is before year 1 (OverflowError).
        value = value.astimezone(UTC)
    return value
