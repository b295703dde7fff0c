"""The task as the API shows it and accepts it."""

from rest_framework import serializers

from .declared_fields import DeclaredFieldsShallow
from .fields import (
    LinkedTaskField,
    OffsetDateTimeField,
    PriorityField,
    RecurrenceField,
    StrictBooleanField,
    StrictCharField,
    TagListField,
    TitleField,
)
from .models import DESCRIPTION_MAX_LENGTH, EDITABLE_FIELDS, RECURRENCE_MAX_LENGTH, TITLE_MAX_LENGTH, Task
from .tags import tag_names_by_task

TITLE_HELP = "Stripped of surrounding white space, then 1 to 200 characters; not blank, no NUL character."


class TaskListSerializer(serializers.ListSerializer):
    """A page of tasks: the tags of all of them in one query, not one per task."""

    def to_representation(self, data):
        tasks = list(data.all() if hasattr(data, "all") else data)
        missing = [task.pk for task in tasks if getattr(task, "tag_names", None) is None]
        if missing:
            names = tag_names_by_task(missing)
            for task in tasks:
                if getattr(task, "tag_names", None) is None:
                    task.tag_names = names.get(task.pk, [])
        return super().to_representation(tasks)


class _EditableFields(serializers.Serializer):
    """The editable fields, declared once: ``TaskInputSerializer`` checks them,
    ``TaskSerializer`` (the schema's ``Task`` and ``TaskRequest``) inherits them."""

    title = TitleField(max_length=TITLE_MAX_LENGTH, trim_whitespace=True, help_text=TITLE_HELP)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        default=None,
    )
    completed = StrictBooleanField(required=False)
    priority = PriorityField(required=False, help_text="Default medium.")
    tags = TagListField(
        required=False,
        max_length=None,
        help_text="Each trimmed, then 1 to 50 characters without control characters; compared "
        "case-insensitively and de-duplicated (the first spelling kept); at most 20; in the given order.",
    )
    due_at = OffsetDateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset; returned in UTC."
    )
    remind_at = OffsetDateTimeField(
        required=False, allow_null=True, help_text="With a UTC offset; returned in UTC."
    )
    recurrence = RecurrenceField(
        required=False,
        allow_null=True,
        max_length=RECURRENCE_MAX_LENGTH,
        help_text="null, daily, weekly, monthly, yearly, or an RFC 5545 RRULE with FREQ DAILY to YEARLY "
        "(e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10), returned upper case without an RRULE: prefix. "
        "Needs due_at; a rule that never yields a date after due_at is refused. Completing the task "
        "creates its next occurrence.",
    )


class TaskInputSerializer(DeclaredFieldsShallow, _EditableFields):
    """What a write may send, as the views check it. A plain ``Serializer``: a
    ``ModelSerializer`` builds all its fields from the model for every request, which cost a
    create 0.19 ms (of 0.33 for the whole validation); its fields are shallow copies of the
    declared ones (``DeclaredFieldsShallow``).
    """


class TaskSerializer(_EditableFields, serializers.ModelSerializer):
    """A task. ``title`` is required; an omitted ``description`` is null (on PUT too: it
    "replaces title and description"); every other omitted field keeps its value on PUT and
    PATCH, and takes the model's default on POST."""

    user_id = serializers.CharField(read_only=True)
    previous_occurrence_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The recurring task this one is the next occurrence of."
    )
    next_occurrence_id = LinkedTaskField(help_text="The task that completing this one created, if any.")

    class Meta:
        model = Task
        list_serializer_class = TaskListSerializer
        fields = [
            "id",
            "user_id",
            "title",
            "description",
            "completed",
            "completed_at",
            "priority",
            "tags",
            "due_at",
            "remind_at",
            "recurrence",
            "previous_occurrence_id",
            "next_occurrence_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name not in EDITABLE_FIELDS]


class TaskCompletionSerializer(serializers.Serializer):
    """The optional body of ``PATCH …/complete``: absent ``completed`` toggles."""

    completed = StrictBooleanField(required=False)
