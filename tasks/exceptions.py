"""Errors of the task API."""

from rest_framework.exceptions import NotFound


class TaskNotFound(NotFound):
    """No such task for this user (another user's task included: its existence is not told)."""

    default_detail = "Task not found."
    default_code = "task_not_found"
