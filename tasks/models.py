"""A user's task, and the tags a user puts on their tasks."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000
TAG_NAME_MAX_LENGTH = 50
# str.casefold() can make a character three ("ﬃ" -> "ffi"): room for a 50-character name.
TAG_KEY_MAX_LENGTH = 3 * TAG_NAME_MAX_LENGTH
TAGS_PER_TASK_MAX = 20
RECURRENCE_MAX_LENGTH = 500


class Priority(models.IntegerChoices):
    """Stored as 1/2/3 so that "by importance" is plain integer order on every database and in
    a keyset cursor (no CASE expression, an ordinary index); the API shows the lower-case name.
    """

    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class Tag(models.Model):
    """One user's tag, spelled as first given; ``key`` is the case-folded name it is matched by."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags", editable=False
    )
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    key = models.CharField(max_length=TAG_KEY_MAX_LENGTH, editable=False)

    class Meta:
        ordering = ["key", "id"]
        constraints = [
            # One tag per name and user, whatever its case; also the index tags are found by.
            models.UniqueConstraint(fields=["user", "key"], name="tag_user_key_unique"),
            # The target of task_tag's (tag, user) foreign key on PostgreSQL (migration 0003).
            models.UniqueConstraint(fields=["id", "user"], name="tag_id_user_unique"),
            models.CheckConstraint(condition=GreaterThan(Length("key"), 0), name="tag_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


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
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    tags = models.ManyToManyField(Tag, through="TaskTag", related_name="tasks", blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    # The normalised RRULE (tasks.recurrence); NULL: not recurring.
    recurrence = models.CharField(max_length=RECURRENCE_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    # The due_at of the series' first task: COUNT and UNTIL are counted from there.
    series_start = models.DateTimeField(null=True, blank=True, editable=False)
    # The task this one is the next occurrence of. One-to-one: a task has at most one next
    # occurrence, and the database says so even to two completions at once.
    previous_occurrence = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_occurrence",
        editable=False,
    )
    # Set once this task has spawned its next occurrence, and never cleared: "at most one,
    # ever" holds even after that occurrence is deleted and this task reopened and completed.
    spawned_next = models.BooleanField(default=False, editable=False)
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
            # The due/reminder filters and orderings, and priority order, per user.
            models.Index(fields=["user", "due_at", "id"], name="task_user_due_idx"),
            models.Index(fields=["user", "remind_at", "id"], name="task_user_remind_idx"),
            models.Index(fields=["user", "priority", "id"], name="task_user_priority_idx"),
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
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="task_priority_known"
            ),
            # A recurring task needs a due date to recur from.
            models.CheckConstraint(
                condition=models.Q(recurrence__isnull=True) | models.Q(due_at__isnull=False),
                name="task_recurrence_needs_due_at",
            ),
            # The target of task_tag's (task, user) foreign key on PostgreSQL (migration 0003).
            models.UniqueConstraint(fields=["id", "user"], name="task_id_user_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskTag(models.Model):
    """A tag on a task, at its place in the task's list.

    ``user`` is the owner of both: on PostgreSQL, (task, user) and (tag, user) are foreign
    keys, so the database itself refuses a tag of one user on another user's task.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="task_tags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "tag"], name="task_tag_unique"),
        ]
        indexes = [
            # "Tasks carrying this tag" (the tag filter, the tag counts).
            models.Index(fields=["tag", "task"], name="task_tag_tag_task_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.tag_id}"


# Declared once, derived from the model: what a client, support staff or a command may set.
# Everything else (id, owner, completed_at, the series bookkeeping, the timestamps) is the server's.
EDITABLE_FIELDS = tuple(
    field.name
    for field in (*Task._meta.concrete_fields, *Task._meta.many_to_many)
    if field.editable and not field.primary_key
)


# Sync and retry bookkeeping, in its own module; imported so Django registers the models.
from .sync_models import IdempotencyKey, SyncCounter, TaskTombstone  # noqa: E402, F401
