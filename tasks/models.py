"""A user's task."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000


class Task(models.Model):
    """One to-do item; it belongs to exactly one user for its whole life."""

    # No index of its own (nor PostgreSQL's extra "_like" one for the varchar key): the
    # composite indexes below lead with the user and serve every lookup by it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tasks",
        editable=False,
        db_index=False,
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # NULL and "" differ in the contract: "optional string or null; empty string stored as given".
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The owner's change number at the last saved change (tasks.sync): the ETag and the
    # sync position. Set in the same UPDATE as the change; never repeats for a task.
    version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The default list: one user's tasks, newest first (id breaks ties for the cursor).
            models.Index(fields=["user", "-created_at", "-id"], name="task_user_created_idx"),
            # The status filter.
            models.Index(fields=["user", "completed", "-created_at"], name="task_user_completed_idx"),
            # purge_completed: completed tasks by completion time, across users.
            models.Index(fields=["completed_at"], name="task_completed_at_idx"),
            # GET …/tasks/changes: one user's tasks after a change number.
            models.Index(fields=["user", "version", "id"], name="task_user_version_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="task_title_not_blank"
            ),
            # completed_at is set exactly when the task is completed.
            models.CheckConstraint(
                condition=models.Q(completed=True, completed_at__isnull=False)
                | models.Q(completed=False, completed_at__isnull=True),
                name="task_completed_at_matches_completed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# Declared once, derived from the model: what a client, support staff or a command may set.
# Everything else (id, owner, completed_at, the timestamps) is the server's.
EDITABLE_FIELDS = tuple(
    field.name for field in Task._meta.concrete_fields if field.editable and not field.primary_key
)


# Sync and retry bookkeeping, in its own module; imported so Django registers the models.
from .sync_models import IdempotencyKey, SyncCounter, TaskTombstone  # noqa: E402, F401
