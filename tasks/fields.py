"""Strict serializer fields of the task API: JSON types as the contract says, nothing coerced."""

import re
from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import TAG_NAME_MAX_LENGTH, TAGS_PER_TASK_MAX, Priority, Task
from .recurrence import recurrence_clean
from .tags import tag_names_by_task, tag_names_clean


class StrictCharField(serializers.CharField):
    """A string field that takes JSON strings only.

    DRF's ``CharField`` turns ``42`` or ``1.5`` into ``"42"``; the contract says "string",
    and a client sending a number has a bug it should hear about.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A boolean field that takes JSON ``true``/``false`` only.

    DRF's ``BooleanField`` also takes ``"yes"``, ``"1"``, ``0`` and friends, which makes
    ``"false"`` (a truthy string in JavaScript) silently mean false here.
    """

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


# Priority names as the API spells them, and back.
PRIORITY_NAMES = {choice: choice.name.lower() for choice in Priority}
PRIORITIES_BY_NAME = {name: choice for choice, name in PRIORITY_NAMES.items()}
# By the stored integer: a row's plain int finds its name without building the enum member
# (``Priority(value)`` was 4 µs a row, half a millisecond of a page of 100).
_PRIORITY_NAMES_BY_VALUE = {int(choice): name for choice, name in PRIORITY_NAMES.items()}


class TitleField(StrictCharField):
    """The title: what the schema adds is what ``CharField`` and the model already refuse."""

    # At least one character that is neither white space nor NUL, and no NUL anywhere.
    schema_extra = {"minLength": 1, "pattern": r"^[^\u0000]*[^\s\u0000][^\u0000]*$"}


class TagNameField(serializers.CharField):
    """One tag, as the schema shows it (``tag_name_clean`` is the rule)."""

    schema_extra = {"pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$"}


class PriorityField(serializers.ChoiceField):
    """``"low"``, ``"medium"`` or ``"high"`` (exactly); stored as ``Priority``'s 1/2/3."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(PRIORITIES_BY_NAME), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in PRIORITIES_BY_NAME:
            raise serializers.ValidationError(
                f"Expected one of {', '.join(PRIORITIES_BY_NAME)}, not {str(data)[:50]!r}.",
                code="invalid_choice",
            )
        return PRIORITIES_BY_NAME[data]

    def to_representation(self, value):
        return _PRIORITY_NAMES_BY_VALUE[int(value)]


class TagListField(serializers.ListField):
    """A task's tags: a list of names, cleaned by ``tasks.tags.tag_names_clean``.

    Read from the task's ``tag_names`` (the list serializer loads a whole page's in one
    query, the writes set them); a lone task without them costs one query.
    """

    child = TagNameField(max_length=TAG_NAME_MAX_LENGTH, min_length=1)  # what the schema shows
    schema_extra = {"maxItems": TAGS_PER_TASK_MAX}

    def get_attribute(self, instance):
        names = getattr(instance, "tag_names", None)
        if names is None:
            names = instance.tag_names = tag_names_by_task([instance.pk]).get(instance.pk, [])
        return names

    def to_internal_value(self, data):
        try:
            return tag_names_clean(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None

    def to_representation(self, data):
        return list(data)


# ISO 8601's extended date-time: a date, "T", a time (seconds and up to microseconds optional)
# and a UTC offset ("Z" or ±hh:mm); nothing guessed, no other separator or week dates.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with a UTC offset, stored and shown in UTC with a ``Z``.

    A value without an offset is refused: which time zone it meant cannot be known.
    """

    def to_internal_value(self, value):
        if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
            raise serializers.ValidationError(
                "Expected an ISO 8601 date-time with a UTC offset, such as 2026-11-23T17:00:00Z "
                "or 2026-11-23T18:00:00+01:00.",
                code="invalid",
            )
        try:
            return datetime.fromisoformat(value).astimezone(UTC)
        except (ValueError, OverflowError):
            raise serializers.ValidationError("This date-time does not exist.", code="invalid") from None


class RecurrenceField(StrictCharField):
    """Null, a shorthand or an RRULE, normalised by ``tasks.recurrence.recurrence_clean``."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return recurrence_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class LinkedTaskField(serializers.IntegerField):
    """The id of the task's next occurrence (``next_occurrence_id``, from
    ``tasks.selectors.task_with_links`` or the completing service); a lone task without it
    costs one query."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        if not hasattr(instance, "next_occurrence_id"):
            instance.next_occurrence_id = (
                Task.objects.filter(previous_occurrence_id=instance.pk).values_list("pk", flat=True).first()
            )
        return instance.next_occurrence_id

    def to_representation(self, value):
        return value
