"""What incremental sync and safe retries store beside the tasks (``tasks.sync``, ``tasks.idempotency``).

Kept apart from ``tasks.models`` (which imports this module), each owned by its user:
erasing a user erases these rows with them.
"""

from django.conf import settings
from django.db import models


class SyncCounter(models.Model):
    """A user's change counter: every task write of the user takes its next number.

    Taking the number (``UPDATE … SET seq = seq + 1 RETURNING``) locks this row until the
    write commits, so a user's writes commit in the order of their numbers: a sync that read
    up to number N can never later meet a change numbered below N. Its own ``id`` names this
    counter in sync tokens, so a token outlives neither its user nor the user's erasure.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.seq}"


class TaskTombstone(models.Model):
    """A deleted task's id, kept ``SYNC_RETENTION_DAYS`` so syncing clients learn of it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The id the task had; no foreign key, the task is gone.
    task_id = models.BigIntegerField()
    # The user's change number of the deletion (the same sequence as Task.version).
    version = models.PositiveBigIntegerField()
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "version", "task_id"], name="tombstone_user_version_idx"),
            models.Index(fields=["deleted_at"], name="tombstone_deleted_at_idx"),
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} (deleted)"


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one user: what it was sent with and the answer it got.

    The row is written in the first request's own transaction, so others only ever see it
    with its answer; ``status`` is null only inside that transaction.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, route and body: the same key for another request is refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    location = models.TextField(blank=True)
    etag = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at_idx")]

    def __str__(self) -> str:
        return self.key
