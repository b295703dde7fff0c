"""The task as the API shows it and accepts it."""

from rest_framework import serializers

from .models import DESCRIPTION_MAX_LENGTH, EDITABLE_FIELDS, TITLE_MAX_LENGTH, Task


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


class TaskSerializer(serializers.ModelSerializer):
    """A task; the defaults make PUT a full replacement (omitted fields reset)."""

    user_id = serializers.CharField(read_only=True)
    title = StrictCharField(max_length=TITLE_MAX_LENGTH, trim_whitespace=True)
    description = StrictCharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        default=None,
    )
    completed = StrictBooleanField(required=False, default=False)

    class Meta:
        model = Task
        # The fields of API version 1 until the new ones are validated (next commits); what
        # clients may set is the model's editable fields, the rest is read-only.
        fields = ["id", "user_id", "title", "description", "completed", "completed_at"]
        fields += ["created_at", "updated_at"]
        read_only_fields = [name for name in fields if name not in EDITABLE_FIELDS]


class TaskCompletionSerializer(serializers.Serializer):
    """The optional body of ``PATCH …/complete``: absent ``completed`` toggles."""

    completed = StrictBooleanField(required=False)
