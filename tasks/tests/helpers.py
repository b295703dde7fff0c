"""Helpers of the task API tests: the two route families and a snapshot of the database."""

from tasks.models import Task

FAMILIES = ("token", "path")


def tasks_url(family: str, user, task_id=None, *, suffix: str = "", slash: bool = False) -> str:
    """``/api/tasks…`` (family "token") or ``/api/{user_id}/tasks…`` (family "path")."""
    url = "/api/tasks" if family == "token" else f"/api/{user.pk}/tasks"
    if task_id is not None:
        url += f"/{task_id}"
    if suffix:
        url += f"/{suffix}"
    return url + "/" if slash else url


def snapshot(user) -> list[tuple]:
    """Every column of every task of ``user``, in a stable order."""
    return list(Task.objects.filter(user=user).order_by("pk").values_list())
