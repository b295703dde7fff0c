"""A tag as the API shows it, and the body of a rename."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import TAG_NAME_MAX_LENGTH
from .tags import tag_name_clean


class TagSerializer(serializers.Serializer):
    """A tag with the number of tasks carrying it, and of those not completed."""

    name = serializers.CharField(max_length=TAG_NAME_MAX_LENGTH)
    tasks = serializers.IntegerField(source="task_count", min_value=0)
    open_tasks = serializers.IntegerField(source="open_task_count", min_value=0)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": TAG_NAME_MAX_LENGTH})
class TagNameField(serializers.Field):
    """A tag name by the rule of a task's tags: a JSON string, trimmed, 1 to 50 characters,
    no control characters (``tasks.tags.tag_name_clean``)."""

    def to_internal_value(self, data) -> str:
        try:
            return tag_name_clean(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None

    def to_representation(self, value: str) -> str:
        return value


class TagRenameSerializer(serializers.Serializer):
    """``{"name": "new"}``."""

    name = TagNameField(help_text="The new name; an existing tag of that name absorbs this one.")
