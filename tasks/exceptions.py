"""Errors of the task API."""

from rest_framework.exceptions import NotFound


class TaskNotFound(NotFound):
    """No such task for this user (another user's task included: its existence is not told)."""

    default_detail = "Task not found."
    default_code = "task_not_found"


class TagNotFound(NotFound):
    """No tag of that name (in any case) for this user; another user's tag is not told either."""

    default_detail = "Tag not found."
    default_code = "tag_not_found"
