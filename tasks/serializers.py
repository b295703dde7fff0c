"""The task as the API shows it and accepts it."""

from rest_framework import serializers

from .models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task


class TaskSerializer(serializers.ModelSerializer):
    """A task; the defaults make PUT a full replacement (omitted fields reset)."""

    user_id = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, trim_whitespace=True)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        default=None,
    )
    completed = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "user_id",
            "title",
            "description",
            "completed",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]


class TaskCompletionSerializer(serializers.Serializer):
    """The optional body of ``PATCH …/complete``: absent ``completed`` toggles."""

    completed = serializers.BooleanField(required=False)
